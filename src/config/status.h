/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operating status (Octavia's operating_status) of members, pools, listeners
 * and load balancers, and the roll-up rules, as Octavia's health manager
 * applies them to HAProxy's report (controller/healthmanager/health_drivers/
 * update_db.py):
 *   member    OFFLINE when disabled (it, its pool or its load balancer), ERROR
 *             when health checks say down or passive checks ejected it,
 *             DRAINING at weight 0, NO_MONITOR without an enabled monitor,
 *             else ONLINE.
 *   pool      OFFLINE when disabled or not in use: neither the default pool
 *             of an enabled listener nor the target of one of its L7
 *             policies (Octavia reports only pools in use); ERROR when it
 *             has members and none is up (HAProxy's backend DOWN; DRAINING
 *             and NO_MONITOR members count as up); DEGRADED when some member
 *             is in ERROR; else ONLINE (also with no members).
 *   listener  OFFLINE when disabled; DEGRADED when at its connection_limit
 *             (HAProxy's FULL); else ONLINE. Octavia does not fold the pool
 *             into the listener.
 *   LB        OFFLINE when disabled; ERROR when one of its pools in use is in
 *             ERROR; DEGRADED when a listener or a pool in use is DEGRADED;
 *             else ONLINE.
 * The rules are pure (bl_status_*); the bl_status_part_* and bl_status_of_*
 * helpers read one load balancer's part, or a snapshot, and the shared member
 * state: configuration and relaxed atomics only, so the admin socket and the
 * REST API (control thread) and the PROMETHEUS listener (workers) use them.
 */
#ifndef BL_CONFIG_STATUS_H
#define BL_CONFIG_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/snapshot.h"

enum bl_opstatus {
    BL_OP_ONLINE = 0, /* working */
    BL_OP_OFFLINE,    /* administratively disabled (or a pool not in use) */
    BL_OP_DEGRADED,   /* working, but part of it is not */
    BL_OP_ERROR,      /* not working */
    BL_OP_DRAINING,   /* member at weight 0: no new connections */
    BL_OP_NO_MONITOR, /* member of a pool without an enabled health monitor */
};

/* Octavia's spelling ("ONLINE", "NO_MONITOR", ...). */
const char *bl_opstatus_name(enum bl_opstatus s);

/* What decides a member's status. */
struct bl_member_facts {
    bool admin_up;   /* the member, its pool and its load balancer are all enabled */
    uint32_t weight; /* 0 = draining */
    bool monitored;  /* the pool has a health monitor with admin_state_up */
    bool down;       /* health checks say down */
    bool ejected;    /* passive checks ejected it */
};

/* What decides a pool's status. */
struct bl_pool_facts {
    bool in_use;      /* enabled, with its load balancer, and some enabled listener's pool */
    uint32_t members; /* all its members */
    uint32_t up;      /* members ONLINE, NO_MONITOR or DRAINING */
    uint32_t errors;  /* members in ERROR */
};

enum bl_opstatus bl_status_member(const struct bl_member_facts *f);
enum bl_opstatus bl_status_pool(const struct bl_pool_facts *f);

/* `limit` is connection_limit (-1 = none), `active` the connections open now. */
enum bl_opstatus bl_status_listener(bool enabled, int64_t limit, int32_t active);

/* Folds the status of one of its listeners or pools in use into a load balancer's
 * status; start from ONLINE (OFFLINE for a disabled load balancer). */
enum bl_opstatus bl_status_lb_fold(enum bl_opstatus lb, enum bl_opstatus child);

/* ---- on one load balancer's part of a snapshot ---- */

/* Whether `sp` (one of p->pools) is in use (see the pool rule above). */
bool bl_status_part_uses(const struct bl_snap_lb *p, const struct bl_snap_pool *sp);
enum bl_opstatus bl_status_part_pool(const struct bl_snap_lb *p, const struct bl_snap_pool *sp);

/* `live`: fold in the listeners' load (DEGRADED at connection_limit), a
 * reading of this instant for the admin socket; without it, only what
 * configuration and health checks decide, which changes by events (what the
 * REST API stores). */
enum bl_opstatus bl_status_part_lb(const struct bl_snap_lb *p, bool live);

/* The same facts and status for the PROMETHEUS listener, which has the part only. */
void bl_status_part_pool_facts(const struct bl_snap_lb *p, const struct bl_snap_pool *sp,
                               struct bl_pool_facts *out);
enum bl_opstatus bl_status_of_part(const struct bl_snap_lb *p);

/* ---- on a snapshot ---- */

/* The load balancer that owns `sp`. */
const struct bl_cfg_lb *bl_status_pool_lb(const struct bl_snapshot *s,
                                          const struct bl_snap_pool *sp);

void bl_status_member_facts(const struct bl_snap_pool *sp, const struct bl_cfg_lb *lb, uint32_t i,
                            struct bl_member_facts *out);
void bl_status_pool_facts(const struct bl_snapshot *s, const struct bl_snap_pool *sp,
                          struct bl_pool_facts *out);

enum bl_opstatus bl_status_of_member(const struct bl_snapshot *s, const struct bl_snap_pool *sp,
                                     uint32_t i);
enum bl_opstatus bl_status_of_pool(const struct bl_snapshot *s, const struct bl_snap_pool *sp);
enum bl_opstatus bl_status_of_listener(const struct bl_snap_listener *sl);
enum bl_opstatus bl_status_of_lb(const struct bl_snapshot *s, const struct bl_cfg_lb *lb);

#endif
