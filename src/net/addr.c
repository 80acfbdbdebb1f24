/* SPDX-License-Identifier: Apache-2.0 */
#include "net/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

int bl_addr_parse(struct bl_addr *a, const char *ip, uint16_t port)
{
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, ip, &a->u.in4.sin_addr) == 1) {
        a->u.in4.sin_family = AF_INET;
        a->u.in4.sin_port = htons(port);
        a->len = sizeof(a->u.in4);
        return 0;
    }
    if (inet_pton(AF_INET6, ip, &a->u.in6.sin6_addr) == 1) {
        a->u.in6.sin6_family = AF_INET6;
        a->u.in6.sin6_port = htons(port);
        a->len = sizeof(a->u.in6);
        return 0;
    }
    return -EINVAL;
}

const char *bl_addr_ip_str(const struct bl_addr *a, char *buf)
{
    if (a->u.sa.sa_family == AF_INET6)
        inet_ntop(AF_INET6, &a->u.in6.sin6_addr, buf, BL_ADDR_STRLEN);
    else if (a->u.sa.sa_family == AF_INET)
        inet_ntop(AF_INET, &a->u.in4.sin_addr, buf, BL_ADDR_STRLEN);
    else
        snprintf(buf, BL_ADDR_STRLEN, "?");
    return buf;
}

const char *bl_addr_str(const struct bl_addr *a, char *buf)
{
    char ip[BL_ADDR_STRLEN];

    bl_addr_ip_str(a, ip);
    if (a->u.sa.sa_family == AF_INET6)
        snprintf(buf, BL_ADDR_STRLEN, "[%s]:%u", ip, bl_addr_port(a));
    else
        snprintf(buf, BL_ADDR_STRLEN, "%s:%u", ip, bl_addr_port(a));
    return buf;
}

uint16_t bl_addr_port(const struct bl_addr *a)
{
    if (a->u.sa.sa_family == AF_INET6)
        return ntohs(a->u.in6.sin6_port);
    return ntohs(a->u.in4.sin_port);
}

bool bl_addr_equal(const struct bl_addr *a, const struct bl_addr *b)
{
    if (a->u.sa.sa_family != b->u.sa.sa_family)
        return false;
    if (a->u.sa.sa_family == AF_INET)
        return a->u.in4.sin_port == b->u.in4.sin_port &&
               a->u.in4.sin_addr.s_addr == b->u.in4.sin_addr.s_addr;
    return a->u.in6.sin6_port == b->u.in6.sin6_port &&
           memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, 16) == 0;
}

uint64_t bl_addr_hash(const struct bl_addr *a, bool with_port)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;

    if (a->u.sa.sa_family == AF_INET) {
        h = bl_hash_mix64(h ^ ntohl(a->u.in4.sin_addr.s_addr));
    } else {
        uint64_t w[2];
        memcpy(w, &a->u.in6.sin6_addr, 16);
        h = bl_hash_mix64(h ^ w[0]);
        h = bl_hash_mix64(h ^ w[1]);
    }
    if (with_port)
        h = bl_hash_mix64(h ^ ((uint64_t)bl_addr_port(a) << 32));
    return h;
}

uint64_t bl_addr_hash_prefix(const struct bl_addr *a, unsigned bits_v4, unsigned bits_v6)
{
    struct bl_addr m = *a;
    unsigned char *b;
    unsigned n, bits;

    if (m.u.sa.sa_family == AF_INET) {
        b = (unsigned char *)&m.u.in4.sin_addr;
        n = 4;
        bits = bits_v4;
    } else {
        b = (unsigned char *)&m.u.in6.sin6_addr;
        n = 16;
        bits = bits_v6;
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * i : 0;
        b[i] &= (unsigned char)(0xff00u >> keep);
    }
    return bl_addr_hash(&m, false);
}

int bl_cidr_parse(struct bl_cidr *c, const char *s)
{
    char ip[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(s, '/');
    size_t iplen = slash ? (size_t)(slash - s) : strlen(s);
    int maxbits;
    long prefix;

    if (iplen == 0 || iplen >= sizeof(ip))
        return -EINVAL;
    memcpy(ip, s, iplen);
    ip[iplen] = '\0';
    memset(c, 0, sizeof(*c));
    if (inet_pton(AF_INET, ip, c->bytes) == 1) {
        c->family = AF_INET;
        maxbits = 32;
    } else if (inet_pton(AF_INET6, ip, c->bytes) == 1) {
        c->family = AF_INET6;
        maxbits = 128;
    } else {
        return -EINVAL;
    }
    prefix = maxbits;
    if (slash) {
        char *end;
        if (slash[1] < '0' || slash[1] > '9')
            return -EINVAL;
        prefix = strtol(slash + 1, &end, 10);
        if (*end != '\0' || prefix < 0 || prefix > maxbits)
            return -EINVAL;
    }
    c->prefix = (uint8_t)prefix;
    for (int bit = (int)prefix; bit < maxbits; bit++)
        c->bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
    return 0;
}

static bool prefix_match(const uint8_t *net, const uint8_t *ip, unsigned prefix)
{
    unsigned full = prefix / 8, rest = prefix % 8;

    if (memcmp(net, ip, full) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((net[full] ^ ip[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

bool bl_cidr_match(const struct bl_cidr *c, const struct bl_addr *a)
{
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const uint8_t *v6;

    if (a->u.sa.sa_family == AF_INET) {
        if (c->family != AF_INET)
            return false;
        return prefix_match(c->bytes, (const uint8_t *)&a->u.in4.sin_addr, c->prefix);
    }
    v6 = (const uint8_t *)&a->u.in6.sin6_addr;
    if (c->family == AF_INET6)
        return prefix_match(c->bytes, v6, c->prefix);
    return memcmp(v6, v4mapped, 12) == 0 && prefix_match(c->bytes, v6 + 12, c->prefix);
}
