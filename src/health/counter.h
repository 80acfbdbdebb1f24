/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HAProxy's single-counter hysteresis (check-t.h `health`, check.c): one
 * counter per member in [0, rise + fall - 1]; the member is up while the
 * counter is >= rise. A passed check moves it up by one and a failed check
 * down by one, but crossing the rise line jumps to the far end, so that:
 *   - from fully down (0), `rise` passes in a row bring it up;
 *   - from fully up (rise + fall - 1), `fall` failures in a row bring it down;
 *   - one failure while rising, or one pass while falling, resets the streak.
 * rise = Octavia's max_retries, fall = max_retries_down (both 1..10).
 * Pure, inline, control thread only (the counter lives in struct bl_member_state).
 */
#ifndef BL_HEALTH_COUNTER_H
#define BL_HEALTH_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Where a newly monitored member starts: up, but one failure away from down
 * (HAProxy's default init-state). Traffic keeps flowing while the first
 * checks run, and the first result settles it either way: a pass makes it
 * fully up, a failure marks it down at once. One transition at most, never a
 * flap, and no start-up outage while `rise` checks would be collected.
 */
static inline uint8_t bl_hc_initial(uint32_t rise)
{
    return (uint8_t)rise;
}

/*
 * Where a member known to have been down starts (the checker's owner kept its
 * status across a restart): down, but one pass away from up, the mirror of
 * bl_hc_initial(). No traffic goes to it until it answers, and the status
 * stored before the restart is not overturned by a guess.
 */
static inline uint8_t bl_hc_initial_down(uint32_t rise)
{
    return (uint8_t)(rise - 1);
}

static inline bool bl_hc_is_up(uint8_t health, uint32_t rise)
{
    return health >= rise;
}

/* The counter after one check result. */
static inline uint8_t bl_hc_step(uint8_t health, uint32_t rise, uint32_t fall, bool passed)
{
    uint32_t max = rise + fall - 1;

    if (passed && health < max) {
        health++;
        if (health >= rise)
            health = (uint8_t)max;
    } else if (!passed && health > 0) {
        health--;
        if (health < rise)
            health = 0;
    }
    return health;
}

/*
 * The counter for new thresholds (a reload changed max_retries or
 * max_retries_down): the member keeps its state, with a full margin.
 */
static inline uint8_t bl_hc_rescale(uint8_t health, uint32_t old_rise, uint32_t rise, uint32_t fall)
{
    return bl_hc_is_up(health, old_rise) ? (uint8_t)(rise + fall - 1) : 0;
}

#endif
