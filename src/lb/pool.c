/* SPDX-License-Identifier: Apache-2.0 */
#include "lb/pool.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void bl_lb_pool_build(struct bl_lb_pool *p, const struct bl_algo_ops *ops,
                      const struct bl_lb_member *members, uint32_t n, _Atomic uint64_t *cursor)
{
    memset(p, 0, sizeof(*p));
    p->ops = ops;
    p->nmembers = n;
    p->members = bl_xcalloc(n ? n : 1, sizeof(*members));
    if (n)
        memcpy(p->members, members, n * sizeof(*members));
    for (int t = 0; t < 2; t++) {
        uint32_t *idx = bl_xcalloc(n ? n : 1, sizeof(*idx));
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            const struct bl_lb_member *m = &members[i];
            if (m->admin_up && m->weight > 0 && m->backup == (t == 1))
                idx[k++] = i;
        }
        p->tiers[t] = (struct bl_lb_tier){p->members, idx, k, cursor};
        p->state[t] = (k > 0 && ops->create) ? ops->create(&p->tiers[t]) : NULL;
    }
}

void bl_lb_pool_dispose(struct bl_lb_pool *p)
{
    for (int t = 0; t < 2; t++) {
        if (p->state[t] && p->ops->destroy)
            p->ops->destroy(p->state[t]);
        free((void *)p->tiers[t].idx);
    }
    free(p->members);
    memset(p, 0, sizeof(*p));
}

bool bl_lb_tried_has(const struct bl_lb_tried *tried, uint32_t i)
{
    if (tried == NULL)
        return false;
    for (unsigned k = 0; k < tried->n; k++) {
        if (tried->idx[k] == i)
            return true;
    }
    return false;
}

static int pick_tiers(const struct bl_lb_pool *p, uint64_t hash, const struct bl_lb_tried *tried)
{
    for (int t = 0; t < 2; t++) {
        int i;
        if (p->tiers[t].n == 0)
            continue;
        i = p->ops->pick(&p->tiers[t], p->state[t], hash, tried);
        if (i >= 0)
            return i;
    }
    return -1;
}

bool bl_lb_any_usable(const struct bl_lb_pool *p)
{
    for (int t = 0; t < 2; t++) {
        for (uint32_t k = 0; k < p->tiers[t].n; k++) {
            if (bl_member_is_usable(p->members[p->tiers[t].idx[k]].st))
                return true;
        }
    }
    return false;
}

int bl_lb_pick(const struct bl_lb_pool *p, uint64_t hash, const struct bl_lb_tried *tried)
{
    struct bl_lb_tried all = {.n = 0};

    /* Checked before picking, not after a failed pick: a failed round-robin
     * pick still advances the shared cursor, and two advances per connection
     * would always land on the same member of a pair. */
    if (!p->panic || bl_lb_any_usable(p))
        return pick_tiers(p, hash, tried);
    /* Panic (Envoy's panic threshold at 100%): health checks say every member
     * is down, which is more often the checks' fault than the members'. Spread
     * over them all, through the same algorithm, rather than refuse everyone. */
    if (tried != NULL)
        all = *tried;
    all.ignore_health = true;
    return pick_tiers(p, hash, &all);
}
