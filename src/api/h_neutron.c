/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The small Neutron subset the `openstack` CLI asks for. With
 * OS_AUTH_TYPE=none every service resolves to ballast's endpoint, and the
 * client looks up --vip-subnet-id, --vip-network-id, --vip-port-id and
 * member --subnet-id in Neutron before it talks to Octavia, by id or by
 * name (octavia-cli-driving.md §1). ballast answers from its own networks:
 * the declared networks and subnets (api/networks.h), and the VIP ports of
 * its load balancers. There are no QoS policies.
 */
#include "api/internal.h"

#include <stdio.h>
#include <string.h>

static bool wanted(const char *query, json_t *obj);

static json_t *subnet_json(const struct bl_subnet *sn)
{
    char first[48] = "", last[48] = "";
    uint32_t hosts = bl_subnet_hosts(sn);

    bl_subnet_host(sn, 1, first, sizeof(first));
    bl_subnet_host(sn, hosts, last, sizeof(last));
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:n, s:s, s:s, s:[{s:s, s:s}]}", "id", sn->id,
                     "name", sn->name, "network_id", sn->network_id, "cidr", sn->cidr_text,
                     "ip_version", 4, "gateway_ip", "project_id", "", "tenant_id", "",
                     "allocation_pools", "start", first, "end", last);
}

/* Networks, each with the ids of its subnets (subnets of one network are adjacent). */
static void add_networks(const struct bl_networks *nw, const char *query, json_t *list)
{
    for (size_t i = 0; i < nw->n; i++) {
        const struct bl_subnet *sn = &nw->subnets[i];
        json_t *net;
        if (i > 0 && strcmp(nw->subnets[i - 1].network_id, sn->network_id) == 0)
            continue;
        net = json_pack("{s:s, s:s, s:[], s:s, s:b, s:s, s:s}", "id", sn->network_id, "name",
                        sn->network_name, "subnets", "status", "ACTIVE", "admin_state_up", 1,
                        "project_id", "", "tenant_id", "");
        for (size_t k = i; k < nw->n && strcmp(nw->subnets[k].network_id, sn->network_id) == 0;
             k++)
            json_array_append_new(json_object_get(net, "subnets"),
                                  json_string(nw->subnets[k].id));
        if (wanted(query, net))
            json_array_append(list, net);
        json_decref(net);
    }
}

/* Keeps `obj` when it matches every id= / name= filter of the query. */
static bool wanted(const char *query, json_t *obj)
{
    static const char *const keys[] = {"id", "name"};

    for (size_t i = 0; i < 2; i++) {
        char pat[64];
        const char *p = query, *v = json_string_value(json_object_get(obj, keys[i]));
        snprintf(pat, sizeof(pat), "%s=", keys[i]);
        while ((p = strstr(p, pat)) != NULL) {
            size_t len;
            if (p != query && p[-1] != '&') {
                p += strlen(pat);
                continue;
            }
            p += strlen(pat);
            len = strcspn(p, "&");
            if (v == NULL || strlen(v) != len || strncmp(v, p, len) != 0)
                return false;
        }
    }
    return true;
}

struct ports {
    json_t *list;
    const char *query;
};

static int port_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct ports *p = arg;
    json_t *b = row_body(row), *port;

    (void)c;
    port = json_pack("{s:O, s:s, s:O, s:[{s:O, s:O}], s:s, s:s}", "id",
                     json_object_get(b, "vip_port_id"), "name", "", "network_id",
                     json_object_get(b, "vip_network_id"), "fixed_ips", "subnet_id",
                     json_object_get(b, "vip_subnet_id"), "ip_address",
                     json_object_get(b, "vip_address"), "device_owner", "Octavia", "device_id",
                     row->id);
    if (json_is_string(json_object_get(port, "id")) && wanted(p->query, port))
        json_array_append(p->list, port);
    json_decref(port);
    json_decref(b);
    return 0;
}

bool bl_api_neutron(struct ctx *c, char **seg, int n)
{
    const char *what = n >= 2 ? seg[1] : "";
    json_t *list = json_array(), *one;
    char key[32];

    if (n == 3 && strcmp(what, "qos") == 0 && strcmp(seg[2], "policies") == 0) {
        what = "policies";
    } else if (n != 2 || (strcmp(what, "subnets") && strcmp(what, "networks") &&
                          strcmp(what, "ports"))) {
        json_decref(list);
        return false;
    }
    if (strcmp(what, "subnets") == 0) {
        for (size_t i = 0; i < c->api->nw->n; i++) {
            json_t *sn = subnet_json(&c->api->nw->subnets[i]);
            if (wanted(c->req->query, sn))
                json_array_append(list, sn);
            json_decref(sn);
        }
    } else if (strcmp(what, "networks") == 0) {
        add_networks(c->api->nw, c->req->query, list);
    }
    if (strcmp(what, "ports") == 0) {
        struct ports p = {list, c->req->query};
        each_row(c, "loadbalancer", NULL, NULL, port_cb, &p);
    }
    snprintf(key, sizeof(key), "%s", what);
    c->resp->status = 200;
    one = json_pack("{s:o}", key, list);
    c->resp->body = json_dumps(one, JSON_COMPACT);
    json_decref(one);
    return true;
}
