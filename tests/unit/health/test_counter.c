/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/health/counter.h: HAProxy's rise/fall counter, walked
 * through result sequences written as strings ('+' passed, '-' failed). */
#include "health/counter.h"
#include "tap.h"

/* Runs `results` from `start`; returns the up/down trace as 'U'/'D' per step. */
static const char *walk(uint8_t start, uint32_t rise, uint32_t fall, const char *results)
{
    static char trace[64];
    uint8_t h = start;
    size_t i;

    for (i = 0; results[i] && i < sizeof(trace) - 1; i++) {
        h = bl_hc_step(h, rise, fall, results[i] == '+');
        trace[i] = bl_hc_is_up(h, rise) ? 'U' : 'D';
    }
    trace[i] = '\0';
    return trace;
}

static void test_thresholds(void)
{
    uint8_t full_up = 2 + 3 - 1, down = 0;

    is_str(walk(full_up, 2, 3, "---"), "UUD", "fully up: max_retries_down=3 failures mark it down");
    is_str(walk(down, 2, 3, "++"), "DU", "down: max_retries=2 passes mark it up");
    is_str(walk(full_up, 2, 3, "--+--"), "UUUUU", "a pass while falling restores the full margin");
    is_str(walk(full_up, 2, 3, "--+---"), "UUUUUD",
           "... so three failures in a row are needed again");
    is_str(walk(down, 2, 3, "+-+"), "DDD", "a failure while rising starts the rise again");
    is_str(walk(down, 2, 3, "+-++"), "DDDU", "... two passes in a row are needed");
    is_str(walk(down, 1, 1, "+-+-"), "UDUD", "rise 1, fall 1: every result decides");
    is_str(walk(full_up, 2, 3, "++++"), "UUUU", "passes while up stay up (no overflow)");
    is_str(walk(down, 2, 3, "----"), "DDDD", "failures while down stay down (no underflow)");
    is_int(bl_hc_step(4, 2, 3, true), 4, "the counter never passes rise + fall - 1");
    is_int(bl_hc_step(0, 2, 3, false), 0, "nor goes below 0");
}

static void test_initial(void)
{
    uint8_t h = bl_hc_initial(3);

    ok(bl_hc_is_up(h, 3), "a new member starts up (traffic flows during the first checks)");
    is_str(walk(h, 3, 3, "+--"), "UUU", "its first pass makes it fully up: then fall=3 is needed");
    is_str(walk(h, 3, 3, "-+++"), "DDDU", "its first failure marks it down: then rise=3 is needed");
    is_str(walk(h, 3, 3, "+"), "U", "no flap while the first checks run: one pass, still up");
}

static void test_initial_down(void)
{
    uint8_t h = bl_hc_initial_down(3);

    ok(!bl_hc_is_up(h, 3), "a member known down before a restart starts down");
    is_str(walk(h, 3, 3, "+--"), "UUU", "its first pass makes it fully up");
    is_str(walk(h, 3, 3, "-++"), "DDD", "its first failure makes it fully down: rise=3 needed");
    is_str(walk(bl_hc_initial_down(1), 1, 1, "+"), "U", "rise 1: one pass brings it up");
}

static void test_rescale(void)
{
    ok(bl_hc_rescale(2, 2, 5, 5) == 9, "an up member stays up, fully, under new thresholds");
    ok(bl_hc_rescale(1, 2, 5, 5) == 0, "a down (even rising) member restarts from fully down");
}

int main(void)
{
    test_thresholds();
    test_initial();
    test_initial_down();
    test_rescale();
    return done_testing();
}
