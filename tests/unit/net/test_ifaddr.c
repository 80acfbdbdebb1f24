/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/net/ifaddr.c: the rtnetlink messages byte by byte (the
 * layout is written out here by hand, from rtnetlink(7), not from the code),
 * the acknowledgement parser on made-up kernel answers, the gratuitous ARP
 * payload. The integration test (test_api_netlink.py) runs them for real.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "net/ifaddr.h"
#include "tap.h"

static void test_newaddr_v4(void)
{
    /* little-endian (x86, arm64), as the kernel reads it on this host */
    /* clang-format off */
    static const uint8_t want[40] = {
        40, 0, 0, 0,  20, 0, 0x05, 0x06, 42, 0, 0, 0, 0, 0, 0, 0, /* nlmsghdr: NEWADDR, REQ|ACK|EXCL|CREATE */
        2, 24, 0, 0,  7, 0, 0, 0,                                  /* ifaddrmsg: AF_INET /24, ifindex 7 */
        8, 0, 2, 0,   10, 77, 3, 1,                                /* IFA_LOCAL */
        8, 0, 1, 0,   10, 77, 3, 1};                               /* IFA_ADDRESS */
    /* clang-format on */
    uint32_t buf[32];
    struct bl_ifaddr a;
    struct bl_addr ip;

    bl_addr_parse(&ip, "10.77.3.1", 0);
    bl_ifaddr_set(&a, &ip, 24, 7);
    is_int(bl_ifaddr_build(RTM_NEWADDR, &a, 42, buf, sizeof(buf)), 40, "NEWADDR v4: 40 bytes");
    ok(memcmp(buf, want, sizeof(want)) == 0, "NEWADDR v4: the bytes rtnetlink expects");
    is_int(bl_ifaddr_build(RTM_NEWADDR, &a, 42, buf, 39), -ENOSPC, "short buffer: -ENOSPC");
    is_int(bl_ifaddr_build(RTM_NEWADDR, &a, 42, buf, 20), -ENOSPC, "no room for the header");
    bl_ifaddr_build(RTM_DELADDR, &a, 43, buf, sizeof(buf));
    is_int(((struct nlmsghdr *)buf)->nlmsg_type, RTM_DELADDR, "DELADDR type");
    is_int(((struct nlmsghdr *)buf)->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK,
           "DELADDR: request + ack, no create/excl");
}

static void test_newaddr_v6(void)
{
    uint32_t buf[32];
    const uint8_t *b = (const uint8_t *)buf;
    struct bl_ifaddr a;
    struct bl_addr ip;

    bl_addr_parse(&ip, "fd00:77::5", 0);
    bl_ifaddr_set(&a, &ip, 64, 3);
    is_int(bl_ifaddr_build(RTM_NEWADDR, &a, 1, buf, sizeof(buf)), 16 + 8 + 20 + 20,
           "NEWADDR v6: header + ifaddrmsg + two 16-byte addresses");
    is_int(b[16], 10, "AF_INET6");
    is_int(b[17], 64, "prefix 64");
    is_int(b[18], IFA_F_NODAD, "NODAD: no tentative period");
    is_int(b[24] | b[25] << 8, 20, "IFA_LOCAL length");
    ok(b[28] == 0xfd && b[29] == 0x00 && b[30] == 0x00 && b[31] == 0x77 && b[43] == 5,
       "IFA_LOCAL bytes");
    bl_ifaddr_build(RTM_DELADDR, &a, 1, buf, sizeof(buf));
    is_int(b[18], 0, "DELADDR v6: no flags");
}

static void test_promote(void)
{
    /* clang-format off */
    static const uint8_t want[52] = {
        52, 0, 0, 0,  19, 0, 0x05, 0, 9, 0, 0, 0, 0, 0, 0, 0, /* RTM_SETLINK, REQ|ACK */
        0, 0, 0, 0,   7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* ifinfomsg: AF_UNSPEC, index 7 */
        20, 0, 26, 0,                                           /* IFLA_AF_SPEC, 20 bytes */
        16, 0, 2, 0,                                            /*   AF_INET */
        12, 0, 1, 0,                                            /*     IFLA_INET_CONF */
        8, 0, 20, 0,  1, 0, 0, 0};                              /*       PROMOTE_SECONDARIES = 1 */
    /* clang-format on */
    uint32_t buf[32];

    is_int(bl_ifaddr_build_promote(7, 9, buf, sizeof(buf)), 52, "SETLINK: 52 bytes");
    ok(memcmp(buf, want, sizeof(want)) == 0,
       "SETLINK promote_secondaries: nested as the kernel reads");
    is_int(bl_ifaddr_build_promote(7, 9, buf, 48), -ENOSPC, "short buffer: -ENOSPC");
}

/* A made-up kernel answer: NLMSG_ERROR for `seq` carrying `error`, the
 * request header (capped) or the whole 40-byte request (uncapped), and an
 * extended-ack message when `text` is given. */
static size_t ack(uint32_t *buf, uint32_t seq, int error, const char *text, int capped)
{
    struct nlmsghdr *n = (struct nlmsghdr *)buf;
    struct nlmsgerr *e = NLMSG_DATA(n);
    size_t off = NLMSG_HDRLEN + sizeof(*e) + (capped ? 0 : 24);

    memset(buf, 0, 256);
    n->nlmsg_type = NLMSG_ERROR;
    n->nlmsg_seq = seq;
    n->nlmsg_flags = (uint16_t)((capped ? NLM_F_CAPPED : 0) | (text ? NLM_F_ACK_TLVS : 0));
    e->error = error;
    e->msg.nlmsg_len = 40;
    e->msg.nlmsg_seq = seq;
    if (text) {
        struct nlattr *at = (struct nlattr *)((char *)buf + off);
        at->nla_type = NLMSGERR_ATTR_MSG;
        at->nla_len = (uint16_t)(NLA_HDRLEN + strlen(text) + 1);
        memcpy((char *)at + NLA_HDRLEN, text, strlen(text) + 1);
        off += NLA_ALIGN(at->nla_len);
    }
    n->nlmsg_len = (uint32_t)off;
    return off;
}

static void test_parse_ack(void)
{
    uint32_t buf[64];
    char msg[64];
    size_t n;

    n = ack(buf, 5, 0, NULL, 1);
    is_int(bl_ifaddr_parse_ack(buf, n, 5, msg, sizeof(msg)), 0, "plain ack: 0");
    is_str(msg, "", "no message");
    n = ack(buf, 5, -EEXIST, "Address already assigned", 1);
    is_int(bl_ifaddr_parse_ack(buf, n, 5, msg, sizeof(msg)), -EEXIST, "error: -EEXIST");
    is_str(msg, "Address already assigned", "extended ack text (capped)");
    n = ack(buf, 6, -EINVAL, "Invalid prefix", 0);
    is_int(bl_ifaddr_parse_ack(buf, n, 6, msg, sizeof(msg)), -EINVAL, "uncapped: -EINVAL");
    is_str(msg, "Invalid prefix", "extended ack text after the echoed request");
    is_int(bl_ifaddr_parse_ack(buf, n, 7, msg, sizeof(msg)), 1,
           "another request's answer: read on");
    is_int(bl_ifaddr_parse_ack(buf, n, 6, msg, 4), -EINVAL, "small message buffer");
    is_str(msg, "Inv", "text cut to fit");
    is_int(bl_ifaddr_parse_ack(buf, 10, 6, msg, sizeof(msg)), -EBADMSG, "truncated: -EBADMSG");
    ((struct nlmsghdr *)buf)->nlmsg_len = 20;
    is_int(bl_ifaddr_parse_ack(buf, 20, 6, msg, sizeof(msg)), -EBADMSG,
           "error message too short for nlmsgerr: -EBADMSG");
    n = ack(buf, 8, 5, NULL, 1);
    is_int(bl_ifaddr_parse_ack(buf, n, 8, msg, sizeof(msg)), -EBADMSG,
           "a positive error is no errno: -EBADMSG, not an answer to read past");
    n = ack(buf, 8, -2147483647 - 1, NULL, 1);
    is_int(bl_ifaddr_parse_ack(buf, n, 8, msg, sizeof(msg)), -EBADMSG,
           "an error below -4095 is no errno: -EBADMSG");
}

static void test_garp(void)
{
    static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, ip[4] = {10, 77, 3, 1};
    /* clang-format off */
    static const uint8_t want[BL_GARP_LEN] = {
        0, 1, 8, 0, 6, 4, 0, 1,                 /* Ethernet/IPv4, request */
        0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 10, 77, 3, 1, /* sender = us */
        0, 0, 0, 0, 0, 0, 10, 77, 3, 1};        /* target address = sender: gratuitous */
    /* clang-format on */
    uint8_t out[BL_GARP_LEN];

    bl_garp_build(mac, ip, out);
    ok(memcmp(out, want, sizeof(want)) == 0, "gratuitous ARP request bytes");
}

static void test_missing_interface(void)
{
    struct bl_err err = {0};
    struct bl_addr ip;

    bl_addr_parse(&ip, "10.77.3.1", 0);
    is_int(bl_ifaddr_add("bl-nosuch0", &ip, 24, &err), -ENODEV, "missing interface: -ENODEV");
    is_str(err.msg, "cannot add 10.77.3.1/24 to interface bl-nosuch0: no such interface",
           "the message names address and interface");
    is_int(bl_ifaddr_del("bl-nosuch0", &ip, 24, &err), -ENODEV, "remove: -ENODEV too");
    is_int(bl_garp_send("bl-nosuch0", &ip, &err), 0, "ARP on a missing interface: nothing sent");
}

int main(void)
{
    test_newaddr_v4();
    test_newaddr_v6();
    test_promote();
    test_parse_ack();
    test_garp();
    test_missing_interface();
    return done_testing();
}
