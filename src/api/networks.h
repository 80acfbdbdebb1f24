/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The networks VIPs live on, as ballastd's configuration declares them
 * (`--networks FILE`), plus the built-in `loopback` network (one subnet,
 * also `loopback`, 127.100.0.0/16 on lo: no privileges, always there).
 * The API allocates VIPs from these subnets and answers the Neutron look-ups
 * of the openstack client from them.
 *
 * The file: {"networks": [{"id": UUID, "name": "...", "interface": "eth1",
 *            "subnets": [{"id": UUID, "name": "...", "cidr": "198.51.100.0/24"}]}]}
 * IPv4 subnets only for now. Listeners bind with IP_FREEBIND, so a VIP need
 * not be configured on an interface for ballast to accept on it.
 *
 * "interface" (optional) makes it a host-interface network: a Neutron network
 * is one L2 segment, so the interface is the network's and its subnets share
 * it. ballast then adds each VIP of the network's subnets to that interface
 * (with the subnet's prefix length) when the load balancer's VIP is allocated,
 * announces it with a gratuitous ARP, and removes it when the load balancer is
 * deleted (api/vips.c says why there). The interface need not exist when
 * ballastd starts; a create on it fails (500) until it does. Without
 * "interface" nothing is plumbed: the addresses must reach the host by routing
 * (or be local, as the built-in loopback network's are).
 */
#ifndef BL_API_NETWORKS_H
#define BL_API_NETWORKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/addr.h"

struct bl_subnet {
    char id[37];
    char name[64];
    char network_id[37];
    char network_name[64];
    struct bl_cidr cidr;
    char cidr_text[48];
    char ifname[16]; /* the network's host interface (IFNAMSIZ); "" = none */
};

struct bl_networks {
    struct bl_subnet *subnets; /* [0] is the built-in loopback subnet */
    size_t n;
};

/* Fills `nw` with the built-in network, then the networks of `path` (may be NULL).
 * Returns 0 or -errno with `err` naming the file and JSON path. */
int bl_networks_load(const char *path, struct bl_networks *nw, struct bl_err *err);

/* The same from the file's text, text[0..len) (NULL = no file); `name` names
 * it in messages. On failure `nw` holds nothing to free. */
int bl_networks_parse(const char *text, size_t len, const char *name, struct bl_networks *nw,
                      struct bl_err *err);

void bl_networks_free(struct bl_networks *nw);

/* The subnet with this id (or, when `by_network`, the first subnet of this network). */
const struct bl_subnet *bl_networks_find(const struct bl_networks *nw, const char *id,
                                         int by_network);

/* The subnet `ip` (numeric) falls in, or NULL. */
const struct bl_subnet *bl_networks_containing(const struct bl_networks *nw, const char *ip);

/* How many host addresses `sn` has (no network, no broadcast address). */
uint32_t bl_subnet_hosts(const struct bl_subnet *sn);

/* The i-th host address of `sn` (1 = first usable) as text; -ERANGE past the end. */
int bl_subnet_host(const struct bl_subnet *sn, uint32_t i, char *out, size_t outlen);

#endif
