/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ROUND_ROBIN, smooth and weighted (nginx's algorithm), exact across workers:
 * the smooth sequence is computed once per snapshot, and every worker takes
 * the next slot of it with one atomic increment of the pool's shared cursor.
 * So with two members the 1st, 2nd, 3rd connection go to A, B, A whichever
 * worker accepted them, and weights 1:3 give A B B B spread as B A B B.
 */
#include "lb/algo.h"

#include <stdlib.h>

#include "core/xalloc.h"
#include "lb/pool.h"

struct rr_state {
    uint32_t len;
    uint32_t seq[]; /* indexes into tier->members */
};

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void *rr_create(const struct bl_lb_tier *tier)
{
    uint32_t g = 0, total = 0;
    int64_t *cur = bl_xcalloc(tier->n, sizeof(*cur));
    struct rr_state *st;

    for (uint32_t k = 0; k < tier->n; k++)
        g = gcd(g, tier->members[tier->idx[k]].weight);
    for (uint32_t k = 0; k < tier->n; k++)
        total += tier->members[tier->idx[k]].weight / g;
    st = bl_xmalloc(sizeof(*st) + total * sizeof(st->seq[0]));
    st->len = total;
    /* Smooth weighted round robin: each step every member gains its weight,
     * the richest is chosen and pays the total. Ties go to the earliest. */
    for (uint32_t s = 0; s < total; s++) {
        uint32_t best = 0;
        for (uint32_t k = 0; k < tier->n; k++) {
            cur[k] += tier->members[tier->idx[k]].weight / g;
            if (cur[k] > cur[best])
                best = k;
        }
        cur[best] -= total;
        st->seq[s] = tier->idx[best];
    }
    free(cur);
    return st;
}

static void rr_destroy(void *state)
{
    free(state);
}

static int rr_pick(const struct bl_lb_tier *tier, const void *state, uint64_t hash,
                   const struct bl_lb_tried *tried)
{
    const struct rr_state *st = state;
    uint64_t pos = atomic_fetch_add_explicit(tier->cursor, 1, memory_order_relaxed);

    (void)hash;
    for (uint32_t k = 0; k < st->len; k++) {
        uint32_t i = st->seq[(pos + k) % st->len];
        if (bl_lb_usable(&tier->members[i], tried) && !bl_lb_tried_has(tried, i))
            return (int)i;
    }
    return -1;
}

const struct bl_algo_ops bl_algo_round_robin = {
    .name = "ROUND_ROBIN",
    .create = rr_create,
    .destroy = rr_destroy,
    .pick = rr_pick,
};
