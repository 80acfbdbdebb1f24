/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Routing and the generic half of every resource: create, show, list, update,
 * delete, with the kind-specific checks delegated to resource_ops. Listing is
 * done in memory over the rendered objects (filter on any field, sort,
 * marker pagination, fields=), which keeps one code path for every resource.
 */
#include "api/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/xalloc.h"

#define DEFAULT_PROJECT "ballast"
#define API_MINOR_MAX 26 /* advertise v2.0 .. v2.26 as Octavia 11 does */

/* ---- responses ---------------------------------------------------------------------------- */

static void reply(struct ctx *c, int status, json_t *doc)
{
    c->resp->status = status;
    c->resp->body = doc ? json_dumps(doc, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(doc);
}

/* jansson refuses invalid UTF-8 and the answer would lose its body: bytes
 * that are not UTF-8 (a value cut to fit a buffer) become '?'. */
static void make_utf8(char *msg)
{
    size_t len = strlen(msg);

    for (size_t i = 0; i < len;) {
        size_t k = bl_utf8_seq((const unsigned char *)msg + i, len - i);
        if (k == 0)
            msg[i++] = '?';
        else
            i += k;
    }
}

int fault(struct ctx *c, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    make_utf8(msg);
    reply(c, status,
          json_pack("{s:s, s:s, s:n}", "faultcode", status >= 500 ? "Server" : "Client",
                    "faultstring", msg, "debuginfo"));
    return -EINVAL;
}

int http_error(struct ctx *c, int status, const char *title, const char *description)
{
    char desc[512];

    snprintf(desc, sizeof(desc), "%s", description);
    make_utf8(desc);
    reply(c, status,
          json_pack("{s:i, s:s, s:s}", "code", status, "title", title, "description", desc));
    return -EINVAL;
}

static void not_found(struct ctx *c)
{
    http_error(c, 404, "Not Found", "");
}

static void not_allowed(struct ctx *c)
{
    http_error(c, 405, "Method Not Allowed", "");
}

/* ---- rows ----------------------------------------------------------------------------------- */

json_t *row_body(const struct bl_store_row *row)
{
    json_t *o = json_loads(row->body, 0, NULL);
    return o ? o : json_object();
}

static bool visible(const struct ctx *c, const struct bl_store_row *row)
{
    return c->grant.read_all || (row->project_id && strcmp(row->project_id, c->project) == 0);
}

int may_write(struct ctx *c, const char *project)
{
    bool own = project == NULL || strcmp(project, c->project) == 0;

    if (c->grant.write_all || (own && c->grant.write_own))
        return 0;
    return fault(c, 403, "Policy does not allow this request to be performed.");
}

int load(struct ctx *c, const struct resource *r, const char *id, struct bl_store_row *row)
{
    if (bl_store_get(c->api->st, r ? r->kind : NULL, id, c->arena, row, NULL) < 0)
        return fault(c, 404, "%s %s not found.", r ? r->title : "Object", id);
    if (strcmp(row->provisioning_status, "DELETED") == 0)
        return fault(c, 404, "%s %s not found.", r ? r->title : "Object", id);
    /* Octavia's policy: another project's object is forbidden, not hidden. */
    if (!visible(c, row))
        return fault(c, 403, "Policy does not allow this request to be performed.");
    return 0;
}

int lock(struct ctx *c, const char *id)
{
    if (c->graph)
        return 0; /* everything in a graph create is PENDING_CREATE already */
    if (bl_store_set_status(c->api->st, id, "PENDING_UPDATE", NULL, NULL) < 0)
        return fault(c, 500, "cannot lock %s", id);
    return 0;
}

int lock_lb(struct ctx *c, const char *lb_id)
{
    struct bl_store_row lb;

    if (load(c, &bl_res_loadbalancer, lb_id, &lb) < 0)
        return -ENOENT;
    if (may_write(c, lb.project_id) < 0)
        return -EPERM;
    c->touched_lb = lb.id;
    if (c->graph)
        return 0;
    if (strcmp(lb.provisioning_status, "ACTIVE") != 0)
        return fault(c, 409, "Load Balancer %s is immutable and cannot be updated.", lb_id);
    return lock(c, lb_id);
}

int rewrite(struct ctx *c, const struct bl_store_row *row, json_t *body, const char *prov)
{
    struct bl_store_row r = *row;
    char *text = json_dumps(body, JSON_COMPACT);
    int rc;

    r.body = text;
    r.updated_at = c->now;
    r.provisioning_status = prov ? prov : row->provisioning_status;
    rc = bl_store_update(c->api->st, &r, NULL);
    free(text);
    return rc < 0 ? fault(c, 500, "cannot update %s", row->id) : 0;
}

struct rows {
    struct bl_store_row *v;
    size_t n, cap;
    struct bl_arena *arena;
};

static const char *adup(struct bl_arena *a, const char *s)
{
    return s ? bl_arena_strdup(a, s) : NULL;
}

static int rows_cb(void *arg, const struct bl_store_row *r)
{
    struct rows *rs = arg;

    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->v = bl_xrealloc(rs->v, rs->cap * sizeof(*rs->v));
    }
    rs->v[rs->n++] = (struct bl_store_row){adup(rs->arena, r->kind),
                                           adup(rs->arena, r->id),
                                           adup(rs->arena, r->lb_id),
                                           adup(rs->arena, r->parent_id),
                                           adup(rs->arena, r->project_id),
                                           adup(rs->arena, r->provisioning_status),
                                           adup(rs->arena, r->operating_status),
                                           adup(rs->arena, r->created_at),
                                           adup(rs->arena, r->updated_at),
                                           r->revision,
                                           adup(rs->arena, r->body)};
    return 0;
}

int each_row(struct ctx *c, const char *kind, const char *lb, const char *parent,
             int (*cb)(struct ctx *c, const struct bl_store_row *row, void *arg), void *arg)
{
    struct rows rs = {NULL, 0, 0, c->arena};
    int rc = bl_store_list(c->api->st, kind, lb, parent, rows_cb, &rs, NULL);

    for (size_t i = 0; rc == 0 && i < rs.n; i++)
        rc = cb(c, &rs.v[i], arg);
    free(rs.v);
    return rc;
}

static int add_id(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    (void)c;
    json_array_append_new(arg, json_pack("{s:s}", "id", row->id));
    return 0;
}

json_t *id_list(struct ctx *c, const char *kind, const char *lb, const char *parent)
{
    json_t *a = json_array();
    each_row(c, kind, lb, parent, add_id, a);
    return a;
}

/* The object as Octavia shows it. */
json_t *render(struct ctx *c, const struct resource *r, const struct bl_store_row *row)
{
    json_t *o = row_body(row);

    json_object_set_new(o, "id", json_string(row->id));
    json_object_set_new(o, "project_id", json_string(row->project_id ? row->project_id : ""));
    json_object_set_new(o, "tenant_id", json_string(row->project_id ? row->project_id : ""));
    json_object_set_new(o, "provisioning_status", json_string(row->provisioning_status));
    json_object_set_new(o, "operating_status", json_string(row->operating_status));
    json_object_set_new(o, "created_at", json_string(row->created_at));
    json_object_set_new(o, "updated_at",
                        row->updated_at ? json_string(row->updated_at) : json_null());
    if (r->ops->decorate)
        r->ops->decorate(c, o, row);
    return o;
}

/* ---- the five verbs -------------------------------------------------------------------------- */

static void schedule_sync(struct bl_api *api);
static void settle_held(struct bl_api *api);

/* Unwraps {"<singular>": {...}} with Octavia's messages for the ways it can be wrong. */
static json_t *unwrap(struct ctx *c, const struct resource *r)
{
    json_error_t jerr;
    json_t *doc, *in;

    if (c->req->body_len == 0) {
        fault(c, 400, "Missing argument: \"%s\"", r->arg);
        return NULL;
    }
    doc = json_loadb(c->req->body, c->req->body_len, 0, &jerr);
    if (doc == NULL) {
        fault(c, 400, "Request is not in valid JSON format");
        return NULL;
    }
    in = json_object_get(doc, r->singular);
    if (!json_is_object(doc) || in == NULL || !json_is_object(in) || json_object_size(doc) != 1) {
        const char *key = json_is_object(doc) && json_object_size(doc) > 0
                              ? json_object_iter_key(json_object_iter(doc))
                              : r->singular;
        if (json_is_object(doc) && in == NULL)
            fault(c, 400, "Unknown attribute for argument %s: %s", r->arg, key);
        else
            fault(c, 400, "Invalid input for field/attribute %s. Value: '%s'. Invalid type", r->arg,
                  key);
        json_decref(doc);
        return NULL;
    }
    json_incref(in);
    json_decref(doc);
    return in;
}

/* Runs `fn` in one store transaction; commits when it returns 0. */
/* Before committing: what the data plane will run must parse, or the load
 * balancer would go to ERROR after a 2xx. The no-op provider runs nothing. */
static int check_runnable(struct ctx *c)
{
    struct bl_err err = {0};

    if (c->touched_lb == NULL || bl_api_lb_is_noop(c, c->touched_lb))
        return 0;
    if (bl_agent_check_lb(c->api->st, c->touched_lb, bl_agent_certs_dir(c->api->agent), &err) < 0)
        return fault(c, 400, "Validation failure: %s", err.msg);
    return 0;
}

int bl_api_in_txn(struct ctx *c, int (*fn)(struct ctx *c, void *arg), void *arg)
{
    int rc;

    if (bl_store_begin(c->api->st, NULL) < 0)
        return fault(c, 503, "Project busy. Unable to lock the project.  Please try again.");
    rc = fn(c, arg);
    if (rc == 0)
        rc = check_runnable(c);
    if (rc == 0 && bl_store_commit(c->api->st, NULL) < 0)
        rc = fault(c, 500, "cannot commit");
    if (rc != 0)
        bl_store_rollback(c->api->st);
    else
        schedule_sync(c->api);
    bl_api_vip_txn_end(c, rc == 0);
    return rc;
}

struct create_args {
    const struct resource *r;
    json_t *in;
    const char *parent; /* from the URL (members) */
    char id[37];
};

int bl_api_create_row(struct ctx *c, const struct resource *r, json_t *in, const char *parent,
                      const char *id)
{
    struct bl_err err = {0};
    json_t *obj = json_object();
    struct bl_store_row row = {.kind = r->kind,
                               .id = id,
                               .parent_id = parent,
                               .project_id = c->project,
                               .provisioning_status = "PENDING_CREATE",
                               .operating_status = "OFFLINE",
                               .created_at = c->now};
    char arg_name[128];
    int rc;

    snprintf(arg_name, sizeof(arg_name), "%s.%s", r->arg, r->singular);
    rc = bl_fields_apply(r->spec, true, arg_name, in, obj, &err);
    if (rc < 0)
        rc = fault(c, 400, "%s", err.msg);
    if (rc == 0)
        rc = r->ops->create(c, obj, &row);
    if (rc == 0)
        rc = bl_api_quota_check(c, r->kind);
    if (rc == 0) {
        char *text = json_dumps(obj, JSON_COMPACT);
        row.body = text;
        if (bl_store_insert(c->api->st, &row, &err) < 0)
            rc = fault(c, 500, "cannot store %s: %s", id, err.msg);
        free(text);
    }
    if (rc == 0 && r == &bl_res_loadbalancer)
        c->touched_lb = bl_arena_strdup(c->arena, id);
    if (rc == 0 && r->ops->created)
        rc = r->ops->created(c, &row);
    json_decref(obj);
    return rc;
}

static int do_create(struct ctx *c, void *arg)
{
    struct create_args *a = arg;
    return bl_api_create_row(c, a->r, a->in, a->parent, a->id);
}

static void create(struct ctx *c, const struct resource *r, const char *parent)
{
    struct create_args a = {r, unwrap(c, r), parent, ""};
    struct bl_store_row row;

    if (a.in == NULL)
        return;
    bl_uuid_new(a.id);
    if (bl_api_in_txn(c, do_create, &a) == 0 && load(c, r, a.id, &row) == 0) {
        json_t *obj = render(c, r, &row);
        if (c->graph)
            bl_api_graph_expand(c, obj);
        reply(c, 201, json_pack("{s:o}", r->singular, obj));
    }
    json_decref(c->graph);
    c->graph = NULL;
    json_decref(a.in);
}

/* Loads a member through its pool's URL: another pool's member is not found. */
static int load_under(struct ctx *c, const struct resource *r, const char *id, const char *parent,
                      struct bl_store_row *row)
{
    if (load(c, r, id, row) < 0)
        return -ENOENT;
    if (parent && (!row->parent_id || strcmp(row->parent_id, parent) != 0))
        return fault(c, 404, "%s %s not found.", r->title, id);
    return 0;
}

static void show(struct ctx *c, const struct resource *r, const char *id, const char *parent)
{
    struct bl_store_row row;
    json_t *obj;

    if (load_under(c, r, id, parent, &row) < 0)
        return;
    obj = render(c, r, &row);
    bl_api_select_fields(c, &obj);
    reply(c, 200, json_pack("{s:o}", r->singular, obj));
}

struct update_args {
    const struct resource *r;
    const char *id;
    json_t *in;
    const char *parent;
};

static int do_update(struct ctx *c, void *arg)
{
    struct update_args *a = arg;
    struct bl_store_row row;
    struct bl_err err = {0};
    char arg_name[128];
    json_t *obj;
    int rc;

    if (load_under(c, a->r, a->id, a->parent, &row) < 0)
        return -ENOENT;
    if (may_write(c, row.project_id) < 0)
        return -EPERM;
    obj = row_body(&row);
    snprintf(arg_name, sizeof(arg_name), "%s.%s", a->r->arg, a->r->singular);
    rc = bl_fields_apply(a->r->spec, false, arg_name, a->in, obj, &err);
    if (rc < 0)
        rc = fault(c, 400, "%s", err.msg);
    if (rc == 0)
        rc = a->r->ops->update(c, obj, &row);
    if (rc == 0)
        rc = rewrite(c, &row, obj, "PENDING_UPDATE");
    json_decref(obj);
    return rc;
}

static void update(struct ctx *c, const struct resource *r, const char *id, const char *parent)
{
    struct update_args a = {r, id, unwrap(c, r), parent};
    struct bl_store_row row;

    if (a.in == NULL)
        return;
    if (bl_api_in_txn(c, do_update, &a) == 0 && load(c, r, id, &row) == 0)
        reply(c, 200, json_pack("{s:o}", r->singular, render(c, r, &row)));
    json_decref(a.in);
}

struct remove_args {
    const struct resource *r;
    const char *id;
    const char *parent;
};

static int do_remove(struct ctx *c, void *arg)
{
    struct remove_args *a = arg;
    struct bl_store_row row;
    int rc;

    if (load_under(c, a->r, a->id, a->parent, &row) < 0)
        return -ENOENT;
    if (may_write(c, row.project_id) < 0)
        return -EPERM;
    rc = a->r->ops->remove(c, &row);
    if (rc == 0 && bl_store_set_status(c->api->st, row.id, "PENDING_DELETE", NULL, NULL) < 0)
        rc = fault(c, 500, "cannot delete %s", row.id);
    return rc;
}

static void remove_obj(struct ctx *c, const struct resource *r, const char *id, const char *parent)
{
    struct remove_args a = {r, id, parent};

    if (bl_api_in_txn(c, do_remove, &a) == 0)
        reply(c, 204, NULL);
}

/* ---- listing ------------------------------------------------------------------------------ */

struct listing {
    const struct resource *r;
    json_t *all;
};

static int list_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct listing *l = arg;

    if (visible(c, row))
        json_array_append_new(l->all, render(c, l->r, row));
    return 0;
}

static void list(struct ctx *c, const struct resource *r, const char *parent)
{
    struct listing l = {r, json_array()};

    each_row(c, r->kind, NULL, parent, list_cb, &l);
    bl_api_list_reply(c, r, l.all);
    json_decref(l.all);
}

/* ---- stats and status ----------------------------------------------------------------------- */

static void stats(struct ctx *c, const struct resource *r, const char *id)
{
    struct bl_store_row row;
    json_t *acc;

    if (load(c, r, id, &row) < 0)
        return;
    acc = json_pack("{s:i, s:i, s:i, s:i, s:i}", "bytes_in", 0, "bytes_out", 0,
                    "active_connections", 0, "total_connections", 0, "request_errors", 0);
    if (r == &bl_res_listener) {
        bl_api_listener_stats(c, id, acc);
    } else {
        json_t *ls = id_list(c, "listener", id, NULL), *e;
        size_t i;
        json_array_foreach(ls, i, e)
            bl_api_listener_stats(c, json_string_value(json_object_get(e, "id")), acc);
        json_decref(ls);
    }
    reply(c, 200, json_pack("{s:o}", "stats", acc));
}

/* ---- routing -------------------------------------------------------------------------------- */

/* The release date of each v2.N, as Octavia publishes them. */
static const char *const version_dates[API_MINOR_MAX + 1] = {
    "2016-12-11T00:00:00Z", "2018-04-20T00:00:00Z", "2018-07-31T00:00:00Z", "2018-12-18T00:00:00Z",
    "2018-12-19T00:00:00Z", "2019-01-21T00:00:00Z", "2019-01-25T00:00:00Z", "2018-01-25T12:00:00Z",
    "2019-02-12T00:00:00Z", "2019-03-04T00:00:00Z", "2019-03-05T00:00:00Z", "2019-06-24T00:00:00Z",
    "2019-09-11T00:00:00Z", "2019-09-13T00:00:00Z", "2019-11-10T00:00:00Z", "2020-03-10T00:00:00Z",
    "2020-03-15T00:00:00Z", "2020-04-29T00:00:00Z", "2020-04-29T01:00:00Z", "2020-05-12T00:00:00Z",
    "2020-08-02T00:00:00Z", "2020-09-03T00:00:00Z", "2020-09-04T00:00:00Z", "2020-09-07T00:00:00Z",
    "2020-10-15T00:00:00Z", "2021-10-02T00:00:00Z", "2022-08-29T00:00:00Z",
};

static void versions(struct ctx *c)
{
    json_t *vs = json_array();
    char href[300], id[16];

    snprintf(href, sizeof(href), "%s/v2", c->req->base_url);
    for (int m = 0; m <= API_MINOR_MAX; m++) {
        snprintf(id, sizeof(id), "v2.%d", m);
        json_array_append_new(vs,
                              json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}]}", "id", id, "status",
                                        m == API_MINOR_MAX ? "CURRENT" : "SUPPORTED", "updated",
                                        version_dates[m], "links", "href", href, "rel", "self"));
    }
    reply(c, 200, json_pack("{s:o}", "versions", vs));
}

static const struct resource *by_plural(const char *name)
{
    static const struct resource *const all[] = {&bl_res_loadbalancer, &bl_res_listener,
                                                 &bl_res_pool, &bl_res_healthmonitor,
                                                 &bl_res_l7policy};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(all[i]->plural, name) == 0)
            return all[i];
    }
    return NULL;
}

static bool is(const struct ctx *c, const char *method)
{
    return strcmp(c->req->method, method) == 0;
}

static int do_failover(struct ctx *c, void *arg)
{
    struct bl_store_row lb;

    if (load(c, &bl_res_loadbalancer, arg, &lb) < 0)
        return -ENOENT;
    /* Octavia allows it from ACTIVE and ERROR: the agent rebuilds the load
     * balancer, which also retries one that could not open its listeners. */
    if (strcmp(lb.provisioning_status, "ACTIVE") != 0 &&
        strcmp(lb.provisioning_status, "ERROR") != 0)
        return fault(c, 409, "Invalid state %s of loadbalancer resource %s", lb.provisioning_status,
                     lb.id);
    /* The VIP port survives a failover (as Octavia's): re-added if missing. */
    if (bl_api_vip_ensure(c, &lb) < 0)
        return -EIO;
    if (bl_store_set_status(c->api->st, lb.id, "PENDING_UPDATE", NULL, NULL) < 0)
        return fault(c, 500, "cannot fail over %s", lb.id);
    return 0;
}

static void failover(struct ctx *c, const char *id)
{
    if (bl_api_in_txn(c, do_failover, (void *)id) == 0)
        reply(c, 202, NULL);
}

/* Collection or item routes of one resource; `seg` are the path segments after it. */
static void route_resource(struct ctx *c, const struct resource *r, char **seg, int n,
                           const char *parent)
{
    bool lb = r == &bl_res_loadbalancer;

    if (!is(c, "GET") && may_write(c, NULL) < 0)
        return;
    if (n == 0 && is(c, "PUT") && r == &bl_res_member)
        bl_api_members_batch(c, parent);
    else if (n == 2 && is(c, "PUT") && lb && strcmp(seg[1], "failover") == 0)
        failover(c, seg[0]);
    else if (n == 0 && is(c, "GET"))
        list(c, r, parent);
    else if (n == 0 && is(c, "POST"))
        create(c, r, parent);
    else if (n == 1 && is(c, "GET"))
        show(c, r, seg[0], parent);
    else if (n == 1 && is(c, "PUT"))
        update(c, r, seg[0], parent);
    else if (n == 1 && is(c, "DELETE"))
        remove_obj(c, r, seg[0], parent);
    else if (n == 2 && is(c, "GET") && strcmp(seg[1], "stats") == 0 &&
             (lb || r == &bl_res_listener))
        stats(c, r, seg[0]);
    else if (n == 2 && is(c, "GET") && lb &&
             (strcmp(seg[1], "status") == 0 || strcmp(seg[1], "statuses") == 0)) {
        struct bl_store_row row;
        if (load(c, r, seg[0], &row) == 0)
            reply(c, 200,
                  json_pack("{s:{s:o}}", "statuses", "loadbalancer", bl_api_status_tree(c, &row)));
    } else if (n <= 1)
        not_allowed(c);
    else
        not_found(c);
}

/* Keystone mode: the token decides the project and what may be done. */
static bool authenticate(struct ctx *c)
{
    const struct bl_user *u = bl_auth_user(c->api->auth, c->req->auth_token);

    if (u == NULL) {
        reply(c, 401,
              json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 401, "title", "Unauthorized",
                        "message", "The request you have made requires authentication."));
        return false;
    }
    c->grant = bl_auth_grant(u);
    c->project = c->grant.project_id;
    return true;
}

static void route(struct ctx *c)
{
    char *path = bl_arena_strdup(c->arena, c->req->path), *seg[16], *save = NULL;
    int n = 0;

    for (char *t = strtok_r(path, "/", &save); t && n < 16; t = strtok_r(NULL, "/", &save))
        seg[n++] = t;
    if (n > 0 && strcmp(seg[0], "load-balancer") == 0) { /* devstack-style catalog prefix */
        memmove(seg, seg + 1, sizeof(seg[0]) * (size_t)--n);
    }
    if (n == 0 && is(c, "GET")) {
        versions(c);
        return;
    }
    if (c->api->auth && bl_api_keystone(c, seg, n))
        return;
    if (c->api->auth && !authenticate(c))
        return;
    if (n < 1 || (strcmp(seg[0], "v2") != 0 && strcmp(seg[0], "v2.0") != 0)) {
        not_found(c);
        return;
    }
    if (is(c, "GET") && n >= 2 && strcmp(seg[1], "lbaas") != 0 && bl_api_neutron(c, seg, n))
        return;
    if ((n == 1 || (n == 2 && strcmp(seg[1], "lbaas") == 0)) && is(c, "GET")) {
        reply(c, 200, json_string("v2"));
        return;
    }
    if (n >= 3 && strcmp(seg[1], "octavia") == 0 && strcmp(seg[2], "amphorae") == 0 &&
        bl_api_amphorae_route(c, seg + 2, n - 2))
        return;
    if (n >= 3 && strcmp(seg[1], "lbaas") == 0) {
        const struct resource *r = by_plural(seg[2]);
        if (r == &bl_res_pool && n >= 5 && strcmp(seg[4], "members") == 0) {
            struct bl_store_row pool;
            if (load(c, &bl_res_pool, seg[3], &pool) == 0)
                route_resource(c, &bl_res_member, seg + 5, n - 5, seg[3]);
            return;
        }
        if (r == &bl_res_l7policy && n >= 5 && strcmp(seg[4], "rules") == 0) {
            struct bl_store_row pol;
            if (bl_store_get(c->api->st, "l7policy", seg[3], c->arena, &pol, NULL) < 0)
                fault(c, 404, "L7Policy %s not found.", seg[3]);
            else if (load(c, &bl_res_l7policy, seg[3], &pol) == 0)
                route_resource(c, &bl_res_l7rule, seg + 5, n - 5, seg[3]);
            return;
        }
        if (r != NULL) {
            route_resource(c, r, seg + 3, n - 3, NULL);
            return;
        }
        if (bl_api_admin_route(c, seg + 2, n - 2))
            return;
        if (strcmp(seg[2], "providers") == 0 && n == 3 && is(c, "GET")) {
            json_t *all =
                json_pack("[{s:s, s:s}, {s:s, s:s}]", "name", BL_PROVIDER_BALLAST, "description",
                          "The ballast in-process data plane.", "name", BL_PROVIDER_NOOP,
                          "description", "The no-op driver that stores objects and runs nothing.");
            bl_api_list_named(c, "providers", all);
            json_decref(all);
            return;
        }
    }
    not_found(c);
}

void bl_api_handle(void *ctxp, const struct bl_api_req *req, struct bl_api_resp *resp)
{
    struct bl_api *api = ctxp;
    struct ctx c = {.api = api, .req = req, .resp = resp, .arena = bl_arena_create()};
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(c.now, sizeof(c.now), "%Y-%m-%dT%H:%M:%S", &tm);
    c.project = req->project_id && req->project_id[0] ? req->project_id : DEFAULT_PROJECT;
    /* noauth (the default on loopback): every caller is an admin, as in Octavia. */
    c.grant = (struct bl_grant){c.project, true, true, true};
    if (api->noop_next_request && !req->no_settle)
        settle_held(api);
    route(&c);
    json_decref(c.l7rules);
    if (resp->status == 0)
        fault(&c, 500, "no answer");
    bl_log(BL_LOG_DEBUG, "api: %s %s -> %d", req->method, req->path, resp->status);
    bl_arena_destroy(c.arena);
}

/* ---- agent hook ----------------------------------------------------------------------------- */

static void on_sync(struct bl_loop *loop, struct bl_defer *d)
{
    struct bl_api *api = bl_container_of(d, struct bl_api, sync_d);
    struct bl_err err = {0};

    (void)loop;
    if (bl_agent_sync(api->agent, &err) < 0)
        bl_log(BL_LOG_ERROR, "agent: %s", err.msg);
}

static void schedule_sync(struct bl_api *api)
{
    bl_loop_defer(api->loop, &api->sync_d, on_sync);
}

static void settle_held(struct bl_api *api)
{
    struct bl_err err = {0};

    if (bl_agent_settle_held(api->agent, &err) < 0)
        bl_log(BL_LOG_ERROR, "agent: %s", err.msg);
}

void bl_api_set_noop_settle(struct bl_api *api, bool next_request)
{
    api->noop_next_request = next_request;
    bl_agent_hold_noop(api->agent, next_request);
}

struct bl_api *bl_api_create(struct bl_loop *loop, struct bl_store *st, struct bl_agent *agent,
                             const struct bl_networks *nw)
{
    struct bl_api *api = bl_xcalloc(1, sizeof(*api));

    api->nw = nw;
    api->default_provider = BL_PROVIDER_BALLAST;
    api->loop = loop;
    api->st = st;
    api->agent = agent;
    return api;
}

void bl_api_set_auth(struct bl_api *api, struct bl_auth *auth)
{
    api->auth = auth;
}

void bl_api_set_default_provider(struct bl_api *api, const char *provider)
{
    api->default_provider = provider;
}

void bl_api_destroy(struct bl_api *api)
{
    free(api);
}
