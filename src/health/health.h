/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The health checker: active probes per Octavia health monitor, passive
 * checks (outlier ejection) bookkeeping, and members' operating status. Runs
 * on the control thread's loop, never on a worker: probes are a few sockets
 * and timers, and the data path only ever reads one atomic per member
 * (struct bl_member_state.health / .ejected, which lb/pool.c obeys).
 *
 * Driven by snapshots: every (pool, member) of the current snapshot whose
 * pool has an enabled monitor gets a probe schedule, a new snapshot is
 * reconciled against the running schedules by member identity (the registry
 * block), so a reload keeps each member's state and timing, starts probing
 * new members and stops probing removed ones.
 *
 * File mode (main.c) starts it beside the data plane; the REST API service
 * (api/service.c) does too and stores what `on_change` reports as each
 * member's operating_status.
 */
#ifndef BL_HEALTH_HEALTH_H
#define BL_HEALTH_HEALTH_H

#include "config/snapshot.h"
#include "core/loop.h"
#include "config/status.h"

struct bl_health_checker;

/*
 * Told whenever a member's operating status changes, and once with its first
 * status when the checker starts tracking it. `pool_key` is the pool's
 * identity (struct bl_cfg_pool.key), `member` its "address:port"
 * ("[v6]:port"), `reason` why ("HTTP 503 from /healthz", "weight 0", ...).
 * The strings are valid during the call only. Runs on the loop's thread; it
 * must not call bl_health_apply() or bl_health_stop().
 */
typedef void bl_health_change_cb(void *ctx, const char *pool_key, const char *member,
                                 enum bl_opstatus status, const char *reason);

/* Creates a checker on `loop`; `on_change` may be NULL. Nothing is probed until
 * the first bl_health_apply(). Returns 0 or -errno. */
int bl_health_start(struct bl_loop *loop, bl_health_change_cb *on_change, void *ctx,
                    struct bl_health_checker **out);

/*
 * Asked, when a member starts being checked with no state of its own (at
 * start-up, for one), for the status it had before (as `on_change` last
 * reported it, kept in a database): BL_OP_ERROR starts it down, one passed
 * check away from up, instead of up, one failure away from down. Returns
 * -1 when it knows nothing. Runs on the loop's thread, inside
 * bl_health_apply(), with the checker's `ctx`.
 */
typedef int bl_health_seed_cb(void *ctx, const char *pool_key, const char *member);

void bl_health_set_seed(struct bl_health_checker *h, bl_health_seed_cb *seed);

/*
 * Makes `snap` the configuration to check (takes a reference of its own, so
 * the caller keeps its). Members that stay keep their state and schedule,
 * new ones start "up, one failure away from down" with their first probe at
 * a random point of their first `delay`, removed ones stop being probed.
 * Logs and reports the status changes the new configuration causes.
 */
void bl_health_apply(struct bl_health_checker *h, struct bl_snapshot *snap);

/* Cancels every probe, drops the snapshot, frees. NULL is fine. */
void bl_health_stop(struct bl_health_checker *h);

#endif
