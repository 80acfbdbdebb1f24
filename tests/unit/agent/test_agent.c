/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/agent/agent.c: a real store file, a real data plane
 * with worker threads, real sockets on 127.0.0.1. Shows that provisioning
 * status only turns ACTIVE once the listener accepts, that a port in use
 * puts only its own load balancer in ERROR, and that deletes close ports.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/agent.h"
#include "proxy/dataplane.h"
#include "tap.h"

static struct bl_store *st;
static struct bl_arena *arena;

/* A port nobody listens on; `*fd` keeps it reserved until the caller closes it. */
static uint16_t free_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);

    *fd = socket(AF_INET, SOCK_STREAM, 0);
    bind(*fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(*fd, (struct sockaddr *)&a, &len);
    return ntohs(a.sin_port);
}

static bool port_accepts(uint16_t port)
{
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

    close(fd);
    return ok;
}

/* Workers let go of a removed listener's socket when they switch snapshots,
 * a moment after the sync: wait (bounded) for the port to close. */
static bool port_closes(uint16_t port)
{
    for (int i = 0; i < 200; i++) {
        if (!port_accepts(port))
            return true;
        usleep(10000);
    }
    return false;
}

static void put(const char *kind, const char *id, const char *lb, const char *parent,
                const char *body)
{
    struct bl_store_row r = {.kind = kind,
                             .id = id,
                             .lb_id = lb,
                             .parent_id = parent,
                             .project_id = "p",
                             .provisioning_status = "PENDING_CREATE",
                             .operating_status = "OFFLINE",
                             .created_at = "2026-11-22T08:00:00",
                             .body = body};
    struct bl_err err = {0};

    bl_store_begin(st, NULL);
    if (bl_store_insert(st, &r, &err) < 0)
        diag("insert %s: %s", id, err.msg);
    bl_store_commit(st, NULL);
}

static const char *status(const char *id, bool operating)
{
    struct bl_store_row r;

    if (bl_store_get(st, NULL, id, arena, &r, NULL) < 0)
        return "(gone)";
    return operating ? r.operating_status : r.provisioning_status;
}

static void add_lb(const char *lb, uint16_t port, const char *member_admin)
{
    char body[256], id[64];

    put("loadbalancer", lb, NULL, NULL, "{\"name\":\"x\",\"vip_address\":\"127.0.0.1\"}");
    snprintf(id, sizeof(id), "%s-pool", lb);
    put("pool", id, lb, NULL, "{\"protocol\":\"TCP\",\"lb_algorithm\":\"ROUND_ROBIN\"}");
    snprintf(body, sizeof(body),
             "{\"address\":\"127.0.0.1\",\"protocol_port\":9,\"admin_state_up\":%s}", member_admin);
    snprintf(id, sizeof(id), "%s-m", lb);
    snprintf(body + 200, 56, "%s-pool", lb);
    put("member", id, lb, body + 200, body);
    snprintf(body, sizeof(body),
             "{\"protocol\":\"TCP\",\"protocol_port\":%u,\"default_pool_id\":\"%s-pool\"}", port,
             lb);
    snprintf(id, sizeof(id), "%s-l", lb);
    put("listener", id, lb, NULL, body);
}

static void set_body(const char *id, const char *prov, const char *body)
{
    struct bl_store_row r;

    bl_store_get(st, NULL, id, arena, &r, NULL);
    r.provisioning_status = prov;
    r.body = body;
    bl_store_begin(st, NULL);
    bl_store_update(st, &r, NULL);
    bl_store_commit(st, NULL);
}

static void set_status(const char *id, const char *prov, const char *oper)
{
    bl_store_begin(st, NULL);
    bl_store_set_status(st, id, prov, oper, NULL);
    bl_store_commit(st, NULL);
}

static struct bl_snapshot *current(struct bl_agent *agent)
{
    return bl_dataplane_snapshot(bl_agent_dataplane(agent));
}

/* The part of `snap` for load balancer `id`, or NULL. */
static const struct bl_snap_lb *part_of(const struct bl_snapshot *snap, const char *id)
{
    for (uint32_t i = 0; i < snap->nparts; i++) {
        if (strcmp(snap->parts[i]->lb->id, id) == 0)
            return snap->parts[i];
    }
    return NULL;
}

/* The member ports of `lb`'s first pool in `snap`, e.g. "9,11"; "-" when the LB does not run. */
static const char *members_of(const struct bl_snapshot *snap, const char *lb)
{
    static char buf[128];
    const struct bl_snap_lb *p = part_of(snap, lb);
    size_t n = 0;

    buf[0] = '\0';
    if (p == NULL || p->npools == 0)
        return "-";
    for (uint32_t i = 0; i < p->pools[0].nmembers; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? "," : "",
                              ntohs(p->pools[0].members[i].cfg->addr.u.in4.sin_port));
    return buf;
}

/*
 * An API change re-applies only the load balancer it touched: among many,
 * change a member of one and check that its part is rebuilt with the new
 * member while every other part is the very same object; status-only writes
 * build nothing; deletes, re-creates and a restart land where a full
 * rebuild would.
 */
static void test_incremental(const char *dir)
{
    enum { N = 12 };
    struct bl_agent *agent;
    struct bl_err err = {0};
    const struct bl_snap_lb *before[N];
    struct bl_snapshot *snap;
    uint16_t ports[N];
    char id[32], mid[40];
    uint64_t gen;
    int same = 0;

    for (int i = 0; i < N; i++) {
        int fd;
        ports[i] = free_port(&fd);
        close(fd);
        snprintf(id, sizeof(id), "n%d", i);
        add_lb(id, ports[i], "true");
    }
    is_int(bl_agent_start(st, 2, NULL, &agent, &err), 0, "an agent starts on a store of many LBs");
    snap = current(agent);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "n%d", i);
        before[i] = part_of(snap, id);
    }
    ok(before[0] && before[N - 1] && port_accepts(ports[5]), "every LB runs after the start");
    is_str(status("n5-m", false), "ACTIVE", "the start settled their statuses");

    /* Change the member of n7: only n7's part is new. */
    set_body("n7-m", "PENDING_UPDATE",
             "{\"address\":\"127.0.0.1\",\"protocol_port\":11,\"admin_state_up\":true}");
    set_status("n7", "PENDING_UPDATE", NULL);
    is_int(bl_agent_sync(agent, &err), 0, "sync one member change");
    snap = current(agent);
    is_str(members_of(snap, "n7"), "11", "n7 runs its new member");
    ok(part_of(snap, "n7") != before[7], "n7's part was rebuilt");
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "n%d", i);
        same += i != 7 && part_of(snap, id) == before[i];
    }
    is_int(same, N - 1, "every other LB's part is the same object");
    is_str(status("n7-m", false), "ACTIVE", "the member is ACTIVE");
    is_str(status("n7", false), "ACTIVE", "and its LB");
    ok(port_accepts(ports[7]) && port_accepts(ports[6]), "the listeners kept serving");

    /* Status-only writes (the health checker's) build nothing. */
    gen = snap->generation;
    set_status("n3-m", NULL, "ERROR");
    is_int(bl_agent_sync(agent, &err), 0, "sync a status-only write");
    is_int((int)current(agent)->generation, (int)gen, "no new snapshot for a status write");

    /* Two changes in one sync, on two LBs. */
    put("member", "n2-m2", "n2", "n2-pool", "{\"address\":\"127.0.0.1\",\"protocol_port\":12}");
    set_body("n9-m", "PENDING_UPDATE",
             "{\"address\":\"127.0.0.1\",\"protocol_port\":13,\"admin_state_up\":true}");
    is_int(bl_agent_sync(agent, &err), 0, "sync changes to two LBs at once");
    snap = current(agent);
    is_str(members_of(snap, "n2"), "9,12", "n2 gained a member");
    is_str(members_of(snap, "n9"), "13", "n9's member moved");
    is_str(members_of(snap, "n7"), "11", "n7 kept its change");

    /* A member deleted (PENDING_DELETE, then removed by the agent). */
    set_status("n2-m", "PENDING_DELETE", NULL);
    is_int(bl_agent_sync(agent, &err), 0, "sync a member delete");
    is_str(members_of(current(agent), "n2"), "12", "the deleted member is gone from n2");
    is_str(status("n2-m", false), "(gone)", "and from the store");

    /* A load balancer deleted, then one created again on its port. */
    set_status("n4", "PENDING_DELETE", NULL);
    is_int(bl_agent_sync(agent, &err), 0, "sync an LB delete");
    is_str(members_of(current(agent), "n4"), "-", "n4 no longer runs");
    ok(port_closes(ports[4]), "its port closes");
    add_lb("n4b", ports[4], "true");
    is_int(bl_agent_sync(agent, &err), 0, "sync a new LB on the freed port");
    ok(port_accepts(ports[4]), "the port serves again");
    is_str(status("n4b", false), "ACTIVE", "the new LB is ACTIVE");

    /* Written back to what it was: a new part, same content as the first. */
    set_body("n7-m", "PENDING_UPDATE",
             "{\"address\":\"127.0.0.1\",\"protocol_port\":9,\"admin_state_up\":true}");
    is_int(bl_agent_sync(agent, &err), 0, "sync n7's member back");
    is_str(members_of(current(agent), "n7"), "9", "n7 runs its first member again");

    /* A restart rebuilds the same thing from the store. */
    snprintf(mid, sizeof(mid), "%s", members_of(current(agent), "n2"));
    bl_agent_stop(agent);
    ok(port_closes(ports[0]), "the stopped agent's ports close");
    is_int(bl_agent_start(st, 2, NULL, &agent, &err), 0, "restart");
    snap = current(agent);
    is_str(members_of(snap, "n2"), mid, "n2 as before the restart");
    is_str(members_of(snap, "n9"), "13", "n9 as before the restart");
    is_str(members_of(snap, "n4"), "-", "n4 still gone");
    ok(port_accepts(ports[4]) && port_accepts(ports[11]), "every port serves again");
    bl_agent_stop(agent);
    (void)dir;
}

static int rollup(struct bl_agent *agent, const char *lb)
{
    struct bl_err err = {0};
    int n;

    bl_store_begin(st, NULL);
    n = bl_agent_rollup(agent, lb, &err);
    bl_store_commit(st, NULL);
    if (n < 0)
        diag("rollup: %s", err.msg);
    return n;
}

static void eject(const struct bl_snap_pool *sp, uint32_t i, bool on)
{
    atomic_store(&sp->members[i].st->ejected, on ? 1 : 0);
}

/*
 * The roll-up (agent/rollup.h): pool, listener and load balancer statuses
 * follow the members' shared state, only differences are written, a status
 * write rebuilds nothing, and settling a change keeps what health decided.
 */
static void test_rollup(void)
{
    struct bl_agent *agent;
    struct bl_err err = {0};
    const struct bl_snap_lb *part;
    const struct bl_snap_pool *sp;
    uint64_t gen;
    int fd;
    uint16_t port = free_port(&fd);

    close(fd);
    add_lb("r1", port, "true");
    put("member", "r1-m2", "r1", "r1-pool", "{\"address\":\"127.0.0.1\",\"protocol_port\":10}");
    put("pool", "r1-spare", "r1", NULL, "{\"protocol\":\"TCP\",\"lb_algorithm\":\"ROUND_ROBIN\"}");
    is_int(bl_agent_start(st, 1, NULL, &agent, &err), 0, "rollup: the agent starts");
    is_str(status("r1", true), "ONLINE", "LB ONLINE with every member up");
    is_str(status("r1-pool", true), "ONLINE", "its pool ONLINE (NO_MONITOR members count as up)");
    is_str(status("r1-spare", true), "OFFLINE", "a pool no listener uses is OFFLINE (Octavia)");
    is_int(rollup(agent, "r1"), 0, "nothing to write when nothing moved");

    part = part_of(current(agent), "r1");
    sp = &part->pools[0];
    gen = current(agent)->generation;
    eject(sp, 0, true);
    is_int(rollup(agent, "r1"), 2, "one member out: the pool and the LB are written");
    is_str(status("r1-pool", true), "DEGRADED", "pool DEGRADED");
    is_str(status("r1", true), "DEGRADED", "LB DEGRADED");
    is_str(status("r1-l", true), "ONLINE", "the listener stays ONLINE (Octavia)");
    is_int(rollup(agent, "r1"), 0, "and once only");
    is_int(bl_agent_sync(agent, &err), 0, "sync after status writes");
    ok(current(agent)->generation == gen && part_of(current(agent), "r1") == part,
       "status writes rebuild nothing");

    eject(sp, 1, true);
    is_int(rollup(agent, "r1"), 2, "every member out");
    is_str(status("r1-pool", true), "ERROR", "pool ERROR");
    is_str(status("r1", true), "ERROR", "LB ERROR");

    /* A change settles while health says ERROR: it stays ERROR. */
    {
        char body[160];
        snprintf(body, sizeof(body),
                 "{\"name\":\"renamed\",\"protocol\":\"TCP\",\"protocol_port\":%u,"
                 "\"default_pool_id\":\"r1-pool\"}",
                 port);
        set_body("r1-l", "PENDING_UPDATE", body);
    }
    set_status("r1", "PENDING_UPDATE", NULL);
    is_int(bl_agent_sync(agent, &err), 0, "sync a listener change");
    is_str(status("r1", false), "ACTIVE", "the change settled");
    is_str(status("r1", true), "ERROR", "and the LB kept the health-derived ERROR");
    is_str(status("r1-l", true), "ONLINE", "the listener is ONLINE");

    sp = &part_of(current(agent), "r1")->pools[0]; /* a new part: the same member states */
    eject(sp, 0, false);
    eject(sp, 1, false);
    is_int(rollup(agent, "r1"), 2, "members back");
    is_str(status("r1", true), "ONLINE", "LB ONLINE again");
    bl_agent_stop(agent);
}

/* An HTTP listener with a policy and a rule renders as the parser reads them;
 * a policy that names another load balancer's pool is refused. */
static void test_l7_render(void)
{
    struct bl_err err = {0};
    char *doc;

    put("loadbalancer", "l7lb", NULL, NULL, "{\"name\":\"l7\",\"vip_address\":\"127.0.0.1\"}");
    put("pool", "l7p", "l7lb", NULL, "{\"protocol\":\"HTTP\",\"lb_algorithm\":\"ROUND_ROBIN\"}");
    put("listener", "l7l", "l7lb", NULL, "{\"protocol\":\"HTTP\",\"protocol_port\":80}");
    put("l7policy", "l7pol", "l7lb", "l7l",
        "{\"action\":\"REDIRECT_TO_POOL\",\"redirect_pool_id\":\"l7p\",\"position\":1,"
        "\"redirect_url\":null,\"redirect_prefix\":null,\"redirect_http_code\":null}");
    put("l7rule", "l7r", "l7lb", "l7pol",
        "{\"type\":\"PATH\",\"compare_type\":\"REGEX\",\"value\":\"^/a\",\"key\":null,"
        "\"invert\":false}");
    doc = bl_agent_render(st, NULL, &err);
    ok(doc && strstr(doc, "\"l7policies\":[{\"action\":\"REDIRECT_TO_POOL\"") &&
           strstr(doc, "\"rules\":[{\"type\":\"PATH\""),
       "listeners render their L7 policies with their rules");
    if (doc == NULL || strstr(doc, "\"rules\":[{") == NULL)
        diag("doc: %s / %s", doc ? doc : "(null)", err.msg);
    free(doc);
    is_int(bl_agent_check_lb(st, "l7lb", NULL, &err), 0, "the load balancer parses");
    if (err.msg[0])
        diag("%s", err.msg);

    put("loadbalancer", "l7lb2", NULL, NULL, "{\"name\":\"o\",\"vip_address\":\"127.0.0.2\"}");
    put("listener", "l7l2", "l7lb2", NULL, "{\"protocol\":\"HTTP\",\"protocol_port\":80}");
    put("l7policy", "l7pol2", "l7lb2", "l7l2",
        "{\"action\":\"REDIRECT_TO_POOL\",\"redirect_pool_id\":\"l7p\",\"position\":1}");
    is_int(bl_agent_check_lb(st, "l7lb2", NULL, &err), -EINVAL,
           "a policy redirecting to another load balancer's pool is refused");
    is_str(err.msg,
           "loadbalancer.listeners[0].l7policies[0].redirect_pool_id: no pool with id 'l7p' in "
           "this load balancer",
           "the error names the JSON path");
    bl_store_begin(st, NULL);
    bl_store_delete(st, "l7lb", NULL);
    bl_store_delete(st, "l7lb2", NULL);
    bl_store_commit(st, NULL);
}

int main(void)
{
    char path[] = "/tmp/bl-agent-XXXXXX", db[300];
    struct bl_agent *agent;
    struct bl_err err = {0};
    int fd1, fd2;
    uint16_t port = free_port(&fd1), port2 = free_port(&fd2);
    char *doc;

    close(fd1);
    close(fd2);

    arena = bl_arena_create();
    mkdtemp(path);
    snprintf(db, sizeof(db), "%s/ballast.db", path);
    bl_store_open(db, &st, NULL);
    is_int(bl_agent_start(st, 2, NULL, &agent, &err), 0, "agent starts on an empty store");

    put("loadbalancer", "lb1", NULL, NULL, "{\"name\":\"lb\",\"vip_address\":\"127.0.0.1\"}");
    put("pool", "p1", "lb1", NULL, "{\"protocol\":\"TCP\",\"lb_algorithm\":\"ROUND_ROBIN\"}");
    put("member", "m1", "lb1", "p1", "{\"address\":\"127.0.0.1\",\"protocol_port\":9}");
    put("member", "m2", "lb1", "p1",
        "{\"address\":\"127.0.0.1\",\"protocol_port\":10,\"admin_state_up\":false}");
    {
        char body[128];
        snprintf(body, sizeof(body),
                 "{\"protocol\":\"TCP\",\"protocol_port\":%u,\"default_pool_id\":\"p1\"}", port);
        put("listener", "l1", "lb1", NULL, body);
    }
    doc = bl_agent_render(st, NULL, &err);
    ok(doc && strstr(doc, "\"default_pool_id\":\"p1\"") && strstr(doc, "\"members\":[{"),
       "the store renders as a fully-populated document");
    if (doc == NULL || strstr(doc, "\"members\":[{") == NULL)
        diag("doc: %s / %s", doc ? doc : "(null)", err.msg);
    free(doc);
    ok(!port_accepts(port), "nothing listens before the agent syncs");
    if (!ok(bl_agent_sync(agent, &err) == 0, "sync"))
        diag("%s", err.msg);
    ok(port_accepts(port), "the listener accepts after sync");
    is_str(status("lb1", false), "ACTIVE", "LB ACTIVE");
    is_str(status("l1", false), "ACTIVE", "listener ACTIVE");
    is_str(status("l1", true), "ONLINE", "listener ONLINE");
    is_str(status("m1", true), "NO_MONITOR", "member without monitor: NO_MONITOR");
    is_str(status("m2", true), "OFFLINE", "disabled member: OFFLINE");
    {
        int64_t rev = bl_store_revision(st);
        is_int(bl_agent_sync(agent, &err), 0, "a second sync with nothing new");
        is_int(bl_store_revision(st), rev, "does not write");
    }

    /* lb2 wants the same port: only lb2 fails. lb3 is fine. */
    add_lb("lb2", port, "true");
    add_lb("lb3", port2, "true");
    is_int(bl_agent_sync(agent, &err), 0, "sync with a port clash");
    is_str(status("lb2", false), "ERROR", "the clashing LB is ERROR");
    is_str(status("lb2-l", false), "ERROR", "and its listener");
    is_str(status("lb3", false), "ACTIVE", "the other new LB is ACTIVE");
    ok(port_accepts(port2), "and serves");
    is_str(status("lb1", false), "ACTIVE", "the running LB is untouched");

    /* Another process holds a port: the build fails at bind(), same outcome. */
    {
        int fd3;
        uint16_t port3 = free_port(&fd3);
        listen(fd3, 1);
        add_lb("lb4", port3, "true");
        is_int(bl_agent_sync(agent, &err), 0, "sync with a port held by another process");
        is_str(status("lb4", false), "ERROR", "that LB is ERROR");
        ok(port_accepts(port2), "lb3 still serves");
        close(fd3);
    }

    /* Delete lb1: the port closes and the rows go. */
    bl_store_begin(st, NULL);
    bl_store_set_status(st, "lb1", "PENDING_DELETE", NULL, NULL);
    bl_store_commit(st, NULL);
    is_int(bl_agent_sync(agent, &err), 0, "sync the delete");
    is_str(status("lb1", false), "(gone)", "the LB row is gone");
    is_str(status("m1", false), "(gone)", "and its members, by cascade");
    ok(port_closes(port), "its port stops accepting");
    ok(port_accepts(port2), "lb3 still serves");

    bl_agent_stop(agent);
    test_l7_render();
    bl_store_close(st);
    snprintf(db, sizeof(db), "%s/incremental.db", path);
    bl_store_open(db, &st, NULL);
    test_incremental(path);
    bl_store_close(st);
    snprintf(db, sizeof(db), "%s/rollup.db", path);
    bl_store_open(db, &st, NULL);
    test_rollup();
    bl_store_close(st);
    bl_arena_destroy(arena);
    snprintf(db, sizeof(db), "rm -rf %s", path);
    (void)!system(db);
    return done_testing();
}
