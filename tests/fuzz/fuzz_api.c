/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the REST API below the socket: the input is what a
 * client sends on one connection (one request or several, pipelined); it
 * goes through the server's framing (api/server.c bl_api_serve) into the
 * API (api/api.c) over a real SQLite store, the agent and its data plane,
 * all made once per process and kept between inputs.
 *
 * The first input byte picks the API: noauth (every caller an admin), or
 * Keystone tokens (api/auth.h). In the rest, these placeholders become the
 * ids of the objects seeded in the store (re-seeded when an input removed
 * them) and the tokens of the users, so that a request can reach real rows:
 *   feedf00d-0000-4000-8000-00000000000{1,2,3,4}  load balancer, listener,
 *                                                 pool, member
 *   feedf00d0...0{1,2,3} (64 characters)          token of admin, member,
 *                                                 observer
 * Load balancers are created with the no-op provider, so the agent opens no
 * socket: one an input asks of the ballast provider (still validated as
 * ballast runs it) is switched to no-op before the agent sees it, and the
 * number of open sockets is checked after every input.
 *
 * Contracts: every response parses as HTTP with a status in 100..599 and
 * the length it announces; an error (>= 400) has a JSON body in one of the
 * shapes Octavia's API and Keystone use; a JSON body parses; and once the
 * agent has settled, the store is consistent (sanity queries below).
 * `make fuzz` builds it with clang; `make unit` replays the corpus.
 */
#include <dirent.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "api/api.h"
#include "api/auth.h"
#include "api/networks.h"
#include "api/server.h"
#include "core/log.h"
#include "http/http1.h"
#include "store/store.h"

#define PH_ID "feedf00d-0000-4000-8000-00000000000"
#define PH_TOKEN "feedf00d0000000000000000000000000000000000000000000000000000000"
#define NSEED 4
#define NUSERS 3
#define MAX_LBS 48 /* more and the store is emptied, so listings stay fast */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char users_json[] =
    "{\"users\": {\"admin\": {\"password\": \"pw\", \"project\": \"admin\", \"roles\": "
    "[\"admin\"]},"
    " \"alice\": {\"password\": \"pw\", \"project\": \"demo\", \"roles\": "
    "[\"load-balancer_member\"]},"
    " \"olga\": {\"password\": \"pw\", \"project\": \"demo\", \"roles\": [\"reader\"]}}}";

static const char networks_json[] =
    "{\"networks\": [{\"id\": \"6a1d2c1e-1111-4c1b-9d7e-0d1f4b0e9a10\", \"name\": \"ext\","
    " \"subnets\": [{\"id\": \"6a1d2c1e-1111-4c1b-9d7e-0d1f4b0e9a11\", \"name\": \"ext-v4\","
    " \"cidr\": \"198.51.100.0/24\"}]}]}";

static struct {
    char dir[64], db[96];
    struct bl_loop *loop;
    struct bl_store *st;
    struct bl_agent *agent;
    struct bl_networks nw;
    struct bl_auth *auth;
    struct bl_api *noauth, *keystone;
    sqlite3 *sql; /* the harness's own connection, for the sanity queries */
    char seed[NSEED][37];
    char token[NUSERS][65];
    char demo_project[33];
    int sockets; /* open after set-up */
} g;

static void check(bool cond)
{
    if (!cond)
        __builtin_trap();
}

static int count_sockets(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    check(d != NULL);
    while ((e = readdir(d)) != NULL) {
        char path[300], target[64];
        ssize_t k;
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        k = readlink(path, target, sizeof(target) - 1);
        n += k > 7 && memcmp(target, "socket:", 7) == 0;
    }
    closedir(d);
    return n;
}

static int64_t sql_int(const char *q)
{
    sqlite3_stmt *s;
    int64_t v = -1;

    check(sqlite3_prepare_v2(g.sql, q, -1, &s, NULL) == SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void sql_exec(const char *q)
{
    check(sqlite3_exec(g.sql, q, NULL, NULL, NULL) == SQLITE_OK);
}

/* ---- responses ---- */

static bool has_string(json_t *o, const char *key)
{
    return json_is_string(json_object_get(o, key));
}

/* Octavia's fault, the web framework's error, or Keystone's error. */
static bool error_shape(json_t *doc, int status)
{
    json_t *k = json_object_get(doc, "error");

    if (has_string(doc, "faultcode") && has_string(doc, "faultstring"))
        return true;
    if (json_integer_value(json_object_get(doc, "code")) == status && has_string(doc, "title") &&
        has_string(doc, "description"))
        return true;
    return json_integer_value(json_object_get(k, "code")) == status && has_string(k, "title") &&
           has_string(k, "message");
}

/* Checks each response in out[0..len); returns how many there were. */
static int check_responses(const char *out, size_t len)
{
    size_t off = 0;
    int n = 0;

    while (off < len) {
        struct bl_http_header hdrs[16];
        struct bl_http_resp r = {.headers = hdrs, .headers_cap = 16};
        ssize_t head = bl_http1_parse_response(out + off, len - off, 0, NULL, 0, &r, NULL);
        size_t body_len;
        check(head > 0 && r.status >= 100 && r.status <= 599);
        check(r.body == BL_HTTP_BODY_LENGTH || (r.body == BL_HTTP_BODY_NONE && r.status == 204));
        body_len = r.content_length > 0 ? (size_t)r.content_length : 0;
        check((size_t)head + body_len <= len - off);
        if (body_len > 0 || r.status >= 400) {
            json_t *doc = json_loadb(out + off + head, body_len, JSON_DECODE_ANY, NULL);
            check(doc != NULL);
            check(r.status < 400 || error_shape(doc, r.status));
            json_decref(doc);
        }
        off += (size_t)head + body_len;
        n++;
    }
    return n;
}

/* ---- requests ---- */

/* Replaces the placeholders in buf[0..len) (same lengths: framing is unchanged). */
static void substitute(char *buf, size_t len)
{
    for (size_t i = 0; i + 36 <= len; i++) {
        if (buf[i] != 'f')
            continue;
        if (memcmp(buf + i, PH_ID, 35) == 0 && buf[i + 35] >= '1' && buf[i + 35] <= '0' + NSEED)
            memcpy(buf + i, g.seed[buf[i + 35] - '1'], 36);
        else if (i + 64 <= len && memcmp(buf + i, PH_TOKEN, 63) == 0 && buf[i + 63] >= '1' &&
                 buf[i + 63] <= '0' + NUSERS)
            memcpy(buf + i, g.token[buf[i + 63] - '1'], 64);
    }
}

/* Serves buf[0..len) on one connection; returns the responses (malloc'd). */
static char *serve(struct bl_api *api, const char *buf, size_t len, size_t *out_len)
{
    char *out = NULL;
    bool close = false;
    size_t used;

    *out_len = 0;
    used = bl_api_serve(bl_api_handle, api, buf, len, &out, out_len, &close);
    check(used <= len);
    return out;
}

/* The id of the created object in a 201 answer `out`, wrapped as `key`. */
static bool created_id(const char *out, size_t len, const char *key, char id[37])
{
    struct bl_http_header hdrs[16];
    struct bl_http_resp r = {.headers = hdrs, .headers_cap = 16};
    ssize_t head = bl_http1_parse_response(out, len, 0, NULL, 0, &r, NULL);
    json_t *doc;
    const char *s;

    if (head <= 0 || r.status != 201)
        return false;
    doc = json_loadb(out + head, len - (size_t)head, 0, NULL);
    s = json_string_value(json_object_get(json_object_get(doc, key), "id"));
    if (s)
        snprintf(id, 37, "%s", s);
    json_decref(doc);
    return s != NULL;
}

static bool seed_one(int i, const char *path, const char *key, const char *body)
{
    char req[1024], *out;
    size_t out_len;
    bool ok;
    int n = snprintf(req, sizeof(req),
                     "POST %s HTTP/1.1\r\nHost: fuzz\r\nX-Project-Id: %s\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     path, g.demo_project, strlen(body), body);

    out = serve(g.noauth, req, (size_t)n, &out_len);
    ok = created_id(out, out_len, key, g.seed[i]);
    free(out);
    bl_loop_drain(g.loop); /* the agent settles it: the next create may lock the LB */
    return ok;
}

/* A load balancer with a listener, a pool and a member, all ACTIVE. */
static bool seed(void)
{
    char path[128], body[256];

    if (!seed_one(0, "/v2.0/lbaas/loadbalancers", "loadbalancer",
                  "{\"loadbalancer\": {\"name\": \"seed\", \"vip_subnet_id\": "
                  "\"" BL_LOOPBACK_SUBNET_ID "\", \"provider\": \"noop_driver\"}}"))
        return false;
    snprintf(body, sizeof(body),
             "{\"listener\": {\"name\": \"web\", \"protocol\": \"HTTP\", \"protocol_port\": 80, "
             "\"loadbalancer_id\": \"%s\"}}",
             g.seed[0]);
    if (!seed_one(1, "/v2.0/lbaas/listeners", "listener", body))
        return false;
    snprintf(body, sizeof(body),
             "{\"pool\": {\"name\": \"p\", \"protocol\": \"HTTP\", \"lb_algorithm\": "
             "\"ROUND_ROBIN\", \"listener_id\": \"%s\"}}",
             g.seed[1]);
    if (!seed_one(2, "/v2.0/lbaas/pools", "pool", body))
        return false;
    snprintf(path, sizeof(path), "/v2.0/lbaas/pools/%s/members", g.seed[2]);
    return seed_one(3, path, "member",
                    "{\"member\": {\"address\": \"127.0.0.1\", \"protocol_port\": 8080}}");
}

static bool seeded_rows_active(void)
{
    char q[256];

    for (int i = 0; i < NSEED; i++) {
        snprintf(q, sizeof(q),
                 "SELECT count(*) FROM objects WHERE id = '%s' AND provisioning_status = 'ACTIVE'",
                 g.seed[i]);
        if (sql_int(q) != 1)
            return false;
    }
    return true;
}

/* Keeps the seeded objects there; empties the store when it grew large, or
 * when an input made seeding impossible (a quota of 0, say). */
static void reseed(void)
{
    if (seeded_rows_active())
        return;
    if (sql_int("SELECT count(*) FROM objects WHERE kind = 'loadbalancer'") > MAX_LBS || !seed()) {
        sql_exec("DELETE FROM objects");
        bl_loop_drain(g.loop);
        check(seed());
    }
}

static void remove_db(const char *dir)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char path[128];

    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/api.db%s", dir, suffix[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* SQLite refuses writes to a database whose file went away: removed at exit. */
static void cleanup(void)
{
    remove_db(g.dir);
}

/* A run that crashed (the point of fuzzing) left its directory: removed once
 * its process is gone. */
static void remove_stale(const char *parent)
{
    DIR *d = opendir(parent);
    struct dirent *e;

    while (d && (e = readdir(d)) != NULL) {
        char dir[300], proc[64];
        int pid;
        if (sscanf(e->d_name, "bl-fuzz-api-%d", &pid) != 1)
            continue;
        snprintf(proc, sizeof(proc), "/proc/%d", pid);
        snprintf(dir, sizeof(dir), "%s/%s", parent, e->d_name);
        if (access(proc, F_OK) != 0)
            remove_db(dir);
    }
    if (d)
        closedir(d);
}

/* The store's directory, named after this process, on tmpfs when there is one
 * (each write is an fsync). */
static void make_dir(void)
{
    static const char *const parents[] = {"/dev/shm", "/tmp"};

    for (size_t i = 0; i < 2; i++) {
        remove_stale(parents[i]);
        snprintf(g.dir, sizeof(g.dir), "%s/bl-fuzz-api-%d", parents[i], (int)getpid());
        if (mkdir(g.dir, 0700) == 0)
            return;
    }
    check(false);
}

static void setup(void)
{
    struct bl_err err = {0};

    bl_log_max = BL_LOG_ERROR;
    make_dir();
    snprintf(g.db, sizeof(g.db), "%s/api.db", g.dir);
    g.loop = bl_loop_create();
    check(bl_networks_parse(networks_json, strlen(networks_json), "networks", &g.nw, &err) == 0);
    check(bl_auth_parse(users_json, strlen(users_json), "users", &g.auth, &err) == 0);
    check(bl_store_open(g.db, &g.st, &err) == 0);
    check(bl_agent_start(g.st, 1, NULL, &g.agent, &err) == 0);
    g.noauth = bl_api_create(g.loop, g.st, g.agent, &g.nw);
    g.keystone = bl_api_create(g.loop, g.st, g.agent, &g.nw);
    bl_api_set_default_provider(g.noauth, "noop_driver");
    bl_api_set_default_provider(g.keystone, "noop_driver");
    bl_api_set_auth(g.keystone, g.auth);
    check(bl_auth_login(g.auth, "admin", "pw", NULL, g.token[0]) != NULL);
    check(bl_auth_login(g.auth, "alice", "pw", NULL, g.token[1]) != NULL);
    check(bl_auth_login(g.auth, "olga", "pw", NULL, g.token[2]) != NULL);
    bl_auth_id("project", "demo", g.demo_project);
    check(sqlite3_open(g.db, &g.sql) == SQLITE_OK);
    sqlite3_busy_timeout(g.sql, 1000);
    atexit(cleanup);
    check(seed());
    g.sockets = count_sockets();
}

/* ---- after each input ---- */

/* A load balancer asked of the ballast provider runs nothing here either. */
static void noop_only(void)
{
    sql_exec("UPDATE objects SET body = json_set(body, '$.provider', 'noop_driver') "
             "WHERE kind = 'loadbalancer' AND json_extract(body, '$.provider') IS NOT "
             "'noop_driver'");
}

static const char *const sanity[] = {
    /* Nothing left pending once the agent settled (no-op objects settle at once). */
    "SELECT count(*) FROM objects WHERE provisioning_status LIKE 'PENDING%'",
    /* Children hang under a load balancer of theirs, and under the right kind of parent. */
    "SELECT count(*) FROM objects o JOIN objects l ON o.lb_id = l.id WHERE l.kind != "
    "'loadbalancer'",
    "SELECT count(*) FROM objects o WHERE kind IN ('listener', 'pool', 'member', "
    "'healthmonitor', 'l7policy', 'l7rule') AND lb_id IS NULL",
    "SELECT count(*) FROM objects o JOIN objects p ON o.parent_id = p.id WHERE "
    "p.lb_id IS NOT o.lb_id OR (o.kind IN ('member', 'healthmonitor') AND p.kind != 'pool') OR "
    "(o.kind = 'l7policy' AND p.kind != 'listener') OR (o.kind = 'l7rule' AND p.kind != "
    "'l7policy')",
    /* References in bodies name live pools of the same load balancer. */
    "SELECT count(*) FROM objects o WHERE o.kind IN ('listener', 'l7policy') AND "
    "coalesce(json_extract(o.body, '$.default_pool_id'), json_extract(o.body, "
    "'$.redirect_pool_id')) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM objects p WHERE p.id = "
    "coalesce(json_extract(o.body, '$.default_pool_id'), json_extract(o.body, "
    "'$.redirect_pool_id')) AND p.kind = 'pool' AND p.lb_id = o.lb_id)",
    /* One health monitor per pool; one member per address and port in a pool. */
    "SELECT count(*) FROM (SELECT parent_id FROM objects WHERE kind = 'healthmonitor' GROUP BY "
    "parent_id HAVING count(*) > 1)",
    "SELECT count(*) FROM (SELECT 1 FROM objects WHERE kind = 'member' GROUP BY parent_id, "
    "json_extract(body, '$.address'), json_extract(body, '$.protocol_port') HAVING count(*) > "
    "1)",
    "SELECT count(*) FROM objects WHERE kind = 'loadbalancer' AND json_extract(body, "
    "'$.provider') IS NOT 'noop_driver'",
};

static void check_store(void)
{
    for (size_t i = 0; i < sizeof(sanity) / sizeof(sanity[0]); i++) {
        if (sql_int(sanity[i]) != 0) {
            fprintf(stderr, "store inconsistent: %s\n", sanity[i]);
            check(false);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *out;
    size_t out_len;

    if (g.loop == NULL)
        setup();
    if (size < 1)
        return 0;
    buf = malloc(size - 1 ? size - 1 : 1); /* exact size: ASan sees any over-read */
    check(buf != NULL);
    memcpy(buf, data + 1, size - 1);
    substitute(buf, size - 1);
    out = serve(data[0] & 1 ? g.keystone : g.noauth, buf, size - 1, &out_len);
    check_responses(out, out_len);
    if (getenv("BL_FUZZ_API_VERBOSE")) /* to see what a corpus input gets */
        fwrite(out, 1, out_len, stderr);
    free(out);
    free(buf);
    noop_only();
    bl_loop_drain(g.loop); /* the agent syncs and settles */
    check(count_sockets() <= g.sockets);
    check_store();
    reseed();
    return 0;
}
