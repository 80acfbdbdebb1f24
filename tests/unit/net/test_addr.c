/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/net/addr.c and src/net/proxyproto.c: pure, no sockets. */
#include <string.h>

#include "net/addr.h"
#include "net/proxyproto.h"
#include "tap.h"

static void test_addr(void)
{
    struct bl_addr a, b;
    char buf[BL_ADDR_STRLEN];

    is_int(bl_addr_parse(&a, "127.0.0.1", 2222), 0, "IPv4 parses");
    is_str(bl_addr_str(&a, buf), "127.0.0.1:2222", "IPv4 prints with port");
    is_int(bl_addr_parse(&b, "::1", 80), 0, "IPv6 parses");
    is_str(bl_addr_str(&b, buf), "[::1]:80", "IPv6 prints in brackets");
    is_int(bl_addr_parse(&a, "localhost", 1), -22, "names are refused (-EINVAL)");
    is_int(bl_addr_parse(&a, "10.0.0.256", 1), -22, "octet out of range refused");
    bl_addr_parse(&a, "10.1.2.3", 5);
    bl_addr_parse(&b, "10.1.2.3", 5);
    ok(bl_addr_equal(&a, &b), "same address and port are equal");
    ok(bl_addr_hash(&a, false) == bl_addr_hash(&b, false), "equal addresses hash equally");
    bl_addr_parse(&b, "10.1.2.3", 6);
    ok(!bl_addr_equal(&a, &b), "different port: not equal");
    ok(bl_addr_hash(&a, false) == bl_addr_hash(&b, false), "SOURCE_IP hash ignores the port");
    ok(bl_addr_hash(&a, true) != bl_addr_hash(&b, true), "SOURCE_IP_PORT hash uses it");
}

static void test_cidr(void)
{
    struct bl_cidr c;
    struct bl_addr a;

    is_int(bl_cidr_parse(&c, "192.168.0.1/24"), 0, "CIDR parses");
    is_int(c.bytes[3], 0, "host bits are cleared (Octavia normalises 192.168.0.1/24)");
    is_int(c.prefix, 24, "prefix kept");
    bl_addr_parse(&a, "192.168.0.77", 1);
    ok(bl_cidr_match(&c, &a), "inside the block");
    bl_addr_parse(&a, "192.168.1.77", 1);
    ok(!bl_cidr_match(&c, &a), "outside the block");
    bl_addr_parse(&a, "::ffff:192.168.0.9", 1);
    ok(bl_cidr_match(&c, &a), "an IPv4-mapped IPv6 client matches the IPv4 block");
    is_int(bl_cidr_parse(&c, "10.0.0.0/33"), -22, "prefix too long");
    is_int(bl_cidr_parse(&c, "10.0.0.0/"), -22, "empty prefix");
    is_int(bl_cidr_parse(&c, "10.0.0.0/8x"), -22, "trailing junk");
    is_int(bl_cidr_parse(&c, "/8"), -22, "no address");
    is_int(bl_cidr_parse(&c, "2001:db8::/32"), 0, "IPv6 block");
    bl_addr_parse(&a, "2001:db8:1::5", 1);
    ok(bl_cidr_match(&c, &a), "IPv6 inside");
    bl_addr_parse(&a, "2001:db9::5", 1);
    ok(!bl_cidr_match(&c, &a), "IPv6 outside");
    is_int(bl_cidr_parse(&c, "127.0.0.5"), 0, "a bare address is a /32");
    bl_addr_parse(&a, "127.0.0.5", 9);
    ok(bl_cidr_match(&c, &a), "matches itself");
    bl_addr_parse(&a, "127.0.0.6", 9);
    ok(!bl_cidr_match(&c, &a), "and nothing else");
    is_int(bl_cidr_parse(&c, "0.0.0.0/0"), 0, "the whole IPv4 space");
    ok(bl_cidr_match(&c, &a), "matches anything IPv4");
}

static void test_proxy_v1(void)
{
    struct bl_addr src, dst;
    char buf[BL_PROXY_HDR_MAX];
    size_t n;

    bl_addr_parse(&src, "192.0.2.10", 51000);
    bl_addr_parse(&dst, "127.0.0.1", 2222);
    n = bl_proxy_v1_build(buf, &src, &dst);
    buf[n] = '\0';
    is_str(buf, "PROXY TCP4 192.0.2.10 127.0.0.1 51000 2222\r\n", "v1 TCP4 line");
    bl_addr_parse(&src, "2001:db8::1", 1);
    bl_addr_parse(&dst, "::1", 443);
    n = bl_proxy_v1_build(buf, &src, &dst);
    buf[n] = '\0';
    is_str(buf, "PROXY TCP6 2001:db8::1 ::1 1 443\r\n", "v1 TCP6 line");
    bl_addr_parse(&dst, "127.0.0.1", 443);
    n = bl_proxy_v1_build(buf, &src, &dst);
    buf[n] = '\0';
    is_str(buf, "PROXY UNKNOWN\r\n", "mixed families give UNKNOWN");
    bl_addr_parse(&src, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
    bl_addr_parse(&dst, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535);
    n = bl_proxy_v1_build(buf, &src, &dst);
    ok(n == 104 && n < BL_PROXY_HDR_MAX, "the longest v1 line fits (%zu bytes)", n);
}

static void test_proxy_v2(void)
{
    static const unsigned char want4[] = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, /* signature */
        0x21, 0x11, 0x00, 0x0C,                                                 /* v2 PROXY, TCP4, 12 */
        192,  0,    2,    10,   127,  0,    0,    1,                            /* src, dst */
        0xC7, 0x38, 0x08, 0xAE};                                                /* 51000, 2222 */
    struct bl_addr src, dst;
    unsigned char buf[BL_PROXY_HDR_MAX];
    size_t n;

    bl_addr_parse(&src, "192.0.2.10", 51000);
    bl_addr_parse(&dst, "127.0.0.1", 2222);
    n = bl_proxy_v2_build(buf, &src, &dst);
    is_int(n, sizeof(want4), "v2 TCP4 header is 28 bytes");
    ok(memcmp(buf, want4, sizeof(want4)) == 0, "v2 TCP4 header bytes");
    bl_addr_parse(&src, "2001:db8::1", 1);
    bl_addr_parse(&dst, "::1", 443);
    n = bl_proxy_v2_build(buf, &src, &dst);
    is_int(n, 52, "v2 TCP6 header is 52 bytes");
    is_int(buf[13], 0x21, "family byte says TCP over IPv6");
    is_int((buf[14] << 8) | buf[15], 36, "length 36");
    is_int((buf[48] << 8) | buf[49], 1, "source port");
    is_int((buf[50] << 8) | buf[51], 443, "destination port");
}

int main(void)
{
    test_addr();
    test_cidr();
    test_proxy_v1();
    test_proxy_v2();
    return done_testing();
}
