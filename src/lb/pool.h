/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pool as the algorithms see it: members with weight and backup flag, split
 * into a primary and a backup tier. Backups are used only when no primary is
 * usable. Members with weight 0 or admin_state_up false belong to no tier, so
 * they get no new connections (Octavia's "drain").
 *
 * Built once per snapshot on the control thread; bl_lb_pick() is then called
 * from any worker thread concurrently.
 */
#ifndef BL_LB_POOL_H
#define BL_LB_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lb/algo.h"
#include "lb/member.h"

struct bl_lb_member {
    struct bl_member_state *st; /* shared live state (not owned here) */
    uint64_t key_hash;          /* hash of the member's identity, seeds Maglev */
    uint32_t weight;            /* 0..256; 0 = no new connections */
    bool backup;
    bool admin_up;
};

struct bl_lb_pool {
    const struct bl_algo_ops *ops;
    bool panic; /* when no member of either tier is usable, pick among all, ignoring health */
    struct bl_lb_member *members; /* owned */
    uint32_t nmembers;
    struct bl_lb_tier tiers[2];   /* [0] primaries, [1] backups; idx owned */
    void *state[2];               /* per-tier algorithm state, owned */
};

/*
 * Builds `p` over a copy of `members`; `cursor` is the pool's shared
 * round-robin cursor (not owned). Never fails (allocation aborts).
 */
void bl_lb_pool_build(struct bl_lb_pool *p, const struct bl_algo_ops *ops,
                      const struct bl_lb_member *members, uint32_t n, _Atomic uint64_t *cursor);

void bl_lb_pool_dispose(struct bl_lb_pool *p);

/*
 * Picks a member index for a new connection: from the primaries, else from
 * the backups; skipping unusable members and those in `tried` (may be NULL).
 * `hash` is the client hash for SOURCE_IP*, ignored otherwise. With `panic`
 * set and every member of both tiers down, picks again as if all were up
 * (primaries first). Returns -1 when no member can take the connection.
 */
int bl_lb_pick(const struct bl_lb_pool *p, uint64_t hash, const struct bl_lb_tried *tried);

/* True when some member of either tier is usable (false: all down, or none in a tier). */
bool bl_lb_any_usable(const struct bl_lb_pool *p);

/* True when member `i` is in `tried`. */
bool bl_lb_tried_has(const struct bl_lb_tried *tried, uint32_t i);

/* What algorithms ask before picking `m`: usable, or panic mode says to ignore health. */
static inline bool bl_lb_usable(const struct bl_lb_member *m, const struct bl_lb_tried *tried)
{
    return (tried != NULL && tried->ignore_health) || bl_member_is_usable(m->st);
}

#endif
