/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/lb/outlier.c (passive checks) and panic mode in
 * src/lb/pool.c: plain arrays of member states, a fake clock. */
#include <string.h>

#include "lb/outlier.h"
#include "lb/pool.h"
#include "tap.h"

static const struct bl_outlier_cfg defaults = {true, 5, 10, 30, 10};

static void test_budget(void)
{
    is_int(bl_outlier_max_ejected(&defaults, 1), 0, "a pool of one never ejects");
    is_int(bl_outlier_max_ejected(&defaults, 2), 1, "10% of 2 rounds to 0, but one may go");
    is_int(bl_outlier_max_ejected(&defaults, 9), 1, "10% of 9: one");
    is_int(bl_outlier_max_ejected(&defaults, 30), 3, "10% of 30: three");
    struct bl_outlier_cfg none = defaults;
    none.max_ejection_percent = 0;
    is_int(bl_outlier_max_ejected(&none, 30), 0, "0% ejects nobody");
    is_int(bl_outlier_ejection_ms(&defaults, 1), 30000, "first ejection: base time");
    is_int(bl_outlier_ejection_ms(&defaults, 3), 90000, "third in a row: three times base");
    is_int(bl_outlier_ejection_ms(&defaults, 50), 300000, "capped at 300 s");
}

static void test_eject_and_return(void)
{
    struct bl_member_state st[3];
    _Atomic uint32_t ejected = 0;
    uint64_t now = 1000;

    memset(st, 0, sizeof(st));
    for (int i = 0; i < 4; i++)
        ok(!bl_outlier_failure(&defaults, &st[0], &ejected, 3, now), "failure %d: not yet", i + 1);
    bl_outlier_success(&st[0]);
    ok(!bl_outlier_failure(&defaults, &st[0], &ejected, 3, now), "a success resets the streak");
    for (int i = 0; i < 3; i++)
        bl_outlier_failure(&defaults, &st[0], &ejected, 3, now);
    ok(bl_outlier_failure(&defaults, &st[0], &ejected, 3, now), "the 5th failure in a row ejects");
    ok(!bl_member_is_usable(&st[0]), "an ejected member is not usable");
    is_int(ejected, 1, "the pool counts it");
    for (int i = 0; i < 5; i++)
        bl_outlier_failure(&defaults, &st[1], &ejected, 3, now);
    ok(bl_member_is_usable(&st[1]), "a second member of 3 is not ejected (budget: one in ten)");
    ok(!bl_outlier_sweep(&defaults, &st[0], &ejected, now + 29999), "still out before 30 s");
    ok(bl_outlier_sweep(&defaults, &st[0], &ejected, now + 30000), "back after 30 s");
    ok(bl_member_is_usable(&st[0]) && ejected == 0, "usable again, budget returned");
    for (int i = 0; i < 5; i++)
        bl_outlier_failure(&defaults, &st[0], &ejected, 3, now + 31000);
    ok(!bl_member_is_usable(&st[0]), "ejected again");
    ok(!bl_outlier_sweep(&defaults, &st[0], &ejected, now + 31000 + 59999),
       "the second ejection in a row lasts twice as long");
    ok(bl_outlier_sweep(&defaults, &st[0], &ejected, now + 31000 + 60000), "then it is back");
    bl_outlier_sweep(&defaults, &st[0], &ejected, now + 200000);
    is_int(st[0].ejections, 1, "a sweep in service decays the multiplier");
    struct bl_outlier_cfg off = defaults;
    off.enabled = false;
    for (int i = 0; i < 10; i++)
        bl_outlier_failure(&off, &st[2], &ejected, 3, now);
    ok(bl_member_is_usable(&st[2]) && st[2].consec_errors == 10,
       "detection disabled: failures counted, nobody ejected");
}

static void test_panic(void)
{
    struct bl_member_state st[2];
    struct bl_lb_member m[2];
    _Atomic uint64_t cursor = 0;
    struct bl_lb_pool p;
    struct bl_lb_tried tried = {.n = 0};

    memset(st, 0, sizeof(st));
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 2; i++)
        m[i] = (struct bl_lb_member){
            .st = &st[i], .key_hash = (uint64_t)i + 1, .weight = 1, .admin_up = true};
    bl_lb_pool_build(&p, bl_algo_find("ROUND_ROBIN"), m, 2, &cursor);
    atomic_store(&st[0].health, BL_HEALTH_DOWN);
    atomic_store(&st[1].health, BL_HEALTH_DOWN);
    is_int(bl_lb_pick(&p, 0, NULL), -1, "every member down, no panic: refused");
    p.panic = true;
    ok(bl_lb_pick(&p, 0, NULL) >= 0, "panic: a down member is picked anyway");
    ok(bl_lb_pick(&p, 0, NULL) != bl_lb_pick(&p, 0, NULL), "panic: round robin alternates");
    tried.idx[tried.n++] = 0;
    is_int(bl_lb_pick(&p, 0, &tried), 1, "panic still skips members already tried");
    tried.idx[tried.n++] = 1;
    is_int(bl_lb_pick(&p, 0, &tried), -1, "and gives up when all were tried");
    atomic_store(&st[1].health, BL_HEALTH_UP);
    for (int i = 0; i < 4; i++)
        is_int(bl_lb_pick(&p, 0, NULL), 1, "one member up: panic is off, only it is picked");
    bl_lb_pool_dispose(&p);
}

int main(void)
{
    test_budget();
    test_eject_and_return();
    test_panic();
    return done_testing();
}
