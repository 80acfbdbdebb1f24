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
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
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
    struct bl_store_row r = {.kind = kind, .id = id, .lb_id = lb, .parent_id = parent,
                             .project_id = "p", .provisioning_status = "PENDING_CREATE",
                             .operating_status = "OFFLINE", .created_at = "2026-11-22T08:00:00",
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
             "{\"protocol\":\"TCP\",\"protocol_port\":%u,\"default_pool_id\":\"%s-pool\"}", port, lb);
    snprintf(id, sizeof(id), "%s-l", lb);
    put("listener", id, lb, NULL, body);
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
    bl_store_close(st);
    bl_arena_destroy(arena);
    snprintf(db, sizeof(db), "rm -rf %s", path);
    (void)!system(db);
    return done_testing();
}
