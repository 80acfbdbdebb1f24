/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Listeners: port uniqueness per L4 family, protocol options, default pool
 * compatibility, and the protocols this data plane can run today.
 */
#include "api/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Octavia's table "allowed listener/pool protocol pairs". */
bool bl_api_protos_compatible(const char *l, const char *p)
{
    static const char *const table[][6] = {
        {"TCP", "HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP"},
        {"HTTP", "HTTP", "PROXY", "PROXYV2", NULL, NULL},
        {"HTTPS", "HTTPS", "PROXY", "PROXYV2", "TCP", NULL},
        {"TERMINATED_HTTPS", "HTTP", "PROXY", "PROXYV2", NULL, NULL},
        {"UDP", "UDP", NULL, NULL, NULL, NULL},
        {"SCTP", "SCTP", NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i][0], l) != 0)
            continue;
        for (int k = 1; k < 6 && table[i][k]; k++) {
            if (strcmp(table[i][k], p) == 0)
                return true;
        }
    }
    return false;
}

static const char *family(const char *proto)
{
    if (strcmp(proto, "UDP") == 0)
        return "UDP";
    if (strcmp(proto, "SCTP") == 0)
        return "SCTP";
    return "TCP";
}

struct port_check {
    const char *self;
    const char *proto;
    json_int_t port;
    bool clash;
    char other[32]; /* protocol of the listener already there */
};

static int port_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct port_check *pc = arg;
    json_t *b = row_body(row);
    const char *proto = json_string_value(json_object_get(b, "protocol"));

    (void)c;
    if ((!pc->self || strcmp(pc->self, row->id) != 0) &&
        strcmp(row->provisioning_status, "PENDING_DELETE") != 0 && proto &&
        strcmp(family(proto), family(pc->proto)) == 0 &&
        json_integer_value(json_object_get(b, "protocol_port")) == pc->port) {
        pc->clash = true;
        snprintf(pc->other, sizeof(pc->other), "%s", proto);
    }
    json_decref(b);
    return 0;
}

/* What the in-process data plane cannot run yet is refused as a provider limit. */
static int check_supported(struct ctx *c, json_t *obj, const char *proto)
{
    if (strcmp(proto, "PROMETHEUS") == 0 &&
        (!json_is_null(json_object_get(obj, "default_tls_container_ref")) ||
         json_array_size(json_object_get(obj, "sni_container_refs")) > 0))
        return fault(c, 501,
                     "Provider 'ballast' does not support a requested option: "
                     "PROMETHEUS listeners with TLS (not implemented yet)");
    if (strcmp(proto, "SCTP") != 0)
        return 0;
    return fault(c, 501,
                 "Provider 'ballast' does not support a requested option: %s listeners "
                 "(not implemented yet)",
                 proto);
}

/* allowed_cidrs: each a CIDR of the VIP's IP version, stored normalised
 * (192.168.0.1/24 -> 192.168.0.0/24) as Octavia does. */
static int check_cidrs(struct ctx *c, json_t *obj, const char *lb_id)
{
    json_t *list = json_object_get(obj, "allowed_cidrs"), *v, *norm;
    struct bl_store_row lb;
    struct bl_addr vip;
    const char *vip_text;
    json_t *lbb;
    size_t i;
    int rc = 0;

    if (!json_is_array(list))
        return 0;
    if (bl_store_get(c->api->st, "loadbalancer", lb_id, c->arena, &lb, NULL) < 0)
        return 0;
    lbb = row_body(&lb);
    vip_text = json_string_value(json_object_get(lbb, "vip_address"));
    if (vip_text == NULL || bl_addr_parse(&vip, vip_text, 0) < 0)
        vip.u.sa.sa_family = AF_UNSPEC;
    norm = json_array();
    json_array_foreach(list, i, v)
    {
        struct bl_cidr cidr;
        char ip[64], text[80];
        if (rc == 0 && bl_cidr_parse(&cidr, json_string_value(v)) < 0)
            rc = fault(c, 400, "Validation failure: '%s' is not a valid CIDR.",
                       json_string_value(v));
        else if (rc == 0 && vip.u.sa.sa_family != AF_UNSPEC && cidr.family != vip.u.sa.sa_family)
            rc = fault(c, 400,
                       "Validation failure: CIDR %s IP version incompatible with VIP %s "
                       "IP version.",
                       json_string_value(v), vip_text);
        if (rc == 0) {
            inet_ntop(cidr.family, cidr.bytes, ip, sizeof(ip));
            snprintf(text, sizeof(text), "%s/%u", ip, cidr.prefix);
            json_array_append_new(norm, json_string(text));
        }
    }
    if (rc == 0)
        json_object_set_new(obj, "allowed_cidrs", json_array_size(norm) ? norm : json_null());
    else
        json_decref(norm);
    json_decref(lbb);
    return rc;
}

/* A default or an SNI certificate: what a TERMINATED_HTTPS listener needs. */
static bool refs_ok(json_t *obj)
{
    return !json_is_null(json_object_get(obj, "default_tls_container_ref")) ||
           json_array_size(json_object_get(obj, "sni_container_refs")) > 0;
}

/* Octavia's order: types, then refs by protocol, then client auth, then lists. */
static int check_tls(struct ctx *c, json_t *obj, const char *proto)
{
    const char *auth = json_string_value(json_object_get(obj, "client_authentication"));
    bool has_ca = !json_is_null(json_object_get(obj, "client_ca_tls_container_ref"));
    bool refs = has_ca || !json_is_null(json_object_get(obj, "default_tls_container_ref")) ||
                json_array_size(json_object_get(obj, "sni_container_refs")) > 0;
    /* Octavia lets a PROMETHEUS listener with certificates offload TLS too
     * (the ballast provider then answers 501). */
    bool prom = strcmp(proto, "PROMETHEUS") == 0;
    bool terminated = strcmp(proto, "TERMINATED_HTTPS") == 0 || (prom && refs);
    int rc = bl_api_check_tls_types(c, obj);

    if (rc < 0)
        return rc;
    if (refs && (strcmp(proto, "UDP") == 0 || strcmp(proto, "SCTP") == 0))
        return fault(c, 400, "Validation failure: %s protocol listener does not support TLS.",
                     proto);
    if (refs && !terminated)
        return fault(c, 400,
                     "Validation failure: Certificate container references are not "
                     "allowed on %s protocol listeners.",
                     proto);
    if (has_ca && !refs_ok(obj))
        return fault(c, 400,
                     "Validation failure: An SNI or default certificate container "
                     "reference must be provided with a client CA container reference.");
    if (terminated && !refs_ok(obj))
        return fault(c, 400,
                     "Validation failure: An SNI or default certificate container "
                     "reference must be provided for %s protocol listeners.",
                     prom ? "PROMETHEUS with TLS" : "TERMINATED_HTTPS");
    if (auth && strcmp(auth, "NONE") != 0 && !has_ca)
        return fault(c, 400,
                     "Validation failure: Client authentication setting %s requires a "
                     "client CA container reference.",
                     auth);
    if (!json_is_null(json_object_get(obj, "client_crl_container_ref")) && !has_ca)
        return fault(c, 400,
                     "Validation failure: A client authentication CA reference is "
                     "required to specify a client authentication revocation list.");
    return terminated ? bl_api_check_tls_lists(c, obj) : 0;
}

static int check_options(struct ctx *c, json_t *obj, const char *proto)
{
    int rc;

    if (json_object_size(json_object_get(obj, "insert_headers")) > 0 &&
        strcmp(proto, "HTTP") != 0 && strcmp(proto, "TERMINATED_HTTPS") != 0)
        return fault(c, 400, "insert-headers is not a valid option for a %s protocol listener.",
                     proto);
    if ((rc = check_tls(c, obj, proto)) < 0)
        return rc;
    return 0;
}

int bl_api_check_pool_ref(struct ctx *c, const char *pid, const char *lb_id, const char *proto)
{
    struct bl_store_row pool;
    json_t *pb;
    int rc = 0;

    if (pid == NULL)
        return 0;
    if (strcmp(proto, "PROMETHEUS") == 0) /* Octavia says so before it looks for the pool */
        return fault(c, 400, "Protocol PROMETHEUS listeners cannot have child objects.");
    if (bl_store_get(c->api->st, "pool", pid, c->arena, &pool, NULL) < 0 ||
        strcmp(pool.lb_id, lb_id) != 0 || strcmp(pool.provisioning_status, "DELETED") == 0)
        return fault(c, 404, "Pool %s not found.", pid);
    pb = row_body(&pool);
    if (!bl_api_protos_compatible(proto, json_string_value(json_object_get(pb, "protocol"))))
        rc = fault(c, 400,
                   "Validation failure: The pool protocol '%s' is invalid while the "
                   "listener protocol is '%s'.",
                   json_string_value(json_object_get(pb, "protocol")), proto);
    json_decref(pb);
    return rc;
}

static int listener_create(struct ctx *c, json_t *obj, struct bl_store_row *row)
{
    const char *lb =
        bl_arena_strdup(c->arena, json_string_value(json_object_get(obj, "loadbalancer_id")));
    const char *proto = json_string_value(json_object_get(obj, "protocol"));
    struct port_check pc = {NULL, proto, json_integer_value(json_object_get(obj, "protocol_port")),
                            false, ""};
    int rc;

    json_object_del(obj, "loadbalancer_id");
    json_object_del(obj, "project_id");
    json_object_del(obj, "tenant_id");
    row->lb_id = lb;
    if ((rc = lock_lb(c, lb)) < 0)
        return rc;
    if ((rc = check_options(c, obj, proto)) < 0 || (rc = check_cidrs(c, obj, lb)) < 0)
        return rc;
    if (!bl_api_lb_is_noop(c, lb) && (rc = check_supported(c, obj, proto)) < 0)
        return rc;
    each_row(c, "listener", lb, NULL, port_cb, &pc);
    if (pc.clash)
        return fault(c, 409,
                     "Another Listener on this Load Balancer is already using protocol "
                     "%s and protocol_port %lld",
                     pc.other, (long long)pc.port);
    return bl_api_check_pool_ref(c, json_string_value(json_object_get(obj, "default_pool_id")), lb,
                                 proto);
}

static int listener_update(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    const char *proto = json_string_value(json_object_get(obj, "protocol"));
    int rc = lock_lb(c, row->lb_id);

    if (rc == 0)
        rc = check_options(c, obj, proto);
    if (rc == 0)
        rc = check_cidrs(c, obj, row->lb_id);
    if (rc == 0 && !bl_api_lb_is_noop(c, row->lb_id))
        rc = check_supported(c, obj, proto);
    if (rc == 0)
        rc = bl_api_check_pool_ref(c, json_string_value(json_object_get(obj, "default_pool_id")),
                                   row->lb_id, proto);
    return rc;
}

static int listener_remove(struct ctx *c, const struct bl_store_row *row)
{
    return lock_lb(c, row->lb_id);
}

static void listener_decorate(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    json_object_set_new(obj, "loadbalancers", json_pack("[{s:s}]", "id", row->lb_id));
    json_object_set_new(obj, "l7policies", bl_api_l7_list(c, row->id, false));
}

static const struct resource_ops listener_ops = {.create = listener_create,
                                                 .update = listener_update,
                                                 .remove = listener_remove,
                                                 .decorate = listener_decorate};

const struct resource bl_res_listener = {"listener",    "listener", "listeners",
                                         "Listener",    "listener", bl_spec_listener,
                                         &listener_ops, NULL,       NULL};
