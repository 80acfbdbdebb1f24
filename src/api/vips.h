/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VIP addresses on the host interface of their network (api/networks.h
 * "interface"): added when the VIP is allocated, removed when the load
 * balancer is deleted, restored at start-up. api/vips.c says why the API,
 * not the agent, does it. Internal to api/.
 */
#ifndef BL_API_VIPS_H
#define BL_API_VIPS_H

#include <stdbool.h>

#include "api/networks.h"
#include "core/err.h"
#include "store/store.h"

struct ctx;

/* A VIP added (to undo if the transaction does not commit) or released (to
 * remove once the delete commits) by the current request. */
struct bl_vip_change {
    const struct bl_subnet *sn; /* NULL = none */
    char ip[48];
};

/* Adds `ip` to the interface of `sn` (nothing when it has none), undone if the
 * request's transaction does not commit. 0; -EEXIST when the interface already
 * has that address (no fault: the caller picks another or answers 409); or
 * a 500 fault (no such interface, no permission) naming the cause. */
int bl_api_vip_plumb(struct ctx *c, const struct bl_subnet *sn, const char *ip, const char *lb_id);

/* Schedules the removal of `ip` from `sn`'s interface once the transaction
 * commits (a load balancer delete). NULL `sn` = nothing. */
void bl_api_vip_release(struct ctx *c, const struct bl_subnet *sn, const char *ip);

/* After the request's transaction: removes what a rolled-back create added,
 * announces (gratuitous ARP) what a committed one added, removes what a
 * committed delete released. */
void bl_api_vip_txn_end(struct ctx *c, bool committed);

/* The interface subnet and address (in the request's arena) of stored load
 * balancer `lb`; NULL when its VIP is on no interface or it is a no-op one. */
const struct bl_subnet *bl_api_vip_of(struct ctx *c, const struct bl_store_row *lb,
                                      const char **ip);

/* Re-adds `lb`'s VIP if it is missing (failover). 0, or a 500 fault. */
int bl_api_vip_ensure(struct ctx *c, const struct bl_store_row *lb);

/* Start-up: re-adds the VIP of every stored load balancer (EEXIST is fine),
 * removes those of load balancers left PENDING_DELETE. Failures are logged
 * and do not stop the start: the load balancer still runs (IP_FREEBIND). */
int bl_api_vips_restore(struct bl_store *st, const struct bl_networks *nw, struct bl_err *err);

#endif
