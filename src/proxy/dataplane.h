/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data plane: N worker threads running the current snapshot. The control
 * thread starts it with a first snapshot and later hands it new ones; each
 * worker switches at its next loop iteration, keeping the listening sockets
 * the two snapshots share and letting established connections finish on the
 * snapshot they started under.
 */
#ifndef BL_PROXY_DATAPLANE_H
#define BL_PROXY_DATAPLANE_H

#include "config/snapshot.h"
#include "core/err.h"

struct bl_dataplane;

/* Starts `nworkers` threads on `snap` (takes ownership of the caller's reference). */
int bl_dataplane_start(unsigned nworkers, struct bl_snapshot *snap, struct bl_dataplane **out,
                       struct bl_err *err);

/* Hands `snap` (caller's reference) to every worker. Control thread only. */
void bl_dataplane_apply(struct bl_dataplane *dp, struct bl_snapshot *snap);

/* The snapshot most recently applied (borrowed). Control thread only. */
struct bl_snapshot *bl_dataplane_snapshot(const struct bl_dataplane *dp);

/* The oldest snapshot generation any worker still accepts new connections
 * with: once it equals the applied generation, every worker has switched. */
uint64_t bl_dataplane_applied_generation(const struct bl_dataplane *dp);

/* Stops the workers, closes every connection, joins the threads and frees. */
void bl_dataplane_stop(struct bl_dataplane *dp);

#endif
