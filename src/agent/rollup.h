/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The roll-up: the operating statuses of a running load balancer, its
 * listeners and its pools, as config/status.h computes them from the part
 * the data plane runs (configuration + the health checker's verdicts), put
 * into the store where it holds another value. Members are not written here:
 * the health checker reports each member's own changes (api/service.c).
 *
 * Only differences are written, so re-running it is free when nothing moved
 * (a restart rewrites nothing) and a status write never changes the document
 * the agent renders (statuses are columns, not body fields): the next sync
 * finds the part unchanged and rebuilds nothing.
 *
 * What is stored leaves out the listeners' load (DEGRADED at
 * connection_limit, a reading of one instant that the admin socket shows):
 * a stored status changes by events, not by polling.
 */
#ifndef BL_AGENT_ROLLUP_H
#define BL_AGENT_ROLLUP_H

#include "config/snapshot.h"
#include "core/err.h"
#include "store/store.h"

/*
 * Writes the roll-up of load balancer `lb_id`, which runs as `part`, where
 * it differs from the store. Inside the caller's transaction. Rows pending
 * deletion are left alone. Returns the number of rows written, or a negative
 * errno.
 */
int bl_rollup_lb(struct bl_store *st, const char *lb_id, const struct bl_snap_lb *part,
                 struct bl_err *err);

#endif
