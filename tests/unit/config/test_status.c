/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/config/status.c: Octavia's operating status rules for
 * members, pools, listeners and load balancers, and their roll-up. */
#include <string.h>

#include "config/parse.h"
#include "config/registry.h"
#include "config/status.h"
#include "tap.h"

#define NAME(s) bl_opstatus_name(s)

static enum bl_opstatus member(bool admin_up, uint32_t weight, bool monitored, bool down,
                               bool ejected)
{
    struct bl_member_facts f = {admin_up, weight, monitored, down, ejected};
    return bl_status_member(&f);
}

static void test_member(void)
{
    is_str(NAME(member(true, 1, true, false, false)), "ONLINE", "monitored and passing");
    is_str(NAME(member(true, 1, true, true, false)), "ERROR", "monitored and down");
    is_str(NAME(member(true, 1, false, false, false)), "NO_MONITOR", "no monitor");
    is_str(NAME(member(true, 1, false, true, false)), "NO_MONITOR",
           "a stale down flag without a monitor does not count");
    is_str(NAME(member(true, 0, true, false, false)), "DRAINING", "weight 0");
    is_str(NAME(member(true, 0, false, false, false)), "DRAINING", "weight 0 without monitor");
    is_str(NAME(member(true, 0, true, true, false)), "ERROR", "down beats draining (as Octavia)");
    is_str(NAME(member(false, 1, true, true, false)), "OFFLINE", "admin down beats everything");
    is_str(NAME(member(true, 1, false, false, true)), "ERROR", "ejected by passive checks");
    is_str(NAME(member(true, 1, true, false, true)), "ERROR", "ejected though its checks pass");
}

static enum bl_opstatus pool(bool in_use, uint32_t n, uint32_t up, uint32_t errors)
{
    struct bl_pool_facts f = {in_use, n, up, errors};
    return bl_status_pool(&f);
}

static void test_pool(void)
{
    is_str(NAME(pool(true, 2, 2, 0)), "ONLINE", "every member up");
    is_str(NAME(pool(true, 2, 1, 1)), "DEGRADED", "one member in ERROR, one up");
    is_str(NAME(pool(true, 2, 0, 2)), "ERROR", "no member up");
    is_str(NAME(pool(true, 2, 0, 0)), "ERROR", "every member disabled: nothing to serve");
    is_str(NAME(pool(true, 3, 2, 0)), "ONLINE", "a disabled member does not degrade the pool");
    is_str(NAME(pool(true, 0, 0, 0)), "ONLINE", "no members at all (HAProxy: backend UP)");
    is_str(NAME(pool(false, 2, 0, 2)), "OFFLINE", "disabled or unused pools are OFFLINE");
}

static void test_listener_and_lb(void)
{
    enum bl_opstatus lb;

    is_str(NAME(bl_status_listener(true, -1, 1000)), "ONLINE", "no limit");
    is_str(NAME(bl_status_listener(true, 10, 9)), "ONLINE", "under connection_limit");
    is_str(NAME(bl_status_listener(true, 10, 10)), "DEGRADED", "at connection_limit (FULL)");
    is_str(NAME(bl_status_listener(false, -1, 0)), "OFFLINE", "disabled");

    lb = bl_status_lb_fold(BL_OP_ONLINE, BL_OP_ONLINE);
    is_str(NAME(lb), "ONLINE", "LB with an ONLINE child");
    lb = bl_status_lb_fold(lb, BL_OP_DEGRADED);
    is_str(NAME(lb), "DEGRADED", "a DEGRADED child degrades the LB");
    lb = bl_status_lb_fold(lb, BL_OP_ERROR);
    is_str(NAME(lb), "ERROR", "a pool in ERROR puts the LB in ERROR, even when degraded");
    lb = bl_status_lb_fold(lb, BL_OP_DEGRADED);
    is_str(NAME(lb), "ERROR", "and a later DEGRADED child does not lower it");
    is_str(NAME(bl_status_lb_fold(BL_OP_OFFLINE, BL_OP_ERROR)), "OFFLINE",
           "a disabled LB stays OFFLINE");
    is_str(NAME(bl_status_lb_fold(BL_OP_ONLINE, BL_OP_OFFLINE)), "ONLINE",
           "an OFFLINE child does not change the LB");
}

/* On a real snapshot (no listeners, so no sockets): pools not in use are OFFLINE,
 * members take their status from configuration and shared state. */
static void test_snapshot(void)
{
    const char *json =
        "{\"loadbalancer\": {\"name\": \"lb\", \"vip_address\": \"127.0.0.1\", \"pools\": ["
        " {\"name\": \"p\", \"protocol\": \"TCP\", \"lb_algorithm\": \"ROUND_ROBIN\","
        "  \"healthmonitor\": {\"type\": \"TCP\", \"delay\": 2, \"timeout\": 1, \"max_retries\": "
        "1},"
        "  \"members\": [{\"address\": \"127.0.0.1\", \"protocol_port\": 1},"
        "   {\"address\": \"127.0.0.1\", \"protocol_port\": 2, \"weight\": 0},"
        "   {\"address\": \"127.0.0.1\", \"protocol_port\": 3, \"admin_state_up\": false}]}]}}";
    struct bl_err err = {0};
    struct bl_cfg *cfg;
    struct bl_snapshot *s;
    struct bl_snap_pool *sp;

    if (!ok(bl_cfg_parse(json, strlen(json), &cfg, &err) == 0, "config parses") ||
        !ok(bl_snapshot_build(cfg, 1, 1, &s, &err, NULL) == 0, "snapshot builds")) {
        diag("%s", err.msg);
        return;
    }
    sp = &s->pools[0];
    is_str(NAME(bl_status_of_member(s, sp, 0)), "ONLINE", "monitored member, not down");
    is_str(NAME(bl_status_of_member(s, sp, 1)), "DRAINING", "weight 0");
    is_str(NAME(bl_status_of_member(s, sp, 2)), "OFFLINE", "admin down");
    atomic_store(&sp->members[0].st->health, BL_HEALTH_DOWN);
    is_str(NAME(bl_status_of_member(s, sp, 0)), "ERROR", "down once the checks say so");
    is_str(NAME(bl_status_of_pool(s, sp)), "OFFLINE", "no listener uses the pool: OFFLINE");
    is_str(NAME(bl_status_of_lb(s, &s->cfg->lbs[0])), "ONLINE",
           "an unused pool does not affect the LB");
    bl_snapshot_unref(s);
    is_int(bl_registry_count(), 0, "nothing left in the registry");
}

int main(void)
{
    test_member();
    test_pool();
    test_listener_and_lb();
    test_snapshot();
    return done_testing();
}
