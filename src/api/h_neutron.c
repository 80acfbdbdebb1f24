/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The small Neutron subset the `openstack` CLI asks for. With
 * OS_AUTH_TYPE=none every service resolves to ballast's endpoint, and the
 * client looks up --vip-subnet-id, --vip-network-id, --vip-port-id and
 * member --subnet-id in Neutron before it talks to Octavia, by id or by
 * name (octavia-cli-driving.md §1). ballast answers from its own networks:
 * the built-in `loopback` network and subnet, and the VIP ports of its
 * load balancers. There are no QoS policies.
 */
#include "api/internal.h"

#include <stdio.h>
#include <string.h>

static json_t *loopback_subnet(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:[{s:s, s:s}], s:s, s:s}", "id",
                     BL_LOOPBACK_SUBNET_ID, "name", "loopback", "network_id",
                     BL_LOOPBACK_NETWORK_ID, "cidr", "127.100.0.0/16", "ip_version", 4,
                     "gateway_ip", "127.100.0.1", "project_id", "", "allocation_pools", "start",
                     "127.100.0.1", "end", "127.100.255.254", "tenant_id", "", "description",
                     "ballast's built-in loopback network (no privileges needed)");
}

static json_t *loopback_network(void)
{
    return json_pack("{s:s, s:s, s:[s], s:s, s:b, s:s, s:s}", "id", BL_LOOPBACK_NETWORK_ID,
                     "name", "loopback", "subnets", BL_LOOPBACK_SUBNET_ID, "status", "ACTIVE",
                     "admin_state_up", 1, "project_id", "", "tenant_id", "");
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
    port = json_pack("{s:O, s:s, s:s, s:[{s:s, s:O}], s:s, s:s}", "id",
                     json_object_get(b, "vip_port_id"), "name", "", "network_id",
                     BL_LOOPBACK_NETWORK_ID, "fixed_ips", "subnet_id", BL_LOOPBACK_SUBNET_ID,
                     "ip_address", json_object_get(b, "vip_address"), "device_owner",
                     "Octavia", "device_id", row->id);
    if (json_is_string(json_object_get(port, "id")) && wanted(p->query, port))
        json_array_append(p->list, port);
    json_decref(port);
    json_decref(b);
    return 0;
}

bool bl_api_neutron(struct ctx *c, char **seg, int n)
{
    const char *what = n >= 2 ? seg[1] : "";
    json_t *list = json_array(), *one = NULL;
    char key[32];

    if (n == 3 && strcmp(what, "qos") == 0 && strcmp(seg[2], "policies") == 0) {
        what = "policies";
    } else if (n != 2 || (strcmp(what, "subnets") && strcmp(what, "networks") &&
                          strcmp(what, "ports"))) {
        json_decref(list);
        return false;
    }
    if (strcmp(what, "subnets") == 0)
        one = loopback_subnet();
    else if (strcmp(what, "networks") == 0)
        one = loopback_network();
    if (one && wanted(c->req->query, one))
        json_array_append(list, one);
    json_decref(one);
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
