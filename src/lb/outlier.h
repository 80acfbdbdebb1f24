/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Passive health checks (outlier detection, as Envoy does it): workers count
 * each member's connect failures in a row, and the failure that reaches
 * `consecutive_errors` ejects the member at once, unless the pool already has
 * its share of members ejected. The health checker, on the control thread,
 * sweeps every `interval_s` and returns a member to service once
 * base_ejection_s x (its ejection multiplier) has passed; the multiplier grows
 * by one per ejection and shrinks by one per sweep spent in service.
 *
 * Pure (atomics on struct bl_member_state, no I/O): any thread.
 */
#ifndef BL_LB_OUTLIER_H
#define BL_LB_OUTLIER_H

#include <stdbool.h>
#include <stdint.h>

#include "lb/member.h"

/* Envoy's defaults; the ejection time is capped like its max_ejection_time. */
#define BL_OUTLIER_DEFAULT_ERRORS 5
#define BL_OUTLIER_DEFAULT_INTERVAL_S 10
#define BL_OUTLIER_DEFAULT_BASE_S 30
#define BL_OUTLIER_DEFAULT_MAX_PERCENT 10
#define BL_OUTLIER_MAX_EJECTION_S 300

struct bl_outlier_cfg {
    bool enabled;                  /* false: failures are counted, nobody is ejected */
    uint32_t consecutive_errors;   /* connect failures in a row that eject, >= 1 */
    uint32_t interval_s;           /* time between sweeps, >= 1 */
    uint32_t base_ejection_s;      /* the first ejection lasts this long, >= 1 */
    uint32_t max_ejection_percent; /* share of the pool that may be out at once, 0..100 */
};

/*
 * How many members of a pool of `nmembers` may be ejected at once: the
 * percentage rounded down, but at least one in a pool of two or more (so a
 * small pool can still shed its one bad member), and none in a pool of one
 * (there is nowhere to shift its traffic) or when the percentage is 0.
 */
uint32_t bl_outlier_max_ejected(const struct bl_outlier_cfg *c, uint32_t nmembers);

/* How long ejection number `multiplier` (>= 1) lasts, in ms. */
uint64_t bl_outlier_ejection_ms(const struct bl_outlier_cfg *c, uint32_t multiplier);

/*
 * Worker: a connect to the member of `st` failed at `now_ms` (CLOCK_MONOTONIC).
 * `pool_ejected` counts the pool's ejected members (shared, survives reloads).
 * Returns true when this very failure ejected the member.
 */
bool bl_outlier_failure(const struct bl_outlier_cfg *c, struct bl_member_state *st,
                        _Atomic uint32_t *pool_ejected, uint32_t nmembers, uint64_t now_ms);

/* Worker: a connect to the member succeeded; the failure streak ends. */
void bl_outlier_success(struct bl_member_state *st);

/*
 * Control thread, once per interval: returns the member to service when its
 * time is up (true), or decays the multiplier of a member in service.
 */
bool bl_outlier_sweep(const struct bl_outlier_cfg *c, struct bl_member_state *st,
                      _Atomic uint32_t *pool_ejected, uint64_t now_ms);

/* Control thread: returns an ejected member to service now (detection turned off,
 * member removed). True when it was ejected. */
bool bl_outlier_release(struct bl_member_state *st, _Atomic uint32_t *pool_ejected);

#endif
