/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load balancers: VIP allocation on the declared networks (api/networks.h), the
 * children rule on delete (cascade), stats from the data plane, and the
 * status tree.
 */
#include "api/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/snapshot.h"
#include "core/xalloc.h"
#include "proxy/dataplane.h"

struct vip_scan {
    const struct bl_subnet *sn;
    const char *want;
    bool taken;
    uint32_t *used; /* host numbers in use in `sn` */
    size_t n, cap;
};

static int vip_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct vip_scan *v = arg;
    json_t *b = row_body(row);
    const char *addr = json_string_value(json_object_get(b, "vip_address"));
    struct bl_addr a;

    (void)c;
    if (addr && v->want && strcmp(addr, v->want) == 0)
        v->taken = true;
    if (addr && bl_addr_parse(&a, addr, 0) == 0 && bl_cidr_match(&v->sn->cidr, &a) &&
        a.u.sa.sa_family == AF_INET) {
        uint32_t base;
        memcpy(&base, v->sn->cidr.bytes, 4);
        if (v->n == v->cap) {
            v->cap = v->cap ? v->cap * 2 : 64;
            v->used = bl_xrealloc(v->used, v->cap * sizeof(*v->used));
        }
        v->used[v->n++] = ntohl(a.u.in4.sin_addr.s_addr) - ntohl(base);
    }
    json_decref(b);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The lowest host number of the subnet that no VIP uses. */
static uint32_t first_free(struct vip_scan *v)
{
    uint32_t next = 1;

    if (v->n > 0)
        qsort(v->used, v->n, sizeof(*v->used), cmp_u32);
    for (size_t i = 0; i < v->n; i++) {
        if (v->used[i] == next)
            next++;
        else if (v->used[i] > next)
            break;
    }
    return next;
}

/* Picks the subnet from vip_subnet_id, vip_network_id or vip_port_id. */
static const struct bl_subnet *vip_subnet(struct ctx *c, json_t *obj)
{
    const char *subnet = json_string_value(json_object_get(obj, "vip_subnet_id"));
    const char *network = json_string_value(json_object_get(obj, "vip_network_id"));
    const struct bl_subnet *sn;

    if (!subnet && !network) {
        fault(c, 400, "Validation failure: VIP must contain one of: vip_port_id, "
                      "vip_network_id, vip_subnet_id.");
        return NULL;
    }
    sn = subnet ? bl_networks_find(c->api->nw, subnet, 0) : bl_networks_find(c->api->nw, network, 1);
    if (sn == NULL)
        fault(c, 400, "Validation failure: %s %s could not be found.", subnet ? "Subnet" : "Network",
              subnet ? subnet : network);
    else if (subnet && network && strcmp(sn->network_id, network) != 0)
        fault(c, 400, "Validation failure: Subnet %s is not in network %s.", subnet, network);
    else
        return sn;
    return NULL;
}

/* Octavia's no-op network driver: any subnet or network UUID is taken as
 * given, the VIP is the one asked for or else 198.51.100.1 for every load
 * balancer (TEST-NET-2, never routed; nothing is bound for a no-op load
 * balancer, so they may share it). */
static int assign_noop_vip(struct ctx *c, json_t *obj)
{
    const char *subnet = json_string_value(json_object_get(obj, "vip_subnet_id"));
    const char *network = json_string_value(json_object_get(obj, "vip_network_id"));
    char id[37];

    if (!subnet && !network && !json_string_value(json_object_get(obj, "vip_port_id")))
        return fault(c, 400, "Validation failure: VIP must contain one of: vip_port_id, "
                             "vip_network_id, vip_subnet_id.");
    if (!json_string_value(json_object_get(obj, "vip_address")))
        json_object_set_new(obj, "vip_address", json_string("198.51.100.1"));
    bl_uuid_new(id);
    if (!json_string_value(json_object_get(obj, "vip_port_id")))
        json_object_set_new(obj, "vip_port_id", json_string(id));
    bl_uuid_new(id);
    if (!network)
        json_object_set_new(obj, "vip_network_id", json_string(id));
    bl_uuid_new(id);
    if (!subnet)
        json_object_set_new(obj, "vip_subnet_id", json_string(id));
    return 0;
}

/* Plumbing retries past addresses the interface already has (the host's
 * own, or one a crash left behind) at most this many times. */
#define VIP_TRIES 64

/* The lowest free address of the subnet, put on its interface if it has one. */
static int pick_vip(struct ctx *c, const struct bl_subnet *sn, struct vip_scan *v,
                    const char *lb_id, char *addr, size_t addrlen)
{
    for (int i = 0; i < VIP_TRIES; i++) {
        uint32_t host = first_free(v);
        int rc;

        if (bl_subnet_host(sn, host, addr, addrlen) < 0)
            break;
        rc = bl_api_vip_plumb(c, sn, addr, lb_id);
        if (rc != -EEXIST)
            return rc;
        if (v->n == v->cap) {
            v->cap = v->cap ? v->cap * 2 : 64;
            v->used = bl_xrealloc(v->used, v->cap * sizeof(*v->used));
        }
        v->used[v->n++] = host; /* taken on the interface: try the next one */
    }
    return fault(c, 409, "No more IP addresses available on network %s.", sn->network_id);
}

/* A requested vip_address: in the subnet, not another VIP, not on the interface. */
static int check_vip(struct ctx *c, const struct bl_subnet *sn, const struct vip_scan *v,
                     const char *want, const char *lb_id)
{
    struct bl_addr a;
    int rc;

    if (bl_addr_parse(&a, want, 0) < 0 || !bl_cidr_match(&sn->cidr, &a))
        return fault(c, 400, "Validation failure: VIP address %s is not in subnet %s (%s).",
                     want, sn->id, sn->cidr_text);
    if (v->taken)
        return fault(c, 409, "IP address %s already allocated in subnet %s", want, sn->id);
    rc = bl_api_vip_plumb(c, sn, want, lb_id);
    if (rc == -EEXIST)
        return fault(c, 409, "IP address %s already allocated in subnet %s (it is configured "
                             "on interface %s)", want, sn->id, sn->ifname);
    return rc;
}

/* Allocates (or checks) the VIP and fills the Neutron-shaped VIP fields. */
static int assign_vip(struct ctx *c, json_t *obj, bool noop, const char *lb_id)
{
    const char *want = json_string_value(json_object_get(obj, "vip_address"));
    const struct bl_subnet *sn;
    struct vip_scan v = {0};
    char port_id[37], addr[INET6_ADDRSTRLEN];
    int rc;

    if (noop)
        return assign_noop_vip(c, obj);
    if (json_string_value(json_object_get(obj, "vip_port_id")) &&
        !json_object_get(obj, "vip_subnet_id") && !json_object_get(obj, "vip_network_id"))
        return fault(c, 400, "Validation failure: ballast allocates VIP ports itself; give "
                             "vip_subnet_id or vip_network_id.");
    if ((sn = vip_subnet(c, obj)) == NULL)
        return -EINVAL;
    v.sn = sn;
    v.want = want;
    each_row(c, "loadbalancer", NULL, NULL, vip_cb, &v);
    rc = want ? check_vip(c, sn, &v, want, lb_id) : pick_vip(c, sn, &v, lb_id, addr, sizeof(addr));
    free(v.used);
    if (rc < 0)
        return rc;
    if (!want)
        json_object_set_new(obj, "vip_address", json_string(addr));
    bl_uuid_new(port_id);
    json_object_set_new(obj, "vip_port_id", json_string(port_id));
    json_object_set_new(obj, "vip_subnet_id", json_string(sn->id));
    json_object_set_new(obj, "vip_network_id", json_string(sn->network_id));
    return 0;
}

/* An operator object the load balancer names must exist and be enabled. */
static int check_enabled(struct ctx *c, const char *kind, const char *id, const char *name,
                         const char *title, const char *field)
{
    struct bl_store_row row;
    json_t *b;
    bool enabled;

    if (bl_store_get(c->api->st, kind, id, c->arena, &row, NULL) < 0)
        return fault(c, 400, "Validation failure: %s %s not found.", title, name);
    b = row_body(&row);
    enabled = json_is_true(json_object_get(b, "enabled"));
    json_decref(b);
    if (!enabled)
        return fault(c, 400, "Validation failure: The selected %s is not allowed in this "
                             "deployment: %s", field, name);
    return 0;
}

/* flavor_id and availability_zone must name existing, enabled objects. */
static int check_flavor_az(struct ctx *c, json_t *obj)
{
    const char *flavor = json_string_value(json_object_get(obj, "flavor_id"));
    const char *zone = json_string_value(json_object_get(obj, "availability_zone"));
    char id[300];

    if (flavor && check_enabled(c, "flavor", flavor, flavor, "Flavor", "flavor") < 0)
        return -EINVAL;
    snprintf(id, sizeof(id), "az:%s", zone ? zone : "");
    if (zone && check_enabled(c, "availability_zone", id, zone, "Availability Zone",
                              "availability_zone") < 0)
        return -EINVAL;
    return 0;
}

bool bl_api_lb_is_noop(struct ctx *c, const char *lb_id)
{
    struct bl_store_row lb;
    json_t *b;
    bool noop;

    if (bl_store_get(c->api->st, "loadbalancer", lb_id, c->arena, &lb, NULL) < 0)
        return false;
    b = row_body(&lb);
    noop = json_is_string(json_object_get(b, "provider")) &&
           strcmp(json_string_value(json_object_get(b, "provider")), BL_PROVIDER_NOOP) == 0;
    json_decref(b);
    return noop;
}

static int lb_create(struct ctx *c, json_t *obj, struct bl_store_row *row)
{
    const char *provider;

    if (json_array_size(json_object_get(obj, "listeners")) ||
        json_array_size(json_object_get(obj, "pools")))
        c->graph = json_pack("{s:O?, s:O?}", "listeners", json_object_get(obj, "listeners"),
                             "pools", json_object_get(obj, "pools"));
    json_object_del(obj, "listeners");
    json_object_del(obj, "pools");
    json_object_del(obj, "project_id");
    json_object_del(obj, "tenant_id");
    if (json_is_null(json_object_get(obj, "provider")))
        json_object_set_new(obj, "provider", json_string(c->api->default_provider));
    provider = json_string_value(json_object_get(obj, "provider"));
    if (strcmp(provider, BL_PROVIDER_BALLAST) != 0 && strcmp(provider, BL_PROVIDER_NOOP) != 0)
        return fault(c, 400, "Provider '%s' is not enabled.", provider);
    row->lb_id = NULL;
    if (check_flavor_az(c, obj) < 0)
        return -EINVAL;
    return assign_vip(c, obj, strcmp(provider, BL_PROVIDER_NOOP) == 0, row->id);
}

static int lb_update(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    (void)obj;
    if (strcmp(row->provisioning_status, "ACTIVE") != 0)
        return fault(c, 409, "Invalid state %s of loadbalancer resource %s",
                     row->provisioning_status, row->id);
    return 0;
}

static bool cascade_requested(struct ctx *c)
{
    const char *q = strstr(c->req->query, "cascade=");
    return q && (strncasecmp(q + 8, "true", 4) == 0 || q[8] == '1' || strncasecmp(q + 8, "yes", 3) == 0);
}

static int lb_remove(struct ctx *c, const struct bl_store_row *row)
{
    const struct bl_subnet *sn;
    json_t *ls, *ps;
    const char *ip;
    bool children;

    if (strcmp(row->provisioning_status, "ACTIVE") != 0 &&
        strcmp(row->provisioning_status, "ERROR") != 0)
        return fault(c, 409, "Invalid state %s of loadbalancer resource %s",
                     row->provisioning_status, row->id);
    ls = id_list(c, "listener", row->id, NULL);
    ps = id_list(c, "pool", row->id, NULL);
    children = json_array_size(ls) + json_array_size(ps) > 0;
    json_decref(ls);
    json_decref(ps);
    if (children && !cascade_requested(c))
        return fault(c, 400, "Validation failure: Cannot delete Load Balancer %s - it has children",
                     row->id);
    /* The VIP leaves its interface as the delete commits (api/vips.c). */
    sn = bl_api_vip_of(c, row, &ip);
    bl_api_vip_release(c, sn, ip);
    return 0;
}

static void lb_decorate(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    json_object_set_new(obj, "listeners", id_list(c, "listener", row->id, NULL));
    json_object_set_new(obj, "pools", id_list(c, "pool", row->id, NULL));
}

static int lb_created(struct ctx *c, const struct bl_store_row *row)
{
    return c->graph ? bl_api_graph_create(c, row) : 0;
}

static const struct resource_ops lb_ops = {.create = lb_create,
                                           .update = lb_update,
                                           .remove = lb_remove,
                                           .decorate = lb_decorate,
                                           .created = lb_created};

const struct resource bl_res_loadbalancer = {"loadbalancer", "loadbalancer", "loadbalancers",
                                             "Load Balancer", "load_balancer",
                                             bl_spec_loadbalancer, &lb_ops, NULL, NULL};

/* ---- stats: summed from the data plane's counters for listeners with this id ---- */

static void add(json_t *acc, const char *key, int64_t v)
{
    json_object_set_new(acc, key, json_integer(json_integer_value(json_object_get(acc, key)) + v));
}

void bl_api_listener_stats(struct ctx *c, const char *listener_id, json_t *acc)
{
    const struct bl_snapshot *s = bl_dataplane_snapshot(bl_agent_dataplane(c->api->agent));

    for (uint32_t i = 0; i < s->nlisteners; i++) {
        const struct bl_snap_listener *l = &s->listeners[i];
        if (strcmp(l->cfg->id, listener_id) != 0)
            continue;
        add(acc, "bytes_in", (int64_t)bl_stat_get(l->st->bytes_in));
        add(acc, "bytes_out", (int64_t)bl_stat_get(l->st->bytes_out));
        add(acc, "active_connections", bl_stat_get(l->st->active));
        add(acc, "total_connections", (int64_t)bl_stat_get(l->st->total));
        add(acc, "request_errors",
            (int64_t)(bl_stat_get(l->st->errors) + bl_stat_get(l->st->request_errors)));
    }
}

/* ---- status tree ---- */

static json_t *status_of(const struct bl_store_row *row, bool with_name)
{
    json_t *b = row_body(row), *o;

    o = json_pack("{s:s, s:s, s:s}", "id", row->id, "provisioning_status",
                  row->provisioning_status, "operating_status", row->operating_status);
    if (with_name)
        json_object_set(o, "name", json_object_get(b, "name") ? json_object_get(b, "name")
                                                                : json_string(""));
    json_decref(b);
    return o;
}

static int member_status_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    json_t *b = row_body(row), *m = status_of(row, true);

    (void)c;
    json_object_set(m, "address", json_object_get(b, "address"));
    json_object_set(m, "protocol_port", json_object_get(b, "protocol_port"));
    json_array_append_new(arg, m);
    json_decref(b);
    return 0;
}

static int hm_status_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    json_t *b = row_body(row), *hm = status_of(row, true);

    (void)c;
    json_object_set(hm, "type", json_object_get(b, "type"));
    json_object_set_new(arg, "health_monitor", hm);
    json_decref(b);
    return 0;
}

struct listener_pools {
    const char *listener_id;
    json_t *pools;
};

static int pool_status_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct listener_pools *lp = arg;
    json_t *members = json_array(), *p;

    (void)lp;
    p = status_of(row, true);
    each_row(c, "healthmonitor", NULL, row->id, hm_status_cb, p);
    each_row(c, "member", NULL, row->id, member_status_cb, members);
    json_object_set_new(p, "members", members);
    json_array_append_new(lp->pools, p);
    return 0;
}

static int listener_status_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    json_t *b = row_body(row), *l = status_of(row, true), *pools = json_array();
    const char *pool_id = json_string_value(json_object_get(b, "default_pool_id"));
    json_t *ids = json_array(), *e;
    struct listener_pools lp = {row->id, pools};
    struct bl_store_row pool;
    size_t i;

    /* As Octavia's Listener.pools: the default pool, then those its L7 policies reach. */
    if (pool_id)
        json_array_append_new(ids, json_pack("{s:s}", "id", pool_id));
    bl_api_l7_redirects(c, row->lb_id, row->id, NULL, ids);
    json_array_foreach(ids, i, e)
    {
        if (bl_store_get(c->api->st, "pool", json_string_value(json_object_get(e, "id")), c->arena,
                         &pool, NULL) == 0)
            pool_status_cb(c, &pool, &lp);
    }
    json_decref(ids);
    json_object_set_new(l, "pools", pools);
    json_array_append_new(arg, l);
    json_decref(b);
    return 0;
}

json_t *bl_api_status_tree(struct ctx *c, const struct bl_store_row *lb)
{
    json_t *o = status_of(lb, true), *ls = json_array();

    each_row(c, "listener", lb->id, NULL, listener_status_cb, ls);
    json_object_set_new(o, "listeners", ls);
    return o;
}
