/* SPDX-License-Identifier: Apache-2.0 */
#include "admin/admin.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "config/status.h"
#include "net/addr.h"

struct bl_admin {
    struct bl_loop *loop;
    struct bl_io io;
    char *path;
    struct bl_admin_ops ops;
};

/* Health and status fields of a member (control thread: reads its own fields of `st`). */
static void add_member_health(json_t *o, const struct bl_snap_member *m, enum bl_opstatus status)
{
    const struct bl_member_state *st = m->st;

    json_object_set_new(o, "operating_status", json_string(bl_opstatus_name(status)));
    json_object_set_new(o, "status_reason", json_string(st->reason));
    json_object_set_new(o, "last_check", json_string(st->last_check));
    json_object_set_new(o, "ejected", json_boolean(bl_stat_get(st->ejected) != 0));
    json_object_set_new(o, "ejections", json_integer((json_int_t)bl_stat_get(st->ejected_total)));
    json_object_set_new(o, "consecutive_errors",
                        json_integer((json_int_t)bl_stat_get(st->consec_errors)));
}

static json_t *member_json(const struct bl_snap_member *m)
{
    const struct bl_member_state *st = m->st;
    char ip[BL_ADDR_STRLEN];

    return json_pack("{s:s, s:s, s:i, s:i, s:b, s:b, s:I, s:I, s:I, s:I, s:I}", "name",
                     m->cfg->name, "address", bl_addr_ip_str(&m->cfg->addr, ip), "protocol_port",
                     (int)bl_addr_port(&m->cfg->addr), "weight", (int)m->cfg->weight, "backup",
                     m->cfg->backup, "admin_state_up", m->cfg->admin_up, "active_connections",
                     (json_int_t)bl_stat_get(st->active), "total_connections",
                     (json_int_t)bl_stat_get(st->total), "bytes_in",
                     (json_int_t)bl_stat_get(st->bytes_in), "bytes_out",
                     (json_int_t)bl_stat_get(st->bytes_out), "connection_errors",
                     (json_int_t)bl_stat_get(st->conn_errors));
}

static json_t *monitor_json(const struct bl_cfg_monitor *hm)
{
    if (hm->type == NULL)
        return json_null();
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:b, s:s}", "type", hm->type, "delay",
                     (int)hm->delay_s, "timeout", (int)hm->timeout_s, "max_retries",
                     (int)hm->max_retries, "max_retries_down", (int)hm->max_retries_down,
                     "admin_state_up", hm->admin_up, "operating_status",
                     hm->admin_up ? "ONLINE" : "OFFLINE");
}

static json_t *pool_json(const struct bl_snapshot *s, const struct bl_snap_pool *p)
{
    json_t *members = json_array(), *o;

    for (uint32_t i = 0; i < p->nmembers; i++) {
        json_t *m = member_json(&p->members[i]);
        add_member_health(m, &p->members[i], bl_status_of_member(s, p, i));
        json_array_append_new(members, m);
    }
    o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", p->cfg->name, "key", p->cfg->key, "protocol",
                  bl_proto_name(p->cfg->proto), "lb_algorithm", p->cfg->algo->name, "members",
                  members);
    json_object_set_new(o, "operating_status",
                        json_string(bl_opstatus_name(bl_status_of_pool(s, p))));
    json_object_set_new(o, "healthmonitor", monitor_json(&p->cfg->monitor));
    json_object_set_new(o, "panic", json_boolean(p->cfg->panic));
    json_object_set_new(o, "close_on_markdown", json_boolean(p->cfg->close_on_markdown));
    json_object_set_new(o, "outlier_detection", json_boolean(p->cfg->outlier.enabled));
    json_object_set_new(o, "ejected_members",
                        json_integer((json_int_t)bl_stat_get(p->st->ejected)));
    return o;
}

static json_t *lb_json(const struct bl_snapshot *s, const struct bl_cfg_lb *lb)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s}", "name", lb->name, "id", lb->id, "vip_address",
                     lb->vip_address, "admin_state_up", lb->admin_up, "operating_status",
                     bl_opstatus_name(bl_status_of_lb(s, lb)));
}

/* HTTP listeners: requests, responses by class, ballast's own answers by cause. */
static void add_http_stats(json_t *o, const struct bl_listener_state *st)
{
    static const char *const reply_names[BL_REPLY_COUNT] = {"400", "403", "408", "502",
                                                            "503", "504", "redirect"};
    json_t *resp = json_object(), *rep = json_object();
    char k[4];

    for (int i = 1; i < 6; i++) {
        snprintf(k, sizeof(k), "%dxx", i);
        json_object_set_new(resp, k, json_integer((json_int_t)bl_stat_get(st->responses[i])));
    }
    for (int i = 0; i < BL_REPLY_COUNT; i++)
        json_object_set_new(rep, reply_names[i],
                            json_integer((json_int_t)bl_stat_get(st->replies[i])));
    json_object_set_new(o, "requests", json_integer((json_int_t)bl_stat_get(st->requests)));
    json_object_set_new(o, "retries", json_integer((json_int_t)bl_stat_get(st->retries)));
    json_object_set_new(o, "responses", resp);
    json_object_set_new(o, "replies", rep);
}

static json_t *listener_json(const struct bl_snap_listener *l)
{
    const struct bl_listener_state *st = l->st;
    char as[BL_ADDR_STRLEN];
    json_t *o;

    o = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:s}", "name", l->cfg->name,
        "label", l->label, "protocol", bl_proto_name(l->cfg->proto), "address",
        bl_addr_str(&l->addr, as), "active_connections", (json_int_t)bl_stat_get(st->active),
        "total_connections", (json_int_t)bl_stat_get(st->total), "bytes_in",
        (json_int_t)bl_stat_get(st->bytes_in), "bytes_out", (json_int_t)bl_stat_get(st->bytes_out),
        "denied_connections", (json_int_t)bl_stat_get(st->denied), "request_errors",
        (json_int_t)(bl_stat_get(st->errors) + bl_stat_get(st->request_errors)), "default_pool",
        l->pool ? l->pool->cfg->key : NULL, "operating_status",
        bl_opstatus_name(bl_status_of_listener(l)));
    if (l->cfg->proto == BL_PROTO_HTTP || l->cfg->proto == BL_PROTO_TERMINATED_HTTPS)
        add_http_stats(o, st);
    return o;
}

static json_t *stats_json(const struct bl_admin_ops *ops)
{
    struct bl_dataplane *dp = ops->dataplane(ops->ctx);
    const struct bl_snapshot *s = bl_dataplane_snapshot(dp);
    json_t *ls = json_array(), *ps = json_array(), *lbs = json_array(), *doc;

    for (uint32_t i = 0; i < s->nlisteners; i++)
        json_array_append_new(ls, listener_json(&s->listeners[i]));
    for (uint32_t i = 0; i < s->npools; i++)
        json_array_append_new(ps, pool_json(s, &s->pools[i]));
    for (uint32_t i = 0; i < s->cfg->nlbs; i++)
        json_array_append_new(lbs, lb_json(s, &s->cfg->lbs[i]));
    doc = json_pack("{s:I, s:I, s:I, s:s?, s:o, s:o}", "generation", (json_int_t)s->generation,
                    "workers_generation", (json_int_t)bl_dataplane_applied_generation(dp),
                    "reload_failures", (json_int_t)ops->reload_failures(ops->ctx),
                    "last_reload_error", ops->last_error(ops->ctx), "listeners", ls, "pools", ps);
    json_object_set_new(doc, "loadbalancers", lbs);
    return doc;
}

void bl_admin_write_stats(const struct bl_admin_ops *ops, int fd)
{
    json_t *doc = stats_json(ops);
    char *text = json_dumps(doc, JSON_COMPACT);
    size_t len = strlen(text);

    /* One write for the whole document: worker log lines share this fd and
     * must not land in the middle of it. */
    text = bl_xrealloc(text, len + 2);
    text[len++] = '\n';
    (void)!write(fd, text, len);
    free(text);
    json_decref(doc);
}

static void send_doc(int fd, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    size_t len = strlen(text), off = 0;

    while (off < len) {
        ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    (void)!send(fd, "\n", 1, MSG_NOSIGNAL);
    free(text);
    json_decref(doc);
}

static void serve(struct bl_admin *a, int fd)
{
    /* Admin clients are local and send one short line: a 1 s timeout bounds
     * how long a stuck one can hold the control thread. */
    struct timeval tv = {.tv_sec = 1};
    char line[128];
    ssize_t n;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    n = recv(fd, line, sizeof(line) - 1, 0);
    if (n <= 0)
        return;
    line[n] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, "stats") == 0) {
        send_doc(fd, stats_json(&a->ops));
    } else if (strcmp(line, "reload") == 0) {
        char msg[256] = "";
        int rc = a->ops.reload(a->ops.ctx, msg, sizeof(msg));
        send_doc(fd, json_pack("{s:b, s:s}", "ok", rc == 0, "error", msg));
    } else {
        send_doc(fd, json_pack("{s:b, s:s}", "ok", 0, "error",
                               "unknown command (try: stats, reload)"));
    }
}

static void on_admin(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_admin *a = bl_container_of(io, struct bl_admin, io);
    int fd = accept4(io->fd, NULL, NULL, SOCK_CLOEXEC);

    (void)loop;
    (void)events;
    if (fd < 0)
        return;
    serve(a, fd);
    close(fd);
}

int bl_admin_start(struct bl_loop *loop, const char *path, const struct bl_admin_ops *ops,
                   struct bl_admin **out)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct bl_admin *a;
    int fd, rc;

    if (strlen(path) >= sizeof(sun.sun_path))
        return -ENAMETOOLONG;
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    a = bl_xcalloc(1, sizeof(*a));
    a->loop = loop;
    a->path = bl_xstrdup(path);
    a->ops = *ops;
    bl_io_init(&a->io, fd, on_admin);
    rc = bl_io_want(loop, &a->io, EPOLLIN);
    if (rc < 0) {
        bl_admin_stop(a);
        return rc;
    }
    *out = a;
    return 0;
}

void bl_admin_stop(struct bl_admin *a)
{
    if (a == NULL)
        return;
    bl_io_close(a->loop, &a->io);
    unlink(a->path);
    free(a->path);
    free(a);
}
