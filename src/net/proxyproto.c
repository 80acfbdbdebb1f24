/* SPDX-License-Identifier: Apache-2.0 */
#include "net/proxyproto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const unsigned char v2_sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                         0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

size_t bl_proxy_v1_build(char *buf, const struct bl_addr *src, const struct bl_addr *dst)
{
    char s[BL_ADDR_STRLEN], d[BL_ADDR_STRLEN];
    int fam = src->u.sa.sa_family;
    int n;

    if (fam != dst->u.sa.sa_family || (fam != AF_INET && fam != AF_INET6))
        return (size_t)snprintf(buf, BL_PROXY_HDR_MAX, "PROXY UNKNOWN\r\n");
    n = snprintf(buf, BL_PROXY_HDR_MAX, "PROXY %s %s %s %u %u\r\n",
                 fam == AF_INET ? "TCP4" : "TCP6", bl_addr_ip_str(src, s), bl_addr_ip_str(dst, d),
                 bl_addr_port(src), bl_addr_port(dst));
    return (size_t)n;
}

size_t bl_proxy_v2_build(unsigned char *buf, const struct bl_addr *src, const struct bl_addr *dst)
{
    int fam = src->u.sa.sa_family;
    unsigned char *p = buf + 16;
    uint16_t len;

    memcpy(buf, v2_sig, sizeof(v2_sig));
    buf[12] = 0x21; /* version 2, command PROXY */
    if (fam == AF_INET && dst->u.sa.sa_family == AF_INET) {
        buf[13] = 0x11; /* AF_INET, STREAM */
        memcpy(p, &src->u.in4.sin_addr, 4);
        memcpy(p + 4, &dst->u.in4.sin_addr, 4);
        memcpy(p + 8, &src->u.in4.sin_port, 2);
        memcpy(p + 10, &dst->u.in4.sin_port, 2);
        len = 12;
    } else if (fam == AF_INET6 && dst->u.sa.sa_family == AF_INET6) {
        buf[13] = 0x21; /* AF_INET6, STREAM */
        memcpy(p, &src->u.in6.sin6_addr, 16);
        memcpy(p + 16, &dst->u.in6.sin6_addr, 16);
        memcpy(p + 32, &src->u.in6.sin6_port, 2);
        memcpy(p + 34, &dst->u.in6.sin6_port, 2);
        len = 36;
    } else {
        buf[13] = 0x00; /* AF_UNSPEC: the receiver uses the real connection's addresses */
        len = 0;
    }
    buf[14] = (unsigned char)(len >> 8);
    buf[15] = (unsigned char)(len & 0xff);
    return 16u + len;
}
