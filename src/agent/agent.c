/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store -> data plane. See agent.h for the contract. The document handed to
 * the config parser is exactly what `ballastd --config` would read, so the
 * API and the declarative file share one validation and one object model.
 */
#include "agent/agent.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/rollup.h"
#include "config/certs.h"
#include "config/parse.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "proxy/dataplane.h"

struct lb_entry;

struct bl_agent {
    struct bl_store *st;
    void (*on_apply)(void *ctx, struct bl_snapshot *s); /* may be NULL */
    void *on_apply_ctx;
    unsigned nworkers;
    char *certs_dir; /* where certificate ids are read (config/certs.h); NULL = none */
    struct bl_dataplane *dp;
    uint64_t generation;
    int64_t applied_rev;  /* store revision the data plane reflects; -1 before the first */
    struct lb_entry *lbs; /* what the data plane runs, one per load balancer, oldest first */
    uint32_t nlbs;
    bool dirty; /* lbs[] changed since the last snapshot handed over */
    bool hold_noop;     /* leave the no-op provider's objects PENDING_* (bl_agent_hold_noop) */
    int64_t held_since; /* held objects were written after this revision; HELD_NONE = none */
};

#define HELD_NONE INT64_MAX

static bool is_deleting(const struct bl_store_row *r)
{
    return strcmp(r->provisioning_status, "PENDING_DELETE") == 0;
}

static json_t *body_with_id(const struct bl_store_row *r)
{
    json_t *o = json_loads(r->body, 0, NULL);

    if (o == NULL || !json_is_object(o)) {
        json_decref(o);
        o = json_object(); /* the store only holds valid JSON objects; be safe */
    }
    json_object_set_new(o, "id", json_string(r->id));
    return o;
}

/* ---- rendering ----------------------------------------------------------------------------- */

struct collect {
    json_t *arr;
};

/* Load balancers of the no-op provider are stored, never run (api/internal.h). */
static bool is_noop(const struct bl_store_row *r)
{
    json_t *o = json_loads(r->body, 0, NULL);
    const char *p = json_string_value(json_object_get(o, "provider"));
    bool noop = p && strcmp(p, "noop_driver") == 0;

    json_decref(o);
    return noop;
}

static int collect_cb(void *ctx, const struct bl_store_row *r)
{
    struct collect *c = ctx;

    /* A load balancer in ERROR stays down until a failover (or delete), as in
     * Octavia: it must not start serving behind its status's back. */
    if (strcmp(r->kind, "loadbalancer") == 0 &&
        (strcmp(r->provisioning_status, "ERROR") == 0 || is_noop(r)))
        return 0;
    if (!is_deleting(r))
        json_array_append_new(c->arr, body_with_id(r));
    return 0;
}

static json_t *list_json(struct bl_store *st, const char *kind, const char *lb, const char *parent,
                         struct bl_err *err, int *rc)
{
    struct collect c = {json_array()};

    if (*rc == 0)
        *rc = bl_store_list(st, kind, lb, parent, collect_cb, &c, err);
    return c.arr;
}

/* A pool with its members and health monitor embedded, as in a graph create. */
static int render_pools(struct bl_store *st, json_t *pools, const char *lb, struct bl_err *err)
{
    size_t i;
    json_t *p;
    int rc = 0;

    json_array_foreach(pools, i, p)
    {
        const char *pid = json_string_value(json_object_get(p, "id"));
        json_t *hms = list_json(st, "healthmonitor", lb, pid, err, &rc);
        json_object_set_new(p, "members", list_json(st, "member", lb, pid, err, &rc));
        if (json_array_size(hms) > 0) {
            json_t *hm = json_array_get(hms, 0);
            json_object_del(hm, "id");
            json_object_set(p, "healthmonitor", hm);
        }
        json_decref(hms);
    }
    return rc;
}

/* A listener's L7 policies, each with its rules, as in a graph create. */
static int render_l7(struct bl_store *st, json_t *listeners, const char *lb, struct bl_err *err)
{
    size_t i, k;
    json_t *l, *p;
    int rc = 0;

    json_array_foreach(listeners, i, l)
    {
        const char *lid = json_string_value(json_object_get(l, "id"));
        json_t *pols = list_json(st, "l7policy", lb, lid, err, &rc);
        json_array_foreach(pols, k, p)
        {
            const char *pid = json_string_value(json_object_get(p, "id"));
            json_object_set_new(p, "rules", list_json(st, "l7rule", lb, pid, err, &rc));
        }
        json_object_set_new(l, "l7policies", pols);
    }
    return rc;
}

static bool skipped(const char *const *skip, const char *id)
{
    for (; skip && *skip; skip++) {
        if (strcmp(*skip, id) == 0)
            return true;
    }
    return false;
}

/* Fills in a load balancer's listeners and pools. The store's list statement
 * cannot be nested, so load balancers are listed first, children after. */
static int render_lb(struct bl_store *st, json_t *lb, struct bl_err *err)
{
    const char *id = json_string_value(json_object_get(lb, "id"));
    json_t *pools, *listeners;
    int rc = 0;

    listeners = list_json(st, "listener", id, NULL, err, &rc);
    json_object_set_new(lb, "listeners", listeners);
    if (rc == 0)
        rc = render_l7(st, listeners, id, err);
    pools = list_json(st, "pool", id, NULL, err, &rc);
    if (rc == 0)
        rc = render_pools(st, pools, id, err);
    json_object_set_new(lb, "pools", pools);
    return rc;
}

static json_t *render_doc(struct bl_store *st, const char *const *skip, struct bl_err *err)
{
    int rc = 0;
    json_t *all = list_json(st, "loadbalancer", NULL, NULL, err, &rc), *lbs = json_array(), *lb;
    size_t i;

    json_array_foreach(all, i, lb)
    {
        if (rc == 0 && !skipped(skip, json_string_value(json_object_get(lb, "id")))) {
            rc = render_lb(st, lb, err);
            json_array_append(lbs, lb);
        }
    }
    json_decref(all);
    if (rc != 0) {
        json_decref(lbs);
        return NULL;
    }
    return json_pack("{s:o}", "loadbalancers", lbs);
}

/* Builds (and drops) the TLS contexts of `cfg`: every certificate must load. */
static int check_certs(struct bl_cfg *cfg, const char *certs_dir, struct bl_err *err)
{
    const struct bl_cfg_lb *lb = &cfg->lbs[0];
    struct bl_tls_ctx *ctx;
    int rc = 0;

    cfg->certs_dir = certs_dir;
    for (uint32_t i = 0; rc == 0 && i < lb->nlisteners; i++) {
        if (lb->listeners[i].proto != BL_PROTO_TERMINATED_HTTPS)
            continue;
        rc = bl_certs_listener_ctx(cfg, &lb->listeners[i], &ctx, err);
        if (rc == 0)
            bl_tls_ctx_unref(ctx);
    }
    for (uint32_t i = 0; rc == 0 && i < lb->npools; i++) {
        if (!lb->pools[i].tls_enabled)
            continue;
        rc = bl_certs_pool_ctx(cfg, &lb->pools[i], &ctx, err);
        if (rc == 0)
            bl_tls_ctx_unref(ctx);
    }
    return rc;
}

const char *bl_agent_certs_dir(const struct bl_agent *a)
{
    return a->certs_dir;
}

int bl_agent_check_lb(struct bl_store *st, const char *lb_id, const char *certs_dir,
                      struct bl_err *err)
{
    struct bl_store_row row;
    struct bl_arena *a = bl_arena_create();
    struct bl_cfg *cfg;
    json_t *lb, *doc;
    char *text;
    int rc = bl_store_get(st, "loadbalancer", lb_id, a, &row, err);

    /* Gone, or being deleted: nothing will run. */
    if (rc < 0 || is_deleting(&row)) {
        bl_arena_destroy(a);
        return 0;
    }
    lb = body_with_id(&row);
    bl_arena_destroy(a);
    rc = render_lb(st, lb, err);
    doc = json_pack("{s:o}", "loadbalancer", lb);
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (rc == 0)
        rc = bl_cfg_parse(text, strlen(text), &cfg, err);
    if (rc == 0) {
        rc = check_certs(cfg, certs_dir, err);
        bl_cfg_free(cfg);
    }
    free(text);
    return rc;
}

char *bl_agent_render(struct bl_store *st, const char *const *skip, struct bl_err *err)
{
    json_t *doc = render_doc(st, skip, err);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

    json_decref(doc);
    return text;
}

/* ---- the applied load balancers: one part each, rebuilt only when its document changes ---- */

struct lb_entry {
    char *id;
    char *text;              /* the document its part was built from */
    struct bl_snap_lb *part; /* one reference */
};

struct failed {
    char **ids; /* load balancers set aside this sync: they become ERROR */
    size_t n;
};

static void failed_add(struct failed *f, const char *id, const char *why)
{
    bl_log(BL_LOG_ERROR, "load balancer %s: %s", id, why);
    f->ids = bl_xrealloc(f->ids, (f->n + 1) * sizeof(*f->ids));
    f->ids[f->n++] = bl_xstrdup(id);
}

static bool is_failed(const struct failed *f, const char *id)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->ids[i], id) == 0)
            return true;
    }
    return false;
}

static void failed_free(struct failed *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->ids[i]);
    free(f->ids);
}

static struct lb_entry *find_entry(struct bl_agent *a, const char *id)
{
    for (uint32_t i = 0; i < a->nlbs; i++) {
        if (strcmp(a->lbs[i].id, id) == 0)
            return &a->lbs[i];
    }
    return NULL;
}

static void drop_entry(struct bl_agent *a, struct lb_entry *e)
{
    free(e->id);
    free(e->text);
    bl_snap_lb_unref(e->part);
    memmove(e, e + 1, (size_t)(a->lbs + a->nlbs - (e + 1)) * sizeof(*e));
    a->nlbs--;
}

/* Two load balancers may not both bind one VIP and port (the API gives each
 * its own VIP, but a declared network may let two share one). */
static int check_clash(struct bl_agent *a, const char *id, const struct bl_cfg_lb *lb,
                       struct bl_err *err)
{
    for (uint32_t e = 0; e < a->nlbs; e++) {
        const struct bl_cfg_lb *o = a->lbs[e].part->lb;
        if (strcmp(a->lbs[e].id, id) == 0 || !bl_addr_equal(&o->vip, &lb->vip))
            continue;
        for (uint32_t i = 0; i < lb->nlisteners; i++) {
            for (uint32_t k = 0; k < o->nlisteners; k++) {
                const struct bl_cfg_listener *x = &lb->listeners[i], *y = &o->listeners[k];
                if (x->port == y->port &&
                    bl_proto_is_stream(x->proto) == bl_proto_is_stream(y->proto))
                    return bl_err_set(err, -EADDRINUSE,
                                      "loadbalancer.listeners[%u].protocol_port: %u on %s is "
                                      "already used by load balancer %s",
                                      i, x->port, lb->vip_address, a->lbs[e].id);
            }
        }
    }
    return 0;
}

/* The document load balancer `id` runs from, or NULL when nothing of it
 * should run: gone, being deleted, in ERROR, or of the no-op provider. */
static char *render_one(struct bl_store *st, const char *id, struct bl_err *err, int *rc)
{
    struct bl_arena *ar = bl_arena_create();
    struct bl_store_row row;
    json_t *lb, *doc;
    char *text = NULL;
    int r = bl_store_get(st, "loadbalancer", id, ar, &row, NULL);

    *rc = 0;
    if (r < 0 || is_deleting(&row) || strcmp(row.provisioning_status, "ERROR") == 0 ||
        is_noop(&row)) {
        bl_arena_destroy(ar);
        return NULL;
    }
    lb = body_with_id(&row);
    bl_arena_destroy(ar);
    *rc = render_lb(st, lb, err);
    doc = json_pack("{s:o}", "loadbalancer", lb);
    if (*rc == 0)
        text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* Parses and builds `text` for load balancer `id`: 0 with `*out`, or the
 * reason it cannot run. */
static int build_part(struct bl_agent *a, const char *id, const char *text, struct bl_snap_lb **out,
                      struct bl_err *err)
{
    struct bl_cfg *cfg;
    int rc = bl_cfg_parse(text, strlen(text), &cfg, err);

    if (rc < 0)
        return rc;
    rc = check_clash(a, id, &cfg->lbs[0], err);
    if (rc < 0) {
        bl_cfg_free(cfg);
        return rc;
    }
    cfg->certs_dir = a->certs_dir; /* outlives every snapshot of this agent */
    return bl_snapshot_build_lb(cfg, a->nworkers, out, err);
}

/*
 * Brings load balancer `id` up to date. Returns 1 when its part changed (or
 * went), 0 when it is as applied, a negative errno when the store failed.
 */
static int refresh(struct bl_agent *a, const char *id, struct failed *failed, struct bl_err *err)
{
    struct lb_entry *e = find_entry(a, id);
    struct bl_err why = {0};
    struct bl_snap_lb *part;
    int rc;
    char *text = render_one(a->st, id, err, &rc);

    if (rc < 0)
        return rc;
    if (text != NULL && e != NULL && strcmp(text, e->text) == 0) {
        free(text); /* e.g. only statuses were written */
        return 0;
    }
    if (text == NULL) {
        if (e == NULL)
            return 0;
        drop_entry(a, e);
        return 1;
    }
    if (build_part(a, id, text, &part, &why) < 0) {
        failed_add(failed, id, why.msg);
        if (e != NULL)
            drop_entry(a, e);
        free(text);
        return 1;
    }
    if (e == NULL) {
        a->lbs = bl_xrealloc(a->lbs, (a->nlbs + 1) * sizeof(*a->lbs));
        e = &a->lbs[a->nlbs++];
        e->id = bl_xstrdup(id);
    } else {
        free(e->text);
        bl_snap_lb_unref(e->part);
    }
    e->text = text;
    e->part = part;
    return 1;
}

struct candidates {
    char **ids;
    size_t n;
};

static int candidate_cb(void *ctx, const char *id)
{
    struct candidates *c = ctx;

    c->ids = bl_xrealloc(c->ids, (c->n + 1) * sizeof(*c->ids));
    c->ids[c->n++] = bl_xstrdup(id);
    return 0;
}

static int lb_candidate_cb(void *ctx, const struct bl_store_row *r)
{
    return candidate_cb(ctx, r->id);
}

/* Refreshes every load balancer written since the last applied revision (all
 * of them, in creation order, on the first run). `*changed`: a part changed. */
static int refresh_all(struct bl_agent *a, struct failed *failed, bool *changed, struct bl_err *err)
{
    struct candidates c = {NULL, 0};
    int rc = a->applied_rev < 0
                 ? bl_store_list(a->st, "loadbalancer", NULL, NULL, lb_candidate_cb, &c, err)
                 : bl_store_changed_lbs(a->st, a->applied_rev, candidate_cb, &c, err);

    *changed = false;
    for (size_t i = 0; i < c.n; i++) {
        int r = rc == 0 ? refresh(a, c.ids[i], failed, err) : 0;
        if (r < 0)
            rc = r;
        else if (r > 0)
            *changed = true;
        free(c.ids[i]);
    }
    free(c.ids);
    return rc;
}

static struct bl_snapshot *assemble(struct bl_agent *a)
{
    struct bl_snap_lb **parts = bl_xcalloc(a->nlbs ? a->nlbs : 1, sizeof(*parts));
    struct bl_snapshot *s;

    for (uint32_t i = 0; i < a->nlbs; i++)
        parts[i] = a->lbs[i].part;
    s = bl_snapshot_assemble(parts, a->nlbs, a->nworkers, ++a->generation);
    free(parts);
    return s;
}

/* ---- settling statuses ---------------------------------------------------------------------- */

struct settle {
    struct bl_store *st;
    const struct failed *failed;
    struct bl_arena *arena;
    struct {
        const char *id, *lb, *kind, *prov, *body;
        bool del;
    } * todo;
    size_t n, cap;
};

static bool admin_up(const char *body)
{
    json_t *o = json_loads(body, 0, NULL);
    json_t *v = o ? json_object_get(o, "admin_state_up") : NULL;
    bool up = v == NULL || json_is_true(v);

    json_decref(o);
    return up;
}

/* Octavia's operating status once a change is applied, before health checks
 * exist. Under the no-op provider nothing is measured: load balancers,
 * listeners and pools stay OFFLINE, as Octavia's no-op driver leaves them. */
static const char *settled_operating(const char *kind, const char *body, bool noop)
{
    bool up = admin_up(body);

    if (strcmp(kind, "member") == 0)
        return up || noop ? "NO_MONITOR" : "OFFLINE";
    if (noop && (strcmp(kind, "loadbalancer") == 0 || strcmp(kind, "listener") == 0 ||
                 strcmp(kind, "pool") == 0))
        return "OFFLINE";
    return up ? "ONLINE" : "OFFLINE";
}

/* Rows written since the last applied revision are the only ones that can be pending. */
static int settle_cb(void *ctx, const struct bl_store_row *r)
{
    struct settle *s = ctx;
    const char *lb = r->lb_id ? r->lb_id : r->id;
    bool failed = is_failed(s->failed, lb);

    if (strncmp(r->provisioning_status, "PENDING_", 8) != 0)
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->todo = bl_xrealloc(s->todo, s->cap * sizeof(*s->todo));
    }
    s->todo[s->n].id = bl_arena_strdup(s->arena, r->id);
    s->todo[s->n].lb = bl_arena_strdup(s->arena, lb);
    s->todo[s->n].kind = bl_arena_strdup(s->arena, r->kind);
    s->todo[s->n].body = bl_arena_strdup(s->arena, r->body);
    s->todo[s->n].del = is_deleting(r) && !failed;
    s->todo[s->n].prov = failed ? "ERROR" : "ACTIVE";
    s->n++;
    return 0;
}

/* Whether load balancer `lb` is of the no-op provider; `memo` keeps the answers. */
static bool lb_is_noop(struct bl_store *st, json_t *memo, const char *lb)
{
    json_t *v = json_object_get(memo, lb);

    if (v == NULL) {
        struct bl_arena *ar = bl_arena_create();
        struct bl_store_row row;
        v = json_boolean(bl_store_get(st, "loadbalancer", lb, ar, &row, NULL) == 0 &&
                         is_noop(&row));
        json_object_set_new(memo, lb, v);
        bl_arena_destroy(ar);
    }
    return json_is_true(v);
}

/* Load balancers, listeners and pools that run take their operating status
 * from the roll-up (rollup.h), written once the whole change is settled. */
static bool rolled_up(struct bl_agent *a, const char *kind, const char *lb)
{
    return (strcmp(kind, "loadbalancer") == 0 || strcmp(kind, "listener") == 0 ||
            strcmp(kind, "pool") == 0) &&
           find_entry(a, lb) != NULL;
}

/* Which pending objects a settle takes: all, or only those of the no-op
 * provider (released by bl_agent_settle_held). */
enum settle_scope { SETTLE_ALL = 0, SETTLE_NOOP };

/* Whether todo `i` is left for now: held no-op objects, or (releasing) others. */
static bool settle_skips(struct bl_agent *a, struct settle *s, json_t *noop, size_t i,
                         enum settle_scope scope)
{
    bool is = lb_is_noop(a->st, noop, s->todo[i].lb);

    return scope == SETTLE_NOOP ? !is : is && a->hold_noop;
}

static int settle_write(struct bl_agent *a, struct settle *s, json_t *noop, size_t i)
{
    const char *oper = strcmp(s->todo[i].prov, "ERROR") == 0 ? "ERROR"
                       : rolled_up(a, s->todo[i].kind, s->todo[i].lb)
                           ? NULL
                           : settled_operating(s->todo[i].kind, s->todo[i].body,
                                               lb_is_noop(a->st, noop, s->todo[i].lb));
    int r = s->todo[i].del ? bl_store_delete(a->st, s->todo[i].id, NULL)
                           : bl_store_set_status(a->st, s->todo[i].id, s->todo[i].prov, oper, NULL);

    /* Deleting a parent removes its children by cascade: skip ids already gone. */
    return r == -ENOENT ? 0 : r;
}

/* Each load balancer of the change once (`done` remembers them). */
static int settle_rollup(struct bl_agent *a, struct settle *s, json_t *done, size_t i,
                         struct bl_err *err)
{
    const char *lb = s->todo[i].lb;
    int rc;

    if (json_object_get(done, lb) != NULL || find_entry(a, lb) == NULL)
        return 0;
    json_object_set_new(done, lb, json_true());
    rc = bl_agent_rollup(a, lb, err);
    return rc < 0 ? rc : 0;
}

/* Settles the objects pending since revision `since`, as `scope` says. */
static int settle(struct bl_agent *a, int64_t since, enum settle_scope scope,
                  const struct failed *failed, struct bl_err *err)
{
    struct settle s = {a->st, failed, bl_arena_create(), NULL, 0, 0};
    json_t *noop = json_object(), *done = json_object();
    int rc = bl_store_list_since(a->st, since, settle_cb, &s, err);

    if (rc == 0 && s.n > 0) {
        rc = bl_store_begin(a->st, err);
        for (size_t i = 0; rc == 0 && i < s.n; i++) {
            if (!settle_skips(a, &s, noop, i, scope))
                rc = settle_write(a, &s, noop, i);
            else if (scope == SETTLE_ALL && since < a->held_since)
                a->held_since = since;
        }
        for (size_t i = 0; rc == 0 && i < s.n; i++)
            rc = settle_rollup(a, &s, done, i, err);
        if (rc == 0 && a->applied_rev >= 0)
            rc = bl_store_forget_deleted(a->st, a->applied_rev, err);
        if (rc == 0)
            rc = bl_store_commit(a->st, err);
        else
            bl_store_rollback(a->st);
    }
    free(s.todo);
    json_decref(noop);
    json_decref(done);
    bl_arena_destroy(s.arena);
    return rc;
}

void bl_agent_hold_noop(struct bl_agent *a, bool hold)
{
    a->hold_noop = hold;
}

int bl_agent_settle_held(struct bl_agent *a, struct bl_err *err)
{
    struct failed none = {NULL, 0};
    int64_t since, rev;
    int rc = bl_agent_sync(a, err); /* a write not yet synced holds its objects first */

    if (rc < 0 || a->held_since == HELD_NONE)
        return rc;
    since = a->held_since;
    rev = bl_store_revision(a->st);
    a->held_since = HELD_NONE;
    rc = settle(a, since, SETTLE_NOOP, &none, err);
    /* Status writes of objects that run nothing need no rebuild. */
    if (rc == 0 && a->applied_rev == rev)
        a->applied_rev = bl_store_revision(a->st);
    else if (rc < 0)
        a->held_since = since;
    return rc;
}

int bl_agent_rollup(struct bl_agent *a, const char *lb_id, struct bl_err *err)
{
    struct lb_entry *e = find_entry(a, lb_id);

    return e ? bl_rollup_lb(a->st, lb_id, e->part, err) : 0;
}

int bl_agent_rollup_all(struct bl_agent *a, struct bl_err *err)
{
    int rc = 0, n = 0;

    for (uint32_t i = 0; rc >= 0 && i < a->nlbs; i++) {
        rc = bl_rollup_lb(a->st, a->lbs[i].id, a->lbs[i].part, err);
        n += rc > 0 ? rc : 0;
    }
    return rc < 0 ? rc : n;
}

/* ---- the agent ------------------------------------------------------------------------------ */

/* Refreshes what changed, hands the workers a new snapshot if any part did,
 * settles statuses. `start`: the data plane does not exist yet. */
static int apply(struct bl_agent *a, bool start, struct bl_err *err)
{
    struct failed failed = {NULL, 0};
    bool changed;
    int rc = refresh_all(a, &failed, &changed, err);

    a->dirty |= changed;
    if (rc == 0 && start)
        rc = bl_dataplane_start(a->nworkers, assemble(a), &a->dp, err);
    else if (rc == 0 && a->dirty)
        bl_dataplane_apply(a->dp, assemble(a));
    if (rc == 0) {
        changed = a->dirty || start;
        a->dirty = false;
        rc = settle(a, a->applied_rev, SETTLE_ALL, &failed, err);
    }
    if (rc == 0)
        a->applied_rev = bl_store_revision(a->st); /* our own status writes need no rebuild */
    if (rc == 0 && changed && !start && a->on_apply)
        a->on_apply(a->on_apply_ctx, bl_dataplane_snapshot(a->dp));
    failed_free(&failed);
    return rc;
}

int bl_agent_sync(struct bl_agent *a, struct bl_err *err)
{
    int64_t rev = bl_store_revision(a->st);

    if (rev < 0)
        return bl_err_set(err, -EIO, "cannot read the store revision");
    if (rev == a->applied_rev)
        return 0;
    return apply(a, false, err);
}

void bl_agent_on_apply(struct bl_agent *a, void (*cb)(void *ctx, struct bl_snapshot *s), void *ctx)
{
    a->on_apply = cb;
    a->on_apply_ctx = ctx;
    if (cb)
        cb(ctx, bl_dataplane_snapshot(a->dp));
}

int bl_agent_start(struct bl_store *st, unsigned nworkers, const char *certs_dir,
                   struct bl_agent **out, struct bl_err *err)
{
    struct bl_agent *a = bl_xcalloc(1, sizeof(*a));
    int rc;

    a->st = st;
    a->nworkers = nworkers;
    a->certs_dir = certs_dir ? bl_xstrdup(certs_dir) : NULL;
    a->applied_rev = -1; /* everything is new */
    a->held_since = HELD_NONE;
    rc = apply(a, true, err);
    if (rc < 0) {
        bl_agent_stop(a);
        return rc;
    }
    *out = a;
    return 0;
}

void bl_agent_stop(struct bl_agent *a)
{
    if (a == NULL)
        return;
    bl_dataplane_stop(a->dp);
    for (uint32_t i = 0; i < a->nlbs; i++) {
        free(a->lbs[i].id);
        free(a->lbs[i].text);
        bl_snap_lb_unref(a->lbs[i].part);
    }
    free(a->lbs);
    free(a->certs_dir);
    free(a);
}

struct bl_dataplane *bl_agent_dataplane(struct bl_agent *a)
{
    return a->dp;
}
