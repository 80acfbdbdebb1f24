/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fully-populated ("graph") load balancer create: one POST carries the
 * listeners, their default pools (a full spec, or {"name": ...} naming one of
 * loadbalancer.pools), their L7 policies with rules (redirect_pool given the
 * same way), the pools' members and health monitors. Everything is
 * created in the load balancer's transaction, PENDING_CREATE, and the 201
 * answer embeds the full children. The same document is what
 * `ballastd --config` reads, so the two stay one object model.
 */
#include "api/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Creates a pool of `lb` with its members and health monitor; returns its id in `id`. */
static int graph_pool(struct ctx *c, json_t *spec, const char *lb, char id[37])
{
    json_t *p = json_deep_copy(spec), *members = json_incref(json_object_get(p, "members"));
    json_t *hm = json_incref(json_object_get(p, "healthmonitor")), *m;
    size_t i;
    int rc;

    json_object_del(p, "members");
    json_object_del(p, "healthmonitor");
    json_object_del(p, "listener_id");
    json_object_set_new(p, "loadbalancer_id", json_string(lb));
    bl_uuid_new(id);
    rc = bl_api_create_row(c, &bl_res_pool, p, NULL, id);
    json_array_foreach(members, i, m) {
        char mid[37];
        bl_uuid_new(mid);
        if (rc == 0)
            rc = json_is_object(m) ? bl_api_create_row(c, &bl_res_member, m, id, mid)
                                   : fault(c, 400, "Invalid input for field/attribute members. "
                                                   "Value should be a list of objects");
    }
    if (rc == 0 && json_is_object(hm)) {
        char hid[37];
        json_t *h = json_deep_copy(hm);
        json_object_set_new(h, "pool_id", json_string(id));
        bl_uuid_new(hid);
        rc = bl_api_create_row(c, &bl_res_healthmonitor, h, NULL, hid);
        json_decref(h);
    }
    json_decref(members);
    json_decref(hm);
    json_decref(p);
    return rc;
}

/* default_pool: a full spec (created now), or {"name"} naming a pool made from lb.pools. */
static int default_pool(struct ctx *c, json_t *dp, json_t *by_name, const char *lb, char id[37])
{
    if (json_object_size(dp) == 1 && json_is_string(json_object_get(dp, "name"))) {
        const char *name = json_string_value(json_object_get(dp, "name"));
        json_t *known = json_object_get(by_name, name);
        if (!json_is_string(known))
            return fault(c, 400, "Validation failure: Pool %s is not defined in "
                                 "loadbalancer.pools.", name);
        snprintf(id, 37, "%s", json_string_value(known));
        return 0;
    }
    return graph_pool(c, dp, lb, id);
}

struct pool_names {
    json_t *by_name;
    const char *lb;
};

static int redirect_pool(struct ctx *c, json_t *spec, void *arg, char id[37])
{
    struct pool_names *pn = arg;
    return default_pool(c, spec, pn->by_name, pn->lb, id);
}

static int graph_listener(struct ctx *c, json_t *spec, json_t *by_name, const char *lb)
{
    struct pool_names pn = {by_name, lb};
    json_t *l, *dp, *l7;
    char pool_id[37], id[37];
    int rc = 0;

    if (!json_is_object(spec))
        return fault(c, 400, "Invalid input for field/attribute listeners. Value should be a "
                             "list of objects");
    l = json_deep_copy(spec);
    dp = json_incref(json_object_get(l, "default_pool"));
    l7 = json_incref(json_object_get(l, "l7policies"));
    json_object_del(l, "default_pool");
    json_object_del(l, "l7policies");
    json_object_set_new(l, "loadbalancer_id", json_string(lb));
    if (rc == 0 && json_is_object(dp)) {
        rc = default_pool(c, dp, by_name, lb, pool_id);
        if (rc == 0)
            json_object_set_new(l, "default_pool_id", json_string(pool_id));
    }
    bl_uuid_new(id);
    if (rc == 0)
        rc = bl_api_create_row(c, &bl_res_listener, l, NULL, id);
    if (rc == 0 && json_is_array(l7))
        rc = bl_api_l7_graph(c, l7, id, redirect_pool, &pn);
    json_decref(l7);
    json_decref(dp);
    json_decref(l);
    return rc;
}

int bl_api_graph_create(struct ctx *c, const struct bl_store_row *lb)
{
    json_t *pools = json_object_get(c->graph, "pools"), *ls = json_object_get(c->graph, "listeners");
    json_t *by_name = json_object(), *p;
    size_t i;
    int rc = 0;

    json_array_foreach(pools, i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        char id[37];
        if (rc == 0 && !json_is_object(p))
            rc = fault(c, 400, "Invalid input for field/attribute pools. Value should be a list "
                               "of objects");
        if (rc == 0 && name && json_object_get(by_name, name))
            rc = fault(c, 400, "Validation failure: Pool names must be unique when creating a "
                               "fully populated load balancer ('%s').", name);
        if (rc == 0)
            rc = graph_pool(c, p, lb->id, id);
        if (rc == 0 && name)
            json_object_set_new(by_name, name, json_string(id));
    }
    json_array_foreach(ls, i, p) {
        if (rc == 0)
            rc = graph_listener(c, p, by_name, lb->id);
    }
    json_decref(by_name);
    return rc;
}

/* ---- the answer: full children instead of {"id"} lists ---- */

static int full_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    const struct resource *r = strcmp(row->kind, "listener") == 0 ? &bl_res_listener
                               : strcmp(row->kind, "pool") == 0   ? &bl_res_pool
                               : strcmp(row->kind, "member") == 0 ? &bl_res_member
                                                                  : &bl_res_healthmonitor;
    json_t *obj = render(c, r, row);

    if (r == &bl_res_listener)
        json_object_set_new(obj, "l7policies", bl_api_l7_list(c, row->id, true));
    if (r == &bl_res_pool) {
        json_t *members = json_array(), *hms = json_array();
        each_row(c, "member", row->lb_id, row->id, full_cb, members);
        each_row(c, "healthmonitor", row->lb_id, row->id, full_cb, hms);
        json_object_set_new(obj, "members", members);
        if (json_array_size(hms) > 0)
            json_object_set(obj, "healthmonitor", json_array_get(hms, 0));
        json_decref(hms);
    }
    json_array_append_new(arg, obj);
    return 0;
}

void bl_api_graph_expand(struct ctx *c, json_t *lb)
{
    const char *id = json_string_value(json_object_get(lb, "id"));
    json_t *ls = json_array(), *ps = json_array();

    each_row(c, "listener", id, NULL, full_cb, ls);
    each_row(c, "pool", id, NULL, full_cb, ps);
    json_object_set_new(lb, "listeners", ls);
    json_object_set_new(lb, "pools", ps);
}
