/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent: makes the data plane match the store. After every write it
 * reads the objects that are not being deleted, turns each load balancer into
 * the same "fully populated" JSON document a declarative file holds, builds a
 * snapshot from it (config/parse.c validates it once more, config/snapshot.c
 * opens the sockets), hands the snapshot to the workers and then settles the
 * provisioning status: PENDING_* objects become ACTIVE, objects pending
 * deletion are removed, and a load balancer whose listeners could not open
 * (port in use...) becomes ERROR with the reason logged, without holding back
 * the others.
 *
 * Control thread only. Objects are stored as described in store/store.h with
 * kinds "loadbalancer", "listener" (lb_id), "pool" (lb_id), "member" (lb_id,
 * parent_id = pool), "healthmonitor" (lb_id, parent_id = pool); bodies hold
 * the Octavia fields of the object itself (a listener's body carries its
 * "default_pool_id").
 */
#ifndef BL_AGENT_AGENT_H
#define BL_AGENT_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/snapshot.h"
#include "core/err.h"
#include "store/store.h"

struct bl_agent;

/* Creates an agent for `st` and a data plane of `nworkers`, built from what
 * the store holds now (a restart resumes serving before the API answers).
 * Certificate refs name <certs_dir>/<id>.pem (config/certs.h; NULL = none). */
int bl_agent_start(struct bl_store *st, unsigned nworkers, const char *certs_dir,
                   struct bl_agent **out, struct bl_err *err);

void bl_agent_stop(struct bl_agent *a);

/*
 * Brings the data plane to the store's current revision and settles statuses.
 * Cheap when nothing changed. Returns 0, or a negative errno if the store
 * failed (the data plane then keeps running what it had).
 */
int bl_agent_sync(struct bl_agent *a, struct bl_err *err);

/*
 * Validates what the data plane would run for load balancer `lb_id` as the
 * store holds it now (inside the caller's transaction): the same parse a
 * sync will do, and the certificates its TLS listeners and pools name
 * (read from <certs_dir>, NULL = none), so the API can refuse a write that
 * would put the load balancer in ERROR. Returns 0 or a negative errno with
 * `err` naming the JSON path.
 */
int bl_agent_check_lb(struct bl_store *st, const char *lb_id, const char *certs_dir,
                      struct bl_err *err);

/* The certificate store the agent reads (NULL = none). */
const char *bl_agent_certs_dir(const struct bl_agent *a);

/*
 * With `hold`, a sync leaves the objects of no-op provider load balancers in
 * their PENDING_* state (they run nothing, so nothing decides when they are
 * done) until bl_agent_settle_held(): ballastd --noop-settle next-request,
 * which mirrors Octavia's API whose worker acts between two requests.
 */
void bl_agent_hold_noop(struct bl_agent *a, bool hold);

/* Syncs, then settles the held no-op objects as a sync would have (ACTIVE,
 * or removed when pending deletion). Returns 0 or a negative errno. */
int bl_agent_settle_held(struct bl_agent *a, struct bl_err *err);

/* Calls `cb` with each snapshot the agent applies, after the statuses are
 * settled (the health checker follows the data plane this way). */
void bl_agent_on_apply(struct bl_agent *a, void (*cb)(void *ctx, struct bl_snapshot *s), void *ctx);

/*
 * Writes the operating statuses of running load balancer `lb_id`, its
 * listeners and pools where the store holds others (agent/rollup.h), inside
 * the caller's transaction; 0 when it does not run. The agent does so itself
 * when it settles a change; the health checker's owner calls it when a
 * member's status moves. bl_agent_rollup_all() does every running load
 * balancer (start-up). Return the number of rows written, or a negative errno.
 */
int bl_agent_rollup(struct bl_agent *a, const char *lb_id, struct bl_err *err);
int bl_agent_rollup_all(struct bl_agent *a, struct bl_err *err);

/* The data plane the agent drives (for stats). */
struct bl_dataplane *bl_agent_dataplane(struct bl_agent *a);

/* Builds the fully-populated document for every load balancer not pending
 * deletion and not in `skip` (NULL-terminated list of ids). Returned string is
 * malloc'd. Exposed for tests. */
char *bl_agent_render(struct bl_store *st, const char *const *skip, struct bl_err *err);

#endif
