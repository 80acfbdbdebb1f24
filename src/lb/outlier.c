/* SPDX-License-Identifier: Apache-2.0 */
#include "lb/outlier.h"

/* st->ejected values. EJECTING is a claim held while the ejection time and
 * multiplier are written, so that a sweep never reads a half-written record. */
enum {
    NOT_EJECTED = 0,
    EJECTED = 1,
    EJECTING = 2,
};

#define RELAXED memory_order_relaxed

uint32_t bl_outlier_max_ejected(const struct bl_outlier_cfg *c, uint32_t nmembers)
{
    uint32_t n;

    if (nmembers < 2 || c->max_ejection_percent == 0)
        return 0;
    n = (uint32_t)((uint64_t)nmembers * c->max_ejection_percent / 100);
    return n > 0 ? n : 1;
}

uint64_t bl_outlier_ejection_ms(const struct bl_outlier_cfg *c, uint32_t multiplier)
{
    uint64_t s = (uint64_t)c->base_ejection_s * (multiplier ? multiplier : 1);
    uint64_t cap = c->base_ejection_s > BL_OUTLIER_MAX_EJECTION_S ? c->base_ejection_s
                                                                  : BL_OUTLIER_MAX_EJECTION_S;

    return (s < cap ? s : cap) * 1000;
}

/* Takes one of the pool's ejection slots; false when they are all taken. */
static bool reserve_slot(_Atomic uint32_t *pool_ejected, uint32_t max)
{
    uint32_t cur = atomic_load_explicit(pool_ejected, RELAXED);

    do {
        if (cur >= max)
            return false;
    } while (!atomic_compare_exchange_weak_explicit(pool_ejected, &cur, cur + 1, RELAXED, RELAXED));
    return true;
}

bool bl_outlier_failure(const struct bl_outlier_cfg *c, struct bl_member_state *st,
                        _Atomic uint32_t *pool_ejected, uint32_t nmembers, uint64_t now_ms)
{
    uint32_t n = atomic_fetch_add_explicit(&st->consec_errors, 1, RELAXED) + 1;
    uint8_t expect = NOT_EJECTED;

    if (!c->enabled || n < c->consecutive_errors ||
        atomic_load_explicit(&st->ejected, RELAXED) != NOT_EJECTED)
        return false;
    if (!reserve_slot(pool_ejected, bl_outlier_max_ejected(c, nmembers)))
        return false;
    /* Several workers may cross the threshold together: one wins the claim. */
    if (!atomic_compare_exchange_strong_explicit(&st->ejected, &expect, EJECTING, RELAXED,
                                                 RELAXED)) {
        atomic_fetch_sub_explicit(pool_ejected, 1, RELAXED);
        return false;
    }
    atomic_store_explicit(&st->ejected_at_ms, now_ms, RELAXED);
    atomic_fetch_add_explicit(&st->ejections, 1, RELAXED);
    atomic_fetch_add_explicit(&st->ejected_total, 1, RELAXED);
    atomic_store_explicit(&st->ejected, EJECTED, memory_order_release);
    return true;
}

void bl_outlier_success(struct bl_member_state *st)
{
    /* Most connects succeed: skip the store (and the cache line bounce) when
     * there is no streak to end. */
    if (atomic_load_explicit(&st->consec_errors, RELAXED) != 0)
        atomic_store_explicit(&st->consec_errors, 0, RELAXED);
}

bool bl_outlier_release(struct bl_member_state *st, _Atomic uint32_t *pool_ejected)
{
    uint8_t expect = EJECTED;

    if (!atomic_compare_exchange_strong_explicit(&st->ejected, &expect, NOT_EJECTED,
                                                 memory_order_acq_rel, RELAXED))
        return false;
    atomic_store_explicit(&st->consec_errors, 0, RELAXED);
    atomic_fetch_sub_explicit(pool_ejected, 1, RELAXED);
    return true;
}

bool bl_outlier_sweep(const struct bl_outlier_cfg *c, struct bl_member_state *st,
                      _Atomic uint32_t *pool_ejected, uint64_t now_ms)
{
    uint8_t e = atomic_load_explicit(&st->ejected, memory_order_acquire);
    uint32_t mult = atomic_load_explicit(&st->ejections, RELAXED);

    if (e == EJECTED) {
        uint64_t at = atomic_load_explicit(&st->ejected_at_ms, RELAXED);
        if (now_ms < at + bl_outlier_ejection_ms(c, mult))
            return false;
        return bl_outlier_release(st, pool_ejected);
    }
    /* A CAS, not a store: a worker may be ejecting it again right now. */
    if (e == NOT_EJECTED && mult > 0)
        atomic_compare_exchange_strong_explicit(&st->ejections, &mult, mult - 1, RELAXED, RELAXED);
    return false;
}
