/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Addresses on host interfaces, added and removed with rtnetlink
 * (RTM_NEWADDR / RTM_DELADDR on an AF_NETLINK socket; no libnl), and the
 * gratuitous ARP that announces a new IPv4 address (AF_PACKET).
 *
 * The api/ layer plumbs a load balancer's VIP on the interface its network
 * names (api/networks.h). Each call opens its own socket, waits at most one
 * second for the kernel's answer and closes it: these are rare control-plane
 * operations, never on the data path. Needs CAP_NET_ADMIN (CAP_NET_RAW for
 * the ARP); without it the error says so.
 *
 * The message builders and the answer parser are pure, for unit tests.
 */
#ifndef BL_NET_IFADDR_H
#define BL_NET_IFADDR_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/addr.h"

/* One address of one interface, as rtnetlink names it. */
struct bl_ifaddr {
    int family;        /* AF_INET or AF_INET6 */
    uint8_t bytes[16]; /* the address (4 or 16 bytes used) */
    uint8_t prefix;    /* prefix length: the subnet's, so the kernel adds its route */
    uint32_t ifindex;
};

/* Fills `out` from an address and prefix length for interface `ifindex`. */
void bl_ifaddr_set(struct bl_ifaddr *out, const struct bl_addr *ip, unsigned prefix,
                   uint32_t ifindex);

/* Builds RTM_NEWADDR (create, exclusive: -EEXIST when present; IPv6 with
 * IFA_F_NODAD so the address serves at once) or RTM_DELADDR, asking for an
 * acknowledgement. Returns the message length, or -ENOSPC when `len` is short. */
int bl_ifaddr_build(uint16_t type, const struct bl_ifaddr *a, uint32_t seq, void *buf, size_t len);

/* Builds RTM_SETLINK turning on net.ipv4.conf.<if>.promote_secondaries: without
 * it, deleting the first address of a subnet deletes every other address of
 * that subnet on the interface (the other load balancers' VIPs). */
int bl_ifaddr_build_promote(uint32_t ifindex, uint32_t seq, void *buf, size_t len);

/* Reads the kernel's answers in `buf`: 0 (acknowledged) or -errno for request
 * `seq`, with the kernel's extended-ack text (if any) copied into `msg`; 1 when
 * `buf` holds no answer to `seq` (read again); -EBADMSG when it is malformed. */
int bl_ifaddr_parse_ack(const void *buf, size_t len, uint32_t seq, char *msg, size_t msglen);

/* Adds `ip`/`prefix` to interface `ifname`. 0 when added, -EEXIST when it was
 * already there (a caller re-adding its own address takes that as success),
 * else -errno with `err` naming the interface, the address and the cause
 * (-ENODEV: no such interface; -EPERM: no CAP_NET_ADMIN). */
int bl_ifaddr_add(const char *ifname, const struct bl_addr *ip, unsigned prefix,
                  struct bl_err *err);

/* Removes it. 0, -EADDRNOTAVAIL when it was not there, or -errno with `err`. */
int bl_ifaddr_del(const char *ifname, const struct bl_addr *ip, unsigned prefix,
                  struct bl_err *err);

/* The 28-byte ARP payload of a gratuitous ARP request for `ip4` (4 bytes) from
 * hardware address `mac` (6 bytes): sender and target protocol address both
 * the announced one, as arping -U sends it. */
#define BL_GARP_LEN 28
void bl_garp_build(const uint8_t mac[6], const uint8_t ip4[4], uint8_t out[BL_GARP_LEN]);

/* Broadcasts one gratuitous ARP for `ip` (IPv4) on `ifname`, so neighbours and
 * switches learn the new address now rather than when their cache expires.
 * Linux sends none by itself when an address is added. 0 also when the
 * interface does no ARP (loopback, dummy, NOARP); -errno with `err` otherwise. */
int bl_garp_send(const char *ifname, const struct bl_addr *ip, struct bl_err *err);

#endif
