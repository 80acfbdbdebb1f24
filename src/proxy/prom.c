/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus exposition of a load balancer (see prom.h). One table row per
 * metric family: its HELP and TYPE lines, then one sample per object of its
 * kind (and per value of an extra label, e.g. code="2xx"), so every family is
 * written whole before the next, as the format wants.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/status.h"
#include "core/xalloc.h"
#include "proxy/prom.h"

/* The object a sample is about; the fields below its kind are NULL / unused. */
struct obj {
    const struct bl_snap_lb *p;
    const struct bl_snap_listener *l;
    const struct bl_snap_pool *pool;
    uint32_t m; /* member index in pool */
};

enum kind { K_LB = 0, K_LISTENER, K_POOL, K_MEMBER };

struct family {
    const char *name;
    const char *type; /* "counter" or "gauge" */
    const char *help;
    enum kind kind;
    bool http_only;                /* listeners that parse HTTP only */
    const char *sub;               /* extra label, or NULL */
    const char *const *sub_values; /* its values, `nsub` of them */
    unsigned nsub;
    uint64_t (*value)(const struct obj *o, unsigned sub);
};

/* ---- text ------------------------------------------------------------------------------- */

static void reserve(struct bl_prom_text *t, size_t n)
{
    if (t->cap - t->len > n)
        return;
    while (t->cap - t->len <= n)
        t->cap = t->cap ? t->cap * 2 : 16384;
    t->p = bl_xrealloc(t->p, t->cap);
}

static void put(struct bl_prom_text *t, const char *s, size_t n)
{
    reserve(t, n);
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void putf(struct bl_prom_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    reserve(t, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* name="value", escaped as the format says (backslash, double quote, line feed). */
static void label(struct bl_prom_text *t, bool first, const char *name, const char *value)
{
    putf(t, "%s%s=\"", first ? "" : ",", name);
    for (const char *v = value ? value : ""; *v; v++) {
        if (*v == '\\')
            put(t, "\\\\", 2);
        else if (*v == '"')
            put(t, "\\\"", 2);
        else if (*v == '\n')
            put(t, "\\n", 2);
        else
            put(t, v, 1);
    }
    put(t, "\"", 1);
}

/* ---- labels of each kind ------------------------------------------------------------------ */

/* A pool from a file may have no id: its key is unique within the node. */
static const char *pool_id(const struct bl_snap_pool *sp)
{
    return sp->cfg->id && *sp->cfg->id ? sp->cfg->id : sp->cfg->key;
}

static void labels(struct bl_prom_text *t, const struct obj *o, enum kind k)
{
    char buf[BL_ADDR_STRLEN];

    label(t, true, "loadbalancer", o->p->lb->id);
    switch (k) {
    case K_LB:
        label(t, false, "loadbalancer_name", o->p->lb->name);
        return;
    case K_LISTENER:
        label(t, false, "listener", o->l->cfg->id);
        label(t, false, "listener_name", o->l->cfg->name);
        label(t, false, "protocol", bl_proto_name(o->l->cfg->proto));
        snprintf(buf, sizeof(buf), "%u", (unsigned)o->l->cfg->port);
        label(t, false, "port", buf);
        return;
    case K_POOL:
        label(t, false, "pool", pool_id(o->pool));
        label(t, false, "pool_name", o->pool->cfg->name);
        label(t, false, "protocol", bl_proto_name(o->pool->cfg->proto));
        return;
    case K_MEMBER: {
        const struct bl_cfg_member *m = o->pool->members[o->m].cfg;
        label(t, false, "pool", pool_id(o->pool));
        label(t, false, "member", m->id);
        label(t, false, "member_name", m->name);
        label(t, false, "address", bl_addr_ip_str(&m->addr, buf));
        snprintf(buf, sizeof(buf), "%u", (unsigned)bl_addr_port(&m->addr));
        label(t, false, "port", buf);
        return;
    }
    }
}

/* ---- values -------------------------------------------------------------------------------- */

#define GET(x) ((uint64_t)bl_stat_get(x))

static const struct bl_member_state *mst(const struct obj *o)
{
    return o->pool->members[o->m].st;
}

static enum bl_opstatus member_status(const struct obj *o)
{
    struct bl_member_facts f;

    bl_status_member_facts(o->pool, o->p->lb, o->m, &f);
    return bl_status_member(&f);
}

static enum bl_opstatus pool_status(const struct obj *o)
{
    struct bl_pool_facts f;

    bl_status_part_pool_facts(o->p, o->pool, &f);
    return bl_status_pool(&f);
}

static bool is_http(const struct bl_snap_listener *l)
{
    return l->cfg->proto == BL_PROTO_HTTP || l->cfg->proto == BL_PROTO_TERMINATED_HTTPS ||
           l->cfg->proto == BL_PROTO_PROMETHEUS;
}

/* Sums a listener counter over the load balancer. */
static uint64_t lb_sum(const struct obj *o, uint64_t (*get)(const struct bl_listener_state *))
{
    uint64_t n = 0;

    for (uint32_t i = 0; i < o->p->nlisteners; i++)
        n += get(o->p->listeners[i].st);
    return n;
}

static uint64_t ls_active(const struct bl_listener_state *st)
{
    int32_t n = bl_stat_get(st->active);
    return n > 0 ? (uint64_t)n : 0;
}
static uint64_t ls_total(const struct bl_listener_state *st)
{
    return GET(st->total);
}
static uint64_t ls_requests(const struct bl_listener_state *st)
{
    return GET(st->requests);
}

static uint64_t lb_active(const struct obj *o, unsigned sub)
{
    return lb_sum(o, ls_active);
}
static uint64_t lb_total(const struct obj *o, unsigned sub)
{
    return lb_sum(o, ls_total);
}
static uint64_t lb_requests(const struct obj *o, unsigned sub)
{
    return lb_sum(o, ls_requests);
}
static uint64_t lb_listeners(const struct obj *o, unsigned sub)
{
    return o->p->nlisteners;
}
static uint64_t lb_opstatus(const struct obj *o, unsigned sub)
{
    return bl_status_of_part(o->p) == (enum bl_opstatus)sub;
}

static uint64_t l_status(const struct obj *o, unsigned sub)
{
    /* Octavia's legend: 0 = OFFLINE, 1 = ONLINE, 2 = DEGRADED (at connection_limit). */
    switch (bl_status_of_listener(o->l)) {
    case BL_OP_ONLINE:
        return 1;
    case BL_OP_DEGRADED:
        return 2;
    default:
        return 0;
    }
}
static uint64_t l_active(const struct obj *o, unsigned sub)
{
    return ls_active(o->l->st);
}
static uint64_t l_total(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->total);
}
static uint64_t l_bytes_in(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->bytes_in);
}
static uint64_t l_bytes_out(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->bytes_out);
}
static uint64_t l_denied(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->denied);
}
static uint64_t l_errors(const struct obj *o, unsigned sub)
{
    /* As the admin socket's request_errors (and Octavia's listener stats). */
    return GET(o->l->st->errors) + GET(o->l->st->request_errors);
}
static uint64_t l_requests(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->requests);
}
static uint64_t l_responses(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->responses[sub + 1]);
}
static uint64_t l_replies(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->replies[sub]);
}
static uint64_t l_retries(const struct obj *o, unsigned sub)
{
    return GET(o->l->st->retries);
}
static uint64_t l_opstatus(const struct obj *o, unsigned sub)
{
    return bl_status_of_listener(o->l) == (enum bl_opstatus)sub;
}

/* Sums a member counter over the pool. */
static uint64_t pool_sum(const struct obj *o, uint64_t (*get)(const struct obj *, unsigned))
{
    struct obj mo = *o;
    uint64_t n = 0;

    for (mo.m = 0; mo.m < o->pool->nmembers; mo.m++)
        n += get(&mo, 0);
    return n;
}

static uint64_t m_active(const struct obj *o, unsigned sub)
{
    int32_t n = bl_stat_get(mst(o)->active);
    return n > 0 ? (uint64_t)n : 0;
}
static uint64_t m_total(const struct obj *o, unsigned sub)
{
    return GET(mst(o)->total);
}
static uint64_t m_bytes_in(const struct obj *o, unsigned sub)
{
    return GET(mst(o)->bytes_in);
}
static uint64_t m_bytes_out(const struct obj *o, unsigned sub)
{
    return GET(mst(o)->bytes_out);
}
static uint64_t m_errors(const struct obj *o, unsigned sub)
{
    return GET(mst(o)->conn_errors);
}
static uint64_t m_weight(const struct obj *o, unsigned sub)
{
    return o->pool->members[o->m].cfg->weight;
}
static uint64_t m_ejected(const struct obj *o, unsigned sub)
{
    return GET(mst(o)->ejected) != 0;
}
static uint64_t m_ejections(const struct obj *o, unsigned sub)
{
    return GET(mst(o)->ejected_total);
}
static uint64_t m_status(const struct obj *o, unsigned sub)
{
    /* Octavia's legend: 0 = ERROR, 1 = ONLINE, 2 = OFFLINE, 3 = DRAIN. */
    switch (member_status(o)) {
    case BL_OP_ERROR:
        return 0;
    case BL_OP_OFFLINE:
        return 2;
    case BL_OP_DRAINING:
        return 3;
    default:
        return 1; /* ONLINE, NO_MONITOR */
    }
}
static uint64_t m_opstatus(const struct obj *o, unsigned sub)
{
    return member_status(o) == (enum bl_opstatus)sub;
}

/* Members that take traffic (ONLINE, NO_MONITOR, DRAINING), of one tier. */
static uint64_t members_up(const struct obj *o, bool backup)
{
    struct obj mo = *o;
    uint64_t n = 0;

    for (mo.m = 0; mo.m < o->pool->nmembers; mo.m++) {
        enum bl_opstatus st;
        if (o->pool->members[mo.m].cfg->backup != backup)
            continue;
        st = member_status(&mo);
        n += st == BL_OP_ONLINE || st == BL_OP_NO_MONITOR || st == BL_OP_DRAINING;
    }
    return n;
}

static uint64_t p_status(const struct obj *o, unsigned sub)
{
    /* Octavia's legend: 0 = OFFLINE (down), 1 = ONLINE (up). */
    enum bl_opstatus st = pool_status(o);
    return st == BL_OP_ONLINE || st == BL_OP_DEGRADED;
}
static uint64_t p_active(const struct obj *o, unsigned sub)
{
    return pool_sum(o, m_active);
}
static uint64_t p_total(const struct obj *o, unsigned sub)
{
    return pool_sum(o, m_total);
}
static uint64_t p_bytes_in(const struct obj *o, unsigned sub)
{
    return pool_sum(o, m_bytes_in);
}
static uint64_t p_bytes_out(const struct obj *o, unsigned sub)
{
    return pool_sum(o, m_bytes_out);
}
static uint64_t p_errors(const struct obj *o, unsigned sub)
{
    return pool_sum(o, m_errors);
}
static uint64_t p_up(const struct obj *o, unsigned sub)
{
    return members_up(o, false);
}
static uint64_t p_backup_up(const struct obj *o, unsigned sub)
{
    return members_up(o, true);
}
static uint64_t p_ejected(const struct obj *o, unsigned sub)
{
    return GET(o->pool->st->ejected);
}
static uint64_t p_opstatus(const struct obj *o, unsigned sub)
{
    return pool_status(o) == (enum bl_opstatus)sub;
}

/* ---- the table ------------------------------------------------------------------------------ */

static const char *const opstatus_values[] = {"ONLINE", "OFFLINE",  "DEGRADED",
                                              "ERROR",  "DRAINING", "NO_MONITOR"};
static const char *const code_values[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
static const char *const reply_values[BL_REPLY_COUNT] = {"400", "403", "408",     "502",
                                                         "503", "504", "redirect"};

#define OPSTATUS "operating_status", opstatus_values, 6

static const struct family families[] = {
    {"octavia_loadbalancer_current_connections", "gauge",
     "Client connections open now, all listeners.", K_LB, false, NULL, NULL, 0, lb_active},
    {"octavia_loadbalancer_connections_total", "counter",
     "Client connections accepted, all listeners.", K_LB, false, NULL, NULL, 0, lb_total},
    {"octavia_loadbalancer_requests_total", "counter", "HTTP requests received, all listeners.",
     K_LB, false, NULL, NULL, 0, lb_requests},
    {"octavia_loadbalancer_listeners", "gauge", "Enabled listeners.", K_LB, false, NULL, NULL, 0,
     lb_listeners},
    {"ballast_loadbalancer_operating_status", "gauge",
     "1 for the load balancer's operating status (Octavia's), 0 for the others.", K_LB, false,
     OPSTATUS, lb_opstatus},

    {"octavia_listener_status", "gauge", "Listener status: 0=OFFLINE, 1=ONLINE, 2=DEGRADED.",
     K_LISTENER, false, NULL, NULL, 0, l_status},
    {"octavia_listener_current_sessions", "gauge", "Client connections open now.", K_LISTENER,
     false, NULL, NULL, 0, l_active},
    {"octavia_listener_connections_total", "counter", "Client connections accepted.", K_LISTENER,
     false, NULL, NULL, 0, l_total},
    {"octavia_listener_bytes_in_total", "counter", "Bytes received from clients.", K_LISTENER,
     false, NULL, NULL, 0, l_bytes_in},
    {"octavia_listener_bytes_out_total", "counter", "Bytes sent to clients.", K_LISTENER, false,
     NULL, NULL, 0, l_bytes_out},
    {"octavia_listener_denied_connections_total", "counter",
     "Connections refused by allowed_cidrs or connection_limit.", K_LISTENER, false, NULL, NULL, 0,
     l_denied},
    {"octavia_listener_request_errors_total", "counter",
     "Malformed requests, and connections or requests no member could serve.", K_LISTENER, false,
     NULL, NULL, 0, l_errors},
    {"octavia_listener_http_requests_total", "counter", "HTTP request heads received.", K_LISTENER,
     true, NULL, NULL, 0, l_requests},
    {"octavia_listener_http_responses_total", "counter", "HTTP responses sent, by status class.",
     K_LISTENER, true, "code", code_values, 5, l_responses},
    {"ballast_listener_replies_total", "counter",
     "HTTP responses ballast made itself instead of a member, by cause.", K_LISTENER, true,
     "reason", reply_values, BL_REPLY_COUNT, l_replies},
    {"ballast_listener_retries_total", "counter", "HTTP requests sent again to another member.",
     K_LISTENER, true, NULL, NULL, 0, l_retries},
    {"ballast_listener_operating_status", "gauge",
     "1 for the listener's operating status (Octavia's), 0 for the others.", K_LISTENER, false,
     OPSTATUS, l_opstatus},

    {"octavia_pool_status", "gauge", "Pool status: 0=OFFLINE (down), 1=ONLINE (up).", K_POOL, false,
     NULL, NULL, 0, p_status},
    {"octavia_pool_current_sessions", "gauge", "Connections to its members open now.", K_POOL,
     false, NULL, NULL, 0, p_active},
    {"octavia_pool_sessions_total", "counter", "Connections to its members.", K_POOL, false, NULL,
     NULL, 0, p_total},
    {"octavia_pool_bytes_in_total", "counter", "Bytes sent to its members.", K_POOL, false, NULL,
     NULL, 0, p_bytes_in},
    {"octavia_pool_bytes_out_total", "counter", "Bytes received from its members.", K_POOL, false,
     NULL, NULL, 0, p_bytes_out},
    {"octavia_pool_connection_errors_total", "counter",
     "Connections to its members refused, timed out or reset.", K_POOL, false, NULL, NULL, 0,
     p_errors},
    {"octavia_pool_active_members", "gauge", "Members (not backup) that take traffic.", K_POOL,
     false, NULL, NULL, 0, p_up},
    {"octavia_pool_backup_members", "gauge", "Backup members that could take traffic.", K_POOL,
     false, NULL, NULL, 0, p_backup_up},
    {"ballast_pool_ejected_members", "gauge", "Members ejected by outlier detection now.", K_POOL,
     false, NULL, NULL, 0, p_ejected},
    {"ballast_pool_operating_status", "gauge",
     "1 for the pool's operating status (Octavia's), 0 for the others.", K_POOL, false, OPSTATUS,
     p_opstatus},

    {"octavia_member_status", "gauge", "Member status: 0=ERROR, 1=ONLINE, 2=OFFLINE, 3=DRAIN.",
     K_MEMBER, false, NULL, NULL, 0, m_status},
    {"octavia_member_current_sessions", "gauge", "Connections to the member open now.", K_MEMBER,
     false, NULL, NULL, 0, m_active},
    {"octavia_member_sessions_total", "counter", "Connections to the member.", K_MEMBER, false,
     NULL, NULL, 0, m_total},
    {"octavia_member_bytes_in_total", "counter", "Bytes sent to the member.", K_MEMBER, false, NULL,
     NULL, 0, m_bytes_in},
    {"octavia_member_bytes_out_total", "counter", "Bytes received from the member.", K_MEMBER,
     false, NULL, NULL, 0, m_bytes_out},
    {"octavia_member_connection_errors_total", "counter",
     "Connections to the member refused, timed out or reset.", K_MEMBER, false, NULL, NULL, 0,
     m_errors},
    {"octavia_member_weight", "gauge", "Member weight.", K_MEMBER, false, NULL, NULL, 0, m_weight},
    {"ballast_member_ejected", "gauge", "1 while outlier detection has the member ejected.",
     K_MEMBER, false, NULL, NULL, 0, m_ejected},
    {"ballast_member_ejections_total", "counter", "Ejections by outlier detection.", K_MEMBER,
     false, NULL, NULL, 0, m_ejections},
    {"ballast_member_operating_status", "gauge",
     "1 for the member's operating status (Octavia's), 0 for the others.", K_MEMBER, false,
     OPSTATUS, m_opstatus},
};

/* ---- rendering ------------------------------------------------------------------------------- */

static void sample(struct bl_prom_text *t, const struct family *f, const struct obj *o)
{
    for (unsigned sub = 0; sub < (f->sub ? f->nsub : 1); sub++) {
        put(t, f->name, strlen(f->name));
        put(t, "{", 1);
        labels(t, o, f->kind);
        if (f->sub)
            label(t, false, f->sub, f->sub_values[sub]);
        putf(t, "} %" PRIu64 "\n", f->value(o, sub));
    }
}

static void render_family(struct bl_prom_text *t, const struct family *f,
                          const struct bl_snap_lb *p)
{
    struct obj o = {.p = p};

    putf(t, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
    switch (f->kind) {
    case K_LB:
        sample(t, f, &o);
        return;
    case K_LISTENER:
        for (uint32_t i = 0; i < p->nlisteners; i++) {
            o.l = &p->listeners[i];
            if (!f->http_only || is_http(o.l))
                sample(t, f, &o);
        }
        return;
    case K_POOL:
    case K_MEMBER:
        for (uint32_t i = 0; i < p->npools; i++) {
            o.pool = &p->pools[i];
            if (f->kind == K_POOL)
                sample(t, f, &o);
            else
                for (o.m = 0; o.m < o.pool->nmembers; o.m++)
                    sample(t, f, &o);
        }
        return;
    }
}

void bl_prom_render(const struct bl_snap_lb *p, struct bl_prom_text *t)
{
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
        render_family(t, &families[i], p);
}
