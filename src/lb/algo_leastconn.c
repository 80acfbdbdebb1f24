/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LEAST_CONNECTIONS, weighted: the member with the fewest live connections
 * per unit of weight wins (compared by cross-multiplication, no division).
 * The scan starts at a rotating offset so that ties are spread rather than
 * always won by the first member.
 */
#include "lb/algo.h"

#include "lb/pool.h"

static int lc_pick(const struct bl_lb_tier *tier, const void *state, uint64_t hash,
                   const struct bl_lb_tried *tried)
{
    uint64_t start = atomic_fetch_add_explicit(tier->cursor, 1, memory_order_relaxed);
    int best = -1;
    int64_t best_active = 0, best_weight = 1;

    (void)state;
    (void)hash;
    for (uint32_t k = 0; k < tier->n; k++) {
        uint32_t i = tier->idx[(start + k) % tier->n];
        const struct bl_lb_member *m = &tier->members[i];
        int64_t active;
        if (!bl_lb_usable(m, tried) || bl_lb_tried_has(tried, i))
            continue;
        active = bl_stat_get(m->st->active);
        if (best < 0 || active * best_weight < best_active * (int64_t)m->weight) {
            best = (int)i;
            best_active = active;
            best_weight = m->weight;
        }
    }
    return best;
}

const struct bl_algo_ops bl_algo_least_connections = {
    .name = "LEAST_CONNECTIONS",
    .pick = lc_pick,
};
