/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/proxy/prom.c: the exposition of one load balancer part,
 * on a real snapshot (no listeners, so no sockets) with counters set by hand. */
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "config/registry.h"
#include "proxy/prom.h"
#include "tap.h"

static const char *config =
    "{\"loadbalancer\": {\"name\": \"shop \\\"A\\\\B\\\"\\nx\", \"id\": \"lb-1\","
    " \"vip_address\": \"127.0.0.1\", \"pools\": ["
    " {\"name\": \"p\", \"id\": \"pool-1\", \"protocol\": \"TCP\", \"lb_algorithm\": "
    "\"ROUND_ROBIN\","
    "  \"healthmonitor\": {\"type\": \"TCP\", \"delay\": 2, \"timeout\": 1, \"max_retries\": 1},"
    "  \"members\": [{\"address\": \"127.0.0.1\", \"protocol_port\": 1, \"id\": \"m-1\","
    "    \"name\": \"one\"},"
    "   {\"address\": \"127.0.0.2\", \"protocol_port\": 2, \"weight\": 0, \"name\": \"two\"},"
    "   {\"address\": \"127.0.0.3\", \"protocol_port\": 3, \"admin_state_up\": false,"
    "    \"name\": \"three\"}]},"
    " {\"name\": \"q\", \"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"}]}}";

/* Every line is "# HELP name ...", "# TYPE name ...", or a sample of the family
 * whose HELP and TYPE came last; a family's HELP and TYPE come once. */
static void check_shape(const char *text)
{
    char family[128] = "", *copy = strdup(text), *save = NULL;
    int lines = 0, bad = 0, helps = 0, types = 0;

    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++) {
        size_t n = strlen(family);
        if (strncmp(l, "# HELP ", 7) == 0) {
            char *sp = strchr(l + 7, ' ');
            bad += sp == NULL || (size_t)(sp - (l + 7)) >= sizeof(family);
            if (sp) {
                memcpy(family, l + 7, (size_t)(sp - (l + 7)));
                family[sp - (l + 7)] = '\0';
            }
            helps++;
        } else if (strncmp(l, "# TYPE ", 7) == 0) {
            bad += strncmp(l + 7, family, n) != 0 ||
                   (strcmp(l + 7 + n, " counter") != 0 && strcmp(l + 7 + n, " gauge") != 0);
            types++;
        } else {
            bad += n == 0 || strncmp(l, family, n) != 0 || l[n] != '{' || strstr(l, "} ") == NULL;
        }
    }
    ok(lines > 50 && bad == 0, "every line is HELP, TYPE or a sample of its family (%d bad)", bad);
    is_int(helps, types, "one TYPE per HELP");
    free(copy);
}

static void has(const char *text, const char *line, const char *what)
{
    char *want = malloc(strlen(line) + 3);

    sprintf(want, "\n%s\n", line);
    ok(strstr(text, want) != NULL, "%s", what);
    if (!strstr(text, want))
        diag("missing: %s", line);
    free(want);
}

int main(void)
{
    struct bl_err err = {0};
    struct bl_prom_text t = {0};
    struct bl_cfg *cfg;
    struct bl_snapshot *s;
    struct bl_member_state *st;

    if (!ok(bl_cfg_parse(config, strlen(config), &cfg, &err) == 0, "config parses") ||
        !ok(bl_snapshot_build(cfg, 1, 1, &s, &err, NULL) == 0, "snapshot builds")) {
        diag("%s", err.msg);
        return done_testing();
    }
    st = s->pools[0].members[0].st;
    bl_stat_add(st->bytes_in, 1234);
    bl_stat_add(st->total, 7);
    bl_stat_add(s->pools[0].members[1].st->conn_errors, 2);
    bl_prom_render(s->parts[0], &t);
    ok(t.p != NULL && t.len == strlen(t.p) && t.p[t.len - 1] == '\n', "text ends with a newline");
    check_shape(t.p);
    has(t.p,
        "octavia_member_bytes_in_total{loadbalancer=\"lb-1\",pool=\"pool-1\",member=\"m-1\","
        "member_name=\"one\",address=\"127.0.0.1\",port=\"1\"} 1234",
        "member counter with its labels");
    has(t.p,
        "octavia_pool_sessions_total{loadbalancer=\"lb-1\",pool=\"pool-1\",pool_name=\"p\","
        "protocol=\"TCP\"} 7",
        "pool sums its members");
    has(t.p,
        "octavia_pool_connection_errors_total{loadbalancer=\"lb-1\",pool=\"pool-1\","
        "pool_name=\"p\",protocol=\"TCP\"} 2",
        "pool sums connection errors");
    has(t.p,
        "octavia_loadbalancer_listeners{loadbalancer=\"lb-1\","
        "loadbalancer_name=\"shop \\\"A\\\\B\\\"\\nx\"} 0",
        "label values escaped (quote, backslash, line feed)");
    has(t.p,
        "octavia_member_status{loadbalancer=\"lb-1\",pool=\"pool-1\",member=\"\","
        "member_name=\"two\",address=\"127.0.0.2\",port=\"2\"} 3",
        "weight 0: DRAIN");
    has(t.p,
        "octavia_member_status{loadbalancer=\"lb-1\",pool=\"pool-1\",member=\"\","
        "member_name=\"three\",address=\"127.0.0.3\",port=\"3\"} 2",
        "disabled: OFFLINE");
    has(t.p,
        "octavia_pool_status{loadbalancer=\"lb-1\",pool=\"pool-1\",pool_name=\"p\","
        "protocol=\"TCP\"} 0",
        "a pool no listener uses is OFFLINE: 0");
    ok(strstr(t.p, "pool_name=\"q\"") != NULL && strstr(t.p, "pool=\"\"") == NULL,
       "a pool without id is labelled with its key");
    ok(strstr(t.p, "octavia_listener_status{") == NULL, "no listener, no listener sample");
    free(t.p);

    atomic_store(&st->health, BL_HEALTH_DOWN);
    t = (struct bl_prom_text){0};
    bl_prom_render(s->parts[0], &t);
    has(t.p,
        "octavia_member_status{loadbalancer=\"lb-1\",pool=\"pool-1\",member=\"m-1\","
        "member_name=\"one\",address=\"127.0.0.1\",port=\"1\"} 0",
        "down by health checks: ERROR (0)");
    has(t.p,
        "ballast_member_operating_status{loadbalancer=\"lb-1\",pool=\"pool-1\","
        "member=\"m-1\",member_name=\"one\",address=\"127.0.0.1\",port=\"1\","
        "operating_status=\"ERROR\"} 1",
        "operating status state set");
    free(t.p);
    bl_snapshot_unref(s);
    is_int(bl_registry_count(), 0, "nothing left in the registry");
    return done_testing();
}
