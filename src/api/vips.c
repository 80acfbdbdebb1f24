/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VIP addresses on host interfaces (networks with "interface", api/networks.h).
 *
 * Where this belongs: the address follows the VIP *allocation*, not whether
 * the load balancer is running, so the hook is here in the API, beside the
 * allocation (h_lb.c), and not in the agent:
 *  - it is Octavia's VIP port: it exists from the create to the delete,
 *    through ERROR (a listener that could not open) and failover, and it is
 *    what keeps another host process from taking the address;
 *  - a create must fail with a clear error (no such interface, no
 *    CAP_NET_ADMIN) and store nothing: only the API can still refuse; the
 *    agent works after the 2xx and could only turn the object to ERROR;
 *  - the no-op provider never reaches this code (assign_noop_vip): it runs
 *    nothing and must touch no interface.
 * Order and crashes: the address is added inside the create's transaction and
 * removed again if the transaction does not commit; a delete removes it after
 * its PENDING_DELETE commit. kill -9 anywhere leaves a state start-up repairs
 * (bl_api_vips_restore, before the agent runs and before the API answers):
 * every stored load balancer's VIP is re-added (EEXIST is fine) and those of
 * load balancers still PENDING_DELETE are removed. The one window it cannot
 * see: a kill between the add and the create's commit leaves an address no
 * load balancer owns; allocation skips addresses already on the interface, so
 * it only costs that address until someone removes it.
 */
#include "api/vips.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "core/log.h"
#include "net/ifaddr.h"

int bl_api_vip_plumb(struct ctx *c, const struct bl_subnet *sn, const char *ip, const char *lb_id)
{
    struct bl_err err = {0};
    struct bl_addr a;
    int rc;

    if (sn->ifname[0] == '\0')
        return 0;
    if (bl_addr_parse(&a, ip, 0) < 0)
        return fault(c, 400, "Validation failure: VIP address %s is not an IP address.", ip);
    rc = bl_ifaddr_add(sn->ifname, &a, sn->cidr.prefix, &err);
    if (rc == -EEXIST)
        return rc; /* not ours: the caller picks another or answers 409 */
    if (rc < 0) {
        bl_log(BL_LOG_ERROR, "load balancer %s: %s", lb_id, err.msg);
        /* As Octavia answers when its network driver cannot make the VIP port. */
        return fault(c, 500, "Error creating the VIP port on network %s due to: %s.",
                     sn->network_id, err.msg);
    }
    c->vip_added.sn = sn;
    snprintf(c->vip_added.ip, sizeof(c->vip_added.ip), "%s", ip);
    return 0;
}

void bl_api_vip_release(struct ctx *c, const struct bl_subnet *sn, const char *ip)
{
    if (sn == NULL || sn->ifname[0] == '\0' || ip == NULL)
        return;
    c->vip_freed.sn = sn;
    snprintf(c->vip_freed.ip, sizeof(c->vip_freed.ip), "%s", ip);
}

static void remove_vip(const struct bl_subnet *sn, const char *ip, const char *why)
{
    struct bl_err err = {0};
    struct bl_addr a;
    int rc;

    if (bl_addr_parse(&a, ip, 0) < 0)
        return;
    rc = bl_ifaddr_del(sn->ifname, &a, sn->cidr.prefix, &err);
    if (rc < 0 && rc != -EADDRNOTAVAIL)
        bl_log(BL_LOG_ERROR, "VIP %s: %s", ip, err.msg);
    else
        bl_log(BL_LOG_INFO, "VIP %s/%u removed from %s (%s)", ip, sn->cidr.prefix, sn->ifname, why);
}

/* Linux sends no gratuitous ARP when an address is added: neighbours that
 * knew this address elsewhere (a previous owner) would keep sending there
 * until their cache expires. */
static void announce(const struct bl_subnet *sn, const char *ip)
{
    struct bl_err err = {0};
    struct bl_addr a;

    if (bl_addr_parse(&a, ip, 0) == 0 && bl_garp_send(sn->ifname, &a, &err) < 0)
        bl_log(BL_LOG_WARN, "VIP %s: %s", ip, err.msg);
}

void bl_api_vip_txn_end(struct ctx *c, bool committed)
{
    if (c->vip_added.sn && committed) {
        bl_log(BL_LOG_INFO, "VIP %s/%u added to %s", c->vip_added.ip, c->vip_added.sn->cidr.prefix,
               c->vip_added.sn->ifname);
        announce(c->vip_added.sn, c->vip_added.ip);
    } else if (c->vip_added.sn) {
        remove_vip(c->vip_added.sn, c->vip_added.ip, "create not committed");
    }
    if (c->vip_freed.sn && committed)
        remove_vip(c->vip_freed.sn, c->vip_freed.ip, "load balancer deleted");
    memset(&c->vip_added, 0, sizeof(c->vip_added));
    memset(&c->vip_freed, 0, sizeof(c->vip_freed));
}

/* The subnet of a stored, non-no-op load balancer whose VIP lives on an
 * interface, with its address; NULL otherwise. */
static const struct bl_subnet *plumbed(const struct bl_networks *nw, json_t *body, const char **ip)
{
    const char *provider = json_string_value(json_object_get(body, "provider"));
    const char *subnet = json_string_value(json_object_get(body, "vip_subnet_id"));
    const struct bl_subnet *sn;

    *ip = json_string_value(json_object_get(body, "vip_address"));
    if (*ip == NULL || subnet == NULL || (provider && strcmp(provider, BL_PROVIDER_NOOP) == 0))
        return NULL;
    sn = bl_networks_find(nw, subnet, 0);
    return sn && sn->ifname[0] ? sn : NULL;
}

const struct bl_subnet *bl_api_vip_of(struct ctx *c, const struct bl_store_row *lb, const char **ip)
{
    json_t *b = row_body(lb);
    const struct bl_subnet *sn = plumbed(c->api->nw, b, ip);

    /* `ip` must outlive the body: copy it into the request's arena. */
    *ip = *ip ? bl_arena_strdup(c->arena, *ip) : NULL;
    json_decref(b);
    return sn;
}

int bl_api_vip_ensure(struct ctx *c, const struct bl_store_row *lb)
{
    struct bl_err err = {0};
    const char *ip;
    const struct bl_subnet *sn = bl_api_vip_of(c, lb, &ip);
    struct bl_addr a;
    int rc;

    if (sn == NULL || bl_addr_parse(&a, ip, 0) < 0)
        return 0;
    rc = bl_ifaddr_add(sn->ifname, &a, sn->cidr.prefix, &err);
    if (rc == 0)
        announce(sn, ip);
    if (rc < 0 && rc != -EEXIST) {
        bl_log(BL_LOG_ERROR, "load balancer %s: %s", lb->id, err.msg);
        return fault(c, 500, "Error plugging the VIP port on network %s due to: %s.",
                     sn->network_id, err.msg);
    }
    return 0;
}

struct restore {
    const struct bl_networks *nw;
    unsigned added, kept, removed, failed;
};

static int restore_cb(void *arg, const struct bl_store_row *row)
{
    struct restore *r = arg;
    json_t *b = json_loads(row->body, 0, NULL);
    const char *ip = NULL;
    const struct bl_subnet *sn = b ? plumbed(r->nw, b, &ip) : NULL;
    struct bl_err err = {0};
    struct bl_addr a;
    int rc;

    if (sn && bl_addr_parse(&a, ip, 0) == 0) {
        bool gone = strcmp(row->provisioning_status, "PENDING_DELETE") == 0;
        rc = gone ? bl_ifaddr_del(sn->ifname, &a, sn->cidr.prefix, &err)
                  : bl_ifaddr_add(sn->ifname, &a, sn->cidr.prefix, &err);
        if (rc == 0 && !gone)
            announce(sn, ip);
        if (rc < 0 && rc != -EEXIST && rc != -EADDRNOTAVAIL) {
            r->failed++;
            bl_log(BL_LOG_ERROR, "load balancer %s: %s", row->id, err.msg);
        } else {
            (*(gone ? &r->removed : rc == 0 ? &r->added : &r->kept))++;
        }
    }
    json_decref(b);
    return 0;
}

int bl_api_vips_restore(struct bl_store *st, const struct bl_networks *nw, struct bl_err *err)
{
    struct restore r = {.nw = nw};
    int rc = bl_store_list(st, "loadbalancer", NULL, NULL, restore_cb, &r, err);

    if (rc < 0)
        return rc;
    if (r.added + r.kept + r.removed + r.failed > 0)
        bl_log(r.failed ? BL_LOG_WARN : BL_LOG_INFO,
               "VIPs on interfaces: %u re-added, %u already there, %u removed (deleted load "
               "balancers), %u failed",
               r.added, r.kept, r.removed, r.failed);
    return 0;
}
