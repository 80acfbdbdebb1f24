/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pools, members and health monitors: the pool's binding to a listener, the
 * session persistence rules, member uniqueness, one monitor per pool with
 * type-specific options, and which parents each change locks
 * (octavia-api.md §5).
 */
#include "api/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Locks the pool's listeners (see pool_listeners). */
struct pool_users {
    const char *pool;
    json_t *ids;
};

static int users_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct pool_users *u = arg;
    json_t *b = row_body(row);
    const char *dp = json_string_value(json_object_get(b, "default_pool_id"));

    (void)c;
    if (dp && strcmp(dp, u->pool) == 0)
        json_array_append_new(u->ids, json_pack("{s:s}", "id", row->id));
    json_decref(b);
    return 0;
}

/* As Octavia's pool.listeners: those using it as default pool, then those
 * reaching it through an L7 policy. */
static json_t *pool_listeners(struct ctx *c, const char *lb, const char *pool)
{
    struct pool_users u = {pool, json_array()};
    each_row(c, "listener", lb, NULL, users_cb, &u);
    bl_api_l7_redirects(c, lb, NULL, pool, u.ids);
    return u.ids;
}

static int lock_users(struct ctx *c, const char *lb, const char *pool)
{
    json_t *ids = pool_listeners(c, lb, pool), *e;
    size_t i;
    int rc = 0;

    json_array_foreach(ids, i, e) {
        if (rc == 0)
            rc = lock(c, json_string_value(json_object_get(e, "id")));
    }
    json_decref(ids);
    return rc;
}

/* Octavia's pool TLS checks: types, a CRL needs a CA, the lists when TLS is on. */
static int check_tls(struct ctx *c, json_t *obj)
{
    int rc = bl_api_check_tls_types(c, obj);

    if (rc < 0)
        return rc;
    if (!json_is_null(json_object_get(obj, "crl_container_ref")) &&
        json_is_null(json_object_get(obj, "ca_tls_container_ref")))
        return fault(c, 400, "Validation failure: A CA certificate reference is required to "
                             "specify a revocation list.");
    return json_is_true(json_object_get(obj, "tls_enabled")) ? bl_api_check_tls_lists(c, obj) : 0;
}

static int check_persistence(struct ctx *c, json_t *obj)
{
    json_t *sp = json_object_get(obj, "session_persistence");
    const char *type;

    if (sp == NULL || json_is_null(sp))
        return 0;
    type = json_string_value(json_object_get(sp, "type"));
    if (!type || (strcmp(type, "SOURCE_IP") && strcmp(type, "HTTP_COOKIE") &&
                  strcmp(type, "APP_COOKIE")))
        return fault(c, 400, "Invalid input for field/attribute type. Value: '%s'. Value should "
                             "be one of: SOURCE_IP, HTTP_COOKIE, APP_COOKIE", type ? type : "None");
    if (strcmp(type, "APP_COOKIE") == 0 && !json_is_string(json_object_get(sp, "cookie_name")))
        return fault(c, 400, "Validation failure: Field \"cookie_name\" must be specified when "
                             "using the \"APP_COOKIE\" session persistence type.");
    /* The response always carries all four keys. */
    if (!json_object_get(sp, "cookie_name"))
        json_object_set_new(sp, "cookie_name", json_null());
    if (!json_object_get(sp, "persistence_timeout"))
        json_object_set_new(sp, "persistence_timeout", json_null());
    if (!json_object_get(sp, "persistence_granularity"))
        json_object_set_new(sp, "persistence_granularity", json_null());
    return 0;
}

/* Binds a new pool to `listener_id` as its default pool; returns the LB id. */
static int bind_listener(struct ctx *c, const char *listener_id, const char *pool_id,
                         const char *proto, const char **lb)
{
    struct bl_store_row l;
    json_t *lb_body;
    const char *lproto;
    int rc = 0;

    if (load(c, &bl_res_listener, listener_id, &l) < 0)
        return -ENOENT;
    lb_body = row_body(&l);
    lproto = json_string_value(json_object_get(lb_body, "protocol"));
    if (!json_is_null(json_object_get(lb_body, "default_pool_id")))
        rc = fault(c, 409, "This listener already has a default pool");
    else if (!bl_api_protos_compatible(lproto, proto))
        rc = fault(c, 400, "Validation failure: The pool protocol '%s' is invalid while the "
                           "listener protocol is '%s'.", proto, lproto);
    if (rc == 0) {
        json_object_set_new(lb_body, "default_pool_id", json_string(pool_id));
        rc = rewrite(c, &l, lb_body, "PENDING_UPDATE");
    }
    *lb = l.lb_id;
    json_decref(lb_body);
    return rc;
}

static int pool_create(struct ctx *c, json_t *obj, struct bl_store_row *row)
{
    const char *listener = json_string_value(json_object_get(obj, "listener_id"));
    const char *lb = json_string_value(json_object_get(obj, "loadbalancer_id"));
    const char *proto = json_string_value(json_object_get(obj, "protocol"));
    int rc;

    listener = listener ? bl_arena_strdup(c->arena, listener) : NULL;
    lb = lb ? bl_arena_strdup(c->arena, lb) : NULL;
    json_object_del(obj, "listener_id");
    json_object_del(obj, "loadbalancer_id");
    json_object_del(obj, "project_id");
    json_object_del(obj, "tenant_id");
    if (!listener && !lb)
        return fault(c, 400, "Validation failure: Must provide at least one of: "
                             "loadbalancer_id, listener_id");
    if (json_object_get(obj, "members") || json_object_get(obj, "healthmonitor"))
        return fault(c, 501, "Provider 'ballast' does not support a requested option: members "
                             "and health monitors in a pool create (use the fully populated "
                             "load balancer create, or create them after the pool)");
    if ((rc = check_tls(c, obj)) < 0 || (rc = check_persistence(c, obj)) < 0)
        return rc;
    if (listener && (rc = bind_listener(c, listener, row->id, proto, &lb)) < 0)
        return rc;
    row->lb_id = lb;
    return lock_lb(c, lb);
}

static int pool_update(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    int rc = lock_lb(c, row->lb_id);

    if (rc == 0)
        rc = check_tls(c, obj);
    if (rc == 0)
        rc = check_persistence(c, obj);
    if (rc == 0)
        rc = lock_users(c, row->lb_id, row->id);
    return rc;
}

/* Deleting a listener's default pool clears the listener's default_pool_id. */
static int unbind_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    json_t *b = row_body(row);
    const char *dp = json_string_value(json_object_get(b, "default_pool_id"));
    int rc = 0;

    if (dp && strcmp(dp, arg) == 0) {
        json_object_set_new(b, "default_pool_id", json_null());
        rc = rewrite(c, row, b, "PENDING_UPDATE");
    }
    json_decref(b);
    return rc;
}

static int pool_remove(struct ctx *c, const struct bl_store_row *row)
{
    int rc = lock_lb(c, row->lb_id);

    if (rc == 0)
        rc = bl_api_l7_pool_in_use(c, row->lb_id, row->id);
    if (rc == 0)
        rc = each_row(c, "listener", row->lb_id, NULL, unbind_cb, (void *)row->id);
    return rc;
}

static int hm_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    (void)c;
    if (strcmp(row->provisioning_status, "PENDING_DELETE") != 0)
        json_object_set_new(arg, "healthmonitor_id", json_string(row->id));
    return 0;
}

static void pool_decorate(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    json_object_set_new(obj, "loadbalancers", json_pack("[{s:s}]", "id", row->lb_id));
    json_object_set_new(obj, "listeners", pool_listeners(c, row->lb_id, row->id));
    json_object_set_new(obj, "members", id_list(c, "member", row->lb_id, row->id));
    each_row(c, "healthmonitor", row->lb_id, row->id, hm_cb, obj);
}

static const struct resource_ops pool_ops = {.create = pool_create,
                                             .update = pool_update,
                                             .remove = pool_remove,
                                             .decorate = pool_decorate};

const struct resource bl_res_pool = {"pool", "pool", "pools", "Pool", "pool", bl_spec_pool,
                                     &pool_ops, NULL, NULL};

/* ---- members ---------------------------------------------------------------------------------- */

/* A change under a pool: the pool must be ACTIVE; LB, pool and its listeners get locked. */
static int lock_pool(struct ctx *c, const char *pool_id, const char **lb)
{
    struct bl_store_row pool;
    int rc;

    if (load(c, &bl_res_pool, pool_id, &pool) < 0)
        return -ENOENT;
    *lb = pool.lb_id;
    if ((rc = lock_lb(c, pool.lb_id)) < 0)
        return rc;
    if (!c->graph && strcmp(pool.provisioning_status, "ACTIVE") != 0)
        return fault(c, 409, "Pool %s is immutable and cannot be updated.", pool_id);
    if ((rc = lock(c, pool_id)) < 0)
        return rc;
    return lock_users(c, pool.lb_id, pool_id);
}

struct dup_member {
    const char *self, *address;
    json_int_t port;
    bool dup;
};

static int dup_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct dup_member *d = arg;
    json_t *b = row_body(row);

    (void)c;
    if ((!d->self || strcmp(d->self, row->id) != 0) &&
        strcmp(row->provisioning_status, "PENDING_DELETE") != 0 &&
        strcmp(json_string_value(json_object_get(b, "address")), d->address) == 0 &&
        json_integer_value(json_object_get(b, "protocol_port")) == d->port)
        d->dup = true;
    json_decref(b);
    return 0;
}

static bool pool_has_monitor(struct ctx *c, const char *pool)
{
    json_t *o = json_object();
    bool has;

    each_row(c, "healthmonitor", NULL, pool, hm_cb, o);
    has = json_object_get(o, "healthmonitor_id") != NULL;
    json_decref(o);
    return has;
}

static int member_create(struct ctx *c, json_t *obj, struct bl_store_row *row)
{
    struct dup_member d = {NULL, json_string_value(json_object_get(obj, "address")),
                           json_integer_value(json_object_get(obj, "protocol_port")), false};
    const char *lb = NULL;
    int rc;

    json_object_del(obj, "project_id");
    json_object_del(obj, "tenant_id");
    if ((rc = lock_pool(c, row->parent_id, &lb)) < 0)
        return rc;
    row->lb_id = lb;
    each_row(c, "member", lb, row->parent_id, dup_cb, &d);
    if (d.dup)
        return fault(c, 409, "Another member on this pool is already using ip %s on "
                             "protocol_port %lld", d.address, (long long)d.port);
    row->operating_status = pool_has_monitor(c, row->parent_id) ? "OFFLINE" : "NO_MONITOR";
    return 0;
}

static int member_update(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    const char *lb;
    (void)obj;
    return lock_pool(c, row->parent_id, &lb);
}

static int member_remove(struct ctx *c, const struct bl_store_row *row)
{
    const char *lb;
    return lock_pool(c, row->parent_id, &lb);
}

static const struct resource_ops member_ops = {.create = member_create,
                                               .update = member_update,
                                               .remove = member_remove};

const struct resource bl_res_member = {"member", "member", "members", "Member", "member",
                                       bl_spec_member, &member_ops, NULL, NULL};

/* ---- health monitors ------------------------------------------------------------------------------ */

static bool is_http(const char *type)
{
    return strcmp(type, "HTTP") == 0 || strcmp(type, "HTTPS") == 0;
}

/* HTTP options only on HTTP(S) monitors; their defaults are filled there. */
static int hm_options(struct ctx *c, json_t *obj, const char *lb)
{
    static const char *const http_only[] = {"http_method", "url_path", "expected_codes",
                                            "http_version", "domain_name"};
    static const char *const defaults[] = {"\"GET\"", "\"/\"", "\"200\"", "null", "null"};
    const char *type = json_string_value(json_object_get(obj, "type"));

    for (size_t i = 0; i < 5; i++) {
        json_t *v = json_object_get(obj, http_only[i]);
        if (!is_http(type) && v && !json_is_null(v))
            return fault(c, 400, "%s is not a valid option for health monitors of type %s",
                         http_only[i], type);
        if (v == NULL || (is_http(type) && json_is_null(v) && i < 3))
            json_object_set_new(obj, http_only[i],
                                is_http(type) ? json_loads(defaults[i], JSON_DECODE_ANY, NULL)
                                              : json_null());
    }
    /* A probe that may outlast the interval between probes makes no sense to
     * run, so ballast refuses it; Octavia accepts it, and so does the no-op
     * provider, which mirrors Octavia's API exactly (tempest relies on it). */
    if (!bl_api_lb_is_noop(c, lb) && json_integer_value(json_object_get(obj, "timeout")) >
                                         json_integer_value(json_object_get(obj, "delay")))
        return fault(c, 400, "Validation failure: The timeout (%lld s) must not exceed the "
                             "delay (%lld s).",
                     (long long)json_integer_value(json_object_get(obj, "timeout")),
                     (long long)json_integer_value(json_object_get(obj, "delay")));
    return 0;
}

static int hm_create(struct ctx *c, json_t *obj, struct bl_store_row *row)
{
    const char *pool = bl_arena_strdup(c->arena, json_string_value(json_object_get(obj, "pool_id")));
    const char *lb = NULL;
    int rc;

    json_object_del(obj, "pool_id");
    json_object_del(obj, "project_id");
    json_object_del(obj, "tenant_id");
    row->parent_id = pool;
    if ((rc = lock_pool(c, pool, &lb)) < 0)
        return rc;
    row->lb_id = lb;
    /* Octavia validates the options before it looks for a monitor in place. */
    if ((rc = hm_options(c, obj, lb)) < 0)
        return rc;
    if (pool_has_monitor(c, pool))
        return fault(c, 409, "This pool already has a health monitor");
    return 0;
}

static int hm_update(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    const char *lb;
    int rc = lock_pool(c, row->parent_id, &lb);
    return rc ? rc : hm_options(c, obj, lb);
}

static int hm_remove(struct ctx *c, const struct bl_store_row *row)
{
    const char *lb;
    return lock_pool(c, row->parent_id, &lb);
}

static void hm_decorate(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    (void)c;
    json_object_set_new(obj, "pools", json_pack("[{s:s}]", "id", row->parent_id));
}

static const struct resource_ops hm_ops = {.create = hm_create,
                                           .update = hm_update,
                                           .remove = hm_remove,
                                           .decorate = hm_decorate};

const struct resource bl_res_healthmonitor = {"healthmonitor", "healthmonitor", "healthmonitors",
                                              "Health Monitor", "healthmonitor",
                                              bl_spec_healthmonitor, &hm_ops, NULL, NULL};

/* ---- batch update: PUT /pools/{id}/members ---------------------------------------------------- */

struct batch {
    const char *pool;
    json_t *members;  /* the requested list */
    bool additive;    /* ?additive_only=true: keep members not listed */
};

/* "address:port" of a member spec or body, for matching. */
static bool member_key(json_t *m, char *out, size_t n)
{
    json_t *port = json_object_get(m, "protocol_port");
    const char *addr = json_string_value(json_object_get(m, "address"));

    if (!addr || !(json_is_integer(port) || json_is_string(port)))
        return false;
    if (json_is_integer(port))
        snprintf(out, n, "%s:%lld", addr, (long long)json_integer_value(port));
    else
        snprintf(out, n, "%s:%s", addr, json_string_value(port));
    return true;
}

static int batch_existing(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    json_t *b = row_body(row);
    char key[128];

    if (strcmp(row->provisioning_status, "PENDING_DELETE") != 0 && member_key(b, key, sizeof(key)))
        json_object_set_new(arg, key, json_string(row->id));
    json_decref(b);
    return 0;
}

/* Updates the existing member `id` from `spec` (its address and port match). */
static int batch_update(struct ctx *c, const char *id, json_t *spec)
{
    struct bl_store_row row;
    struct bl_err err = {0};
    json_t *in = json_deep_copy(spec), *body;
    int rc;

    if (load(c, &bl_res_member, id, &row) < 0) {
        json_decref(in);
        return -ENOENT;
    }
    json_object_del(in, "address");
    json_object_del(in, "protocol_port");
    json_object_del(in, "subnet_id");
    body = row_body(&row);
    rc = bl_fields_apply(bl_spec_member, false, "member.member", in, body, &err);
    if (rc < 0)
        rc = fault(c, 400, "%s", err.msg);
    else
        rc = rewrite(c, &row, body, "PENDING_UPDATE");
    json_decref(body);
    json_decref(in);
    return rc;
}

static int do_batch(struct ctx *c, void *arg)
{
    struct batch *b = arg;
    json_t *existing = json_object(), *seen = json_object(), *m, *id;
    const char *lb, *key;
    char k[128], mid[37];
    size_t i;
    int rc = lock_pool(c, b->pool, &lb);

    if (rc == 0)
        rc = each_row(c, "member", NULL, b->pool, batch_existing, existing);
    /* Members made here join a pool this same transaction just locked. */
    c->graph = json_object();
    json_array_foreach(b->members, i, m) {
        if (rc != 0)
            break;
        if (!json_is_object(m) || !member_key(m, k, sizeof(k))) {
            rc = fault(c, 400, "Invalid input for field/attribute members. Value: '%zu'. "
                               "Each member needs an address and a protocol_port", i);
            break;
        }
        json_object_set_new(seen, k, json_true());
        id = json_object_get(existing, k);
        if (id) {
            rc = batch_update(c, json_string_value(id), m);
        } else {
            bl_uuid_new(mid);
            rc = bl_api_create_row(c, &bl_res_member, m, b->pool, mid);
        }
    }
    json_object_foreach(existing, key, id) {
        if (rc == 0 && !b->additive && !json_object_get(seen, key) &&
            bl_store_set_status(c->api->st, json_string_value(id), "PENDING_DELETE", NULL,
                                NULL) < 0)
            rc = fault(c, 500, "cannot delete member %s", json_string_value(id));
    }
    json_decref(c->graph);
    c->graph = NULL;
    json_decref(existing);
    json_decref(seen);
    return rc;
}

void bl_api_members_batch(struct ctx *c, const char *pool_id)
{
    struct batch b = {pool_id, NULL, strstr(c->req->query, "additive_only=true") != NULL ||
                                         strstr(c->req->query, "additive_only=True") != NULL};
    json_t *doc = c->req->body_len ? json_loadb(c->req->body, c->req->body_len, 0, NULL) : NULL;

    b.members = json_object_get(doc, "members");
    if (doc == NULL)
        fault(c, 400, c->req->body_len ? "Request is not in valid JSON format"
                                       : "Missing argument: \"members\"");
    else if (!json_is_array(b.members))
        fault(c, 400, "Unknown attribute for argument members: %s",
              json_object_size(doc) ? json_object_iter_key(json_object_iter(doc)) : "(none)");
    else if (bl_api_in_txn(c, do_batch, &b) == 0)
        c->resp->status = 202;
    json_decref(doc);
}
