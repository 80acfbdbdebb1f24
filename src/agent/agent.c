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

#include "config/parse.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "proxy/dataplane.h"

#define MAX_FAILED 64 /* load balancers set aside in one sync, at most */

struct bl_agent {
    struct bl_store *st;
    void (*on_apply)(void *ctx, struct bl_snapshot *s); /* may be NULL */
    void *on_apply_ctx;
    unsigned nworkers;
    char *certs_dir; /* where certificate ids are read (config/certs.h); NULL = none */
    struct bl_dataplane *dp;
    uint64_t generation;
    int64_t applied_rev; /* store revision the data plane reflects */
};

static const char *const child_kinds[] = {"listener", "pool", "member", "healthmonitor",
                                          "l7policy", "l7rule"};

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

    json_array_foreach(pools, i, p) {
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
    json_t *pools;
    int rc = 0;

    json_object_set_new(lb, "listeners", list_json(st, "listener", id, NULL, err, &rc));
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

    json_array_foreach(all, i, lb) {
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

int bl_agent_check_lb(struct bl_store *st, const char *lb_id, struct bl_err *err)
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
    if (rc == 0)
        bl_cfg_free(cfg);
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

/* ---- building: set aside load balancers that cannot run ------------------------------------- */

struct lb_ids {
    char *ids[MAX_FAILED + 1]; /* NULL-terminated */
    char *why[MAX_FAILED];
    unsigned n;
};

static void lb_ids_free(struct lb_ids *f)
{
    for (unsigned i = 0; i < f->n; i++) {
        free(f->ids[i]);
        free(f->why[i]);
    }
}

/* One attempt: render, parse, build. `*bad` names the load balancer whose
 * listener failed to open, if that is why the build failed. */
static int build_once(struct bl_agent *a, const struct lb_ids *failed, struct bl_snapshot **out,
                      const char **bad_id, json_t **docp, struct bl_err *err)
{
    json_t *doc = render_doc(a->st, (const char *const *)failed->ids, err);
    struct bl_cfg *cfg;
    char *text;
    int rc, bad = -1;

    *docp = doc;
    if (doc == NULL)
        return err && err->code ? err->code : -EIO;
    text = json_dumps(doc, JSON_COMPACT);
    rc = bl_cfg_parse(text, strlen(text), &cfg, err);
    free(text);
    /* The API validates every object, so a parse error means two load
     * balancers clash (same VIP and port): the path names the second one. */
    if (rc < 0 && (err == NULL || sscanf(err->msg, "loadbalancers[%d]", &bad) != 1))
        return rc;
    if (rc == 0) {
        cfg->certs_dir = a->certs_dir; /* outlives every snapshot of this agent */
        rc = bl_snapshot_build(cfg, a->nworkers, a->generation + 1, out, err, &bad);
    }
    if (rc < 0 && bad >= 0)
        *bad_id = json_string_value(
            json_object_get(json_array_get(json_object_get(doc, "loadbalancers"), bad), "id"));
    return rc;
}

static int build(struct bl_agent *a, struct lb_ids *failed, struct bl_snapshot **out,
                 struct bl_err *err)
{
    for (;;) {
        const char *bad_id = NULL;
        json_t *doc = NULL;
        int rc = build_once(a, failed, out, &bad_id, &doc, err);
        if (rc == 0 || bad_id == NULL || failed->n == MAX_FAILED) {
            json_decref(doc);
            return rc;
        }
        bl_log(BL_LOG_ERROR, "load balancer %s: %s", bad_id, err ? err->msg : "build failed");
        failed->ids[failed->n] = bl_xstrdup(bad_id);
        failed->why[failed->n++] = bl_xstrdup(err ? err->msg : "");
        json_decref(doc);
    }
}

/* ---- settling statuses ---------------------------------------------------------------------- */

struct settle {
    struct bl_store *st;
    const struct lb_ids *failed;
    json_t *noop; /* ids of no-op load balancers, as object keys */
    struct bl_arena *arena;
    struct { const char *id, *prov, *oper; bool del; } *todo;
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
static const char *settled_operating(const struct bl_store_row *r, bool noop)
{
    bool up = admin_up(r->body);

    if (strcmp(r->kind, "member") == 0)
        return up || noop ? "NO_MONITOR" : "OFFLINE";
    if (noop && (strcmp(r->kind, "loadbalancer") == 0 || strcmp(r->kind, "listener") == 0 ||
                 strcmp(r->kind, "pool") == 0))
        return "OFFLINE";
    return up ? "ONLINE" : "OFFLINE";
}

static int settle_cb(void *ctx, const struct bl_store_row *r)
{
    struct settle *s = ctx;
    const char *lb = r->lb_id ? r->lb_id : r->id;
    bool failed = skipped((const char *const *)s->failed->ids, lb);

    if (strncmp(r->provisioning_status, "PENDING_", 8) != 0)
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->todo = bl_xrealloc(s->todo, s->cap * sizeof(*s->todo));
    }
    s->todo[s->n].id = bl_arena_strdup(s->arena, r->id);
    s->todo[s->n].del = is_deleting(r) && !failed;
    s->todo[s->n].prov = failed ? "ERROR" : "ACTIVE";
    s->todo[s->n].oper =
        failed ? "ERROR" : settled_operating(r, json_object_get(s->noop, lb) != NULL);
    s->n++;
    return 0;
}

static int noop_cb(void *ctx, const struct bl_store_row *r)
{
    if (is_noop(r))
        json_object_set_new(ctx, r->id, json_true());
    return 0;
}

static int settle(struct bl_agent *a, const struct lb_ids *failed, struct bl_err *err)
{
    struct settle s = {a->st, failed, json_object(), bl_arena_create(), NULL, 0, 0};
    int rc = bl_store_list(a->st, "loadbalancer", NULL, NULL, noop_cb, s.noop, err);

    if (rc == 0)
        rc = bl_store_list(a->st, "loadbalancer", NULL, NULL, settle_cb, &s, err);

    for (size_t k = 0; rc == 0 && k < sizeof(child_kinds) / sizeof(child_kinds[0]); k++)
        rc = bl_store_list(a->st, child_kinds[k], NULL, NULL, settle_cb, &s, err);
    if (rc == 0 && s.n > 0) {
        rc = bl_store_begin(a->st, err);
        /* Deleting a parent removes its children by cascade: skip ids already gone. */
        for (size_t i = 0; rc == 0 && i < s.n; i++) {
            int r = s.todo[i].del ? bl_store_delete(a->st, s.todo[i].id, NULL)
                                  : bl_store_set_status(a->st, s.todo[i].id, s.todo[i].prov,
                                                        s.todo[i].oper, NULL);
            rc = (r == -ENOENT) ? 0 : r;
        }
        if (rc == 0)
            rc = bl_store_commit(a->st, err);
        else
            bl_store_rollback(a->st);
    }
    free(s.todo);
    json_decref(s.noop);
    bl_arena_destroy(s.arena);
    return rc;
}

/* ---- the agent ------------------------------------------------------------------------------ */

int bl_agent_sync(struct bl_agent *a, struct bl_err *err)
{
    int64_t rev = bl_store_revision(a->st);
    struct lb_ids failed = {.n = 0};
    struct bl_snapshot *snap;
    int rc;

    if (rev < 0)
        return bl_err_set(err, -EIO, "cannot read the store revision");
    if (rev == a->applied_rev)
        return 0;
    rc = build(a, &failed, &snap, err);
    if (rc == 0) {
        a->generation = snap->generation;
        bl_dataplane_apply(a->dp, snap);
        rc = settle(a, &failed, err);
    }
    if (rc == 0)
        a->applied_rev = bl_store_revision(a->st); /* our own status writes need no rebuild */
    if (rc == 0 && a->on_apply)
        a->on_apply(a->on_apply_ctx, bl_dataplane_snapshot(a->dp));
    lb_ids_free(&failed);
    return rc;
}

void bl_agent_on_apply(struct bl_agent *a, void (*cb)(void *ctx, struct bl_snapshot *s),
                       void *ctx)
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
    struct lb_ids failed = {.n = 0};
    struct bl_snapshot *snap;
    int rc;

    a->st = st;
    a->nworkers = nworkers;
    a->certs_dir = certs_dir ? bl_xstrdup(certs_dir) : NULL;
    rc = build(a, &failed, &snap, err);
    if (rc == 0) {
        a->generation = snap->generation;
        rc = bl_dataplane_start(nworkers, snap, &a->dp, err);
    }
    if (rc == 0)
        rc = settle(a, &failed, err);
    lb_ids_free(&failed);
    if (rc < 0) {
        bl_agent_stop(a);
        return rc;
    }
    a->applied_rev = bl_store_revision(st);
    *out = a;
    return 0;
}

void bl_agent_stop(struct bl_agent *a)
{
    if (a == NULL)
        return;
    bl_dataplane_stop(a->dp);
    free(a->certs_dir);
    free(a);
}

struct bl_dataplane *bl_agent_dataplane(struct bl_agent *a)
{
    return a->dp;
}
