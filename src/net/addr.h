/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket addresses and CIDR blocks: parse, print, compare, match. Pure: no
 * I/O, any thread.
 */
#ifndef BL_NET_ADDR_H
#define BL_NET_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest "[v6]:port" text plus NUL. */
#define BL_ADDR_STRLEN 64

struct bl_addr {
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
    } u;
    socklen_t len; /* 0 = unset */
};

struct bl_cidr {
    int family;        /* AF_INET or AF_INET6 */
    uint8_t bytes[16]; /* network address, host bits cleared */
    uint8_t prefix;    /* 0..32 or 0..128 */
};

/* Parses a numeric IPv4/IPv6 address (no names). Returns 0 or -EINVAL. */
int bl_addr_parse(struct bl_addr *a, const char *ip, uint16_t port);

/* Writes "1.2.3.4:80" or "[::1]:80" into `buf` (BL_ADDR_STRLEN bytes); returns `buf`. */
const char *bl_addr_str(const struct bl_addr *a, char *buf);

/* Writes the address alone, without port. Returns `buf`. */
const char *bl_addr_ip_str(const struct bl_addr *a, char *buf);

uint16_t bl_addr_port(const struct bl_addr *a);

bool bl_addr_equal(const struct bl_addr *a, const struct bl_addr *b);

/*
 * Hashes the address bytes (and the port when `with_port`). Stable across
 * processes and runs, so SOURCE_IP placement survives restarts.
 */
uint64_t bl_addr_hash(const struct bl_addr *a, bool with_port);

/* bl_addr_hash() of the address alone, keeping only its first `bits_v4` (IPv4)
 * or `bits_v6` (IPv6) bits: clients of one network share a hash. */
uint64_t bl_addr_hash_prefix(const struct bl_addr *a, unsigned bits_v4, unsigned bits_v6);

/* Parses "10.0.0.0/8", "::1/128" or a bare address (full-length prefix);
 * clears host bits as Octavia normalises them. Returns 0 or -EINVAL. */
int bl_cidr_parse(struct bl_cidr *c, const char *s);

/* True when `a` lies in `c`. An IPv4-mapped IPv6 client matches an IPv4 block. */
bool bl_cidr_match(const struct bl_cidr *c, const struct bl_addr *a);

#endif
