/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnetlink address requests and gratuitous ARP (net/ifaddr.h). One socket per
 * call, a bounded wait for the kernel's acknowledgement, extended-ack text in
 * errors so a refusal names its cause.
 */
#include "net/ifaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define ACK_WAIT_MS 1000
#define MAX_READS 8    /* answers to other requests (none expected) before giving up */
#define ERRNO_MAX 4095 /* the largest errno value, as the kernel's MAX_ERRNO */

void bl_ifaddr_set(struct bl_ifaddr *out, const struct bl_addr *ip, unsigned prefix,
                   uint32_t ifindex)
{
    memset(out, 0, sizeof(*out));
    out->family = ip->u.sa.sa_family;
    if (out->family == AF_INET)
        memcpy(out->bytes, &ip->u.in4.sin_addr, 4);
    else
        memcpy(out->bytes, &ip->u.in6.sin6_addr, 16);
    out->prefix = (uint8_t)prefix;
    out->ifindex = ifindex;
}

/* Appends attribute `type` with `len` bytes of `data` to message `n`; NULL
 * when it does not fit, else the attribute (for nesting). */
static struct rtattr *put_attr(struct nlmsghdr *n, size_t cap, uint16_t type, const void *data,
                               size_t len)
{
    struct rtattr *rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

    if (NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len) > cap)
        return NULL;
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(len);
    if (len)
        memcpy(RTA_DATA(rta), data, len);
    n->nlmsg_len = (uint32_t)(NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len));
    return rta;
}

static struct nlmsghdr *start_msg(void *buf, size_t cap, uint16_t type, uint16_t flags,
                                  uint32_t seq, size_t body)
{
    struct nlmsghdr *n = buf;

    if (cap < NLMSG_SPACE(body))
        return NULL;
    memset(buf, 0, NLMSG_SPACE(body));
    n->nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
    n->nlmsg_type = type;
    n->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
    n->nlmsg_seq = seq;
    return n;
}

int bl_ifaddr_build(uint16_t type, const struct bl_ifaddr *a, uint32_t seq, void *buf, size_t len)
{
    uint16_t flags = type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0;
    struct nlmsghdr *n = start_msg(buf, len, type, flags, seq, sizeof(struct ifaddrmsg));
    size_t alen = a->family == AF_INET ? 4 : 16;
    struct ifaddrmsg *ifa;

    if (n == NULL)
        return -ENOSPC;
    ifa = NLMSG_DATA(n);
    ifa->ifa_family = (uint8_t)a->family;
    ifa->ifa_prefixlen = a->prefix;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = a->ifindex;
    /* A tentative IPv6 address (duplicate detection running) takes no traffic. */
    if (a->family == AF_INET6 && type == RTM_NEWADDR)
        ifa->ifa_flags = IFA_F_NODAD;
    /* IFA_LOCAL is the address; IFA_ADDRESS the same (not point-to-point). */
    if (!put_attr(n, len, IFA_LOCAL, a->bytes, alen) ||
        !put_attr(n, len, IFA_ADDRESS, a->bytes, alen))
        return -ENOSPC;
    return (int)n->nlmsg_len;
}

int bl_ifaddr_build_promote(uint32_t ifindex, uint32_t seq, void *buf, size_t len)
{
    struct nlmsghdr *n = start_msg(buf, len, RTM_SETLINK, 0, seq, sizeof(struct ifinfomsg));
    struct rtattr *spec, *inet, *conf;
    uint32_t on = 1;

    if (n == NULL)
        return -ENOSPC;
    ((struct ifinfomsg *)NLMSG_DATA(n))->ifi_family = AF_UNSPEC;
    ((struct ifinfomsg *)NLMSG_DATA(n))->ifi_index = (int)ifindex;
    /* IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { PROMOTE_SECONDARIES: 1 } } } */
    if (!(spec = put_attr(n, len, IFLA_AF_SPEC, NULL, 0)) ||
        !(inet = put_attr(n, len, AF_INET, NULL, 0)) ||
        !(conf = put_attr(n, len, IFLA_INET_CONF, NULL, 0)) ||
        !put_attr(n, len, IPV4_DEVCONF_PROMOTE_SECONDARIES, &on, sizeof(on)))
        return -ENOSPC;
    conf->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)conf);
    inet->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)inet);
    spec->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)spec);
    return (int)n->nlmsg_len;
}

/* The NLMSGERR_ATTR_MSG text of an extended acknowledgement, if any. */
static void ext_ack_msg(const struct nlmsghdr *n, char *msg, size_t msglen)
{
    const struct nlmsgerr *e = NLMSG_DATA(n);
    size_t off = NLMSG_HDRLEN + sizeof(*e), end = n->nlmsg_len;

    if (!(n->nlmsg_flags & NLM_F_ACK_TLVS))
        return;
    if (!(n->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
        off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN); /* the request was echoed */
    while (off + NLA_HDRLEN <= end) {
        const struct nlattr *at = (const struct nlattr *)((const char *)n + off);
        if (at->nla_len < NLA_HDRLEN || off + at->nla_len > end)
            return;
        if ((at->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && msglen > 0) {
            size_t k = at->nla_len - NLA_HDRLEN;
            k = k < msglen ? k : msglen - 1;
            memcpy(msg, (const char *)at + NLA_HDRLEN, k);
            msg[k] = '\0';
            msg[strcspn(msg, "\n")] = '\0';
            return;
        }
        off += NLA_ALIGN(at->nla_len);
    }
}

int bl_ifaddr_parse_ack(const void *buf, size_t len, uint32_t seq, char *msg, size_t msglen)
{
    const struct nlmsghdr *n = buf;
    int left = (int)len, err;

    if (msglen > 0)
        msg[0] = '\0';
    for (; NLMSG_OK(n, left); n = NLMSG_NEXT(n, left)) {
        if (n->nlmsg_seq != seq)
            continue;
        if (n->nlmsg_type != NLMSG_ERROR)
            continue; /* no other answer to an address or link change is expected */
        if (n->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
            return -EBADMSG;
        err = ((const struct nlmsgerr *)NLMSG_DATA(n))->error;
        /* The kernel sends 0 or -errno: anything else would read as "no
         * answer yet" (1) or a success, or overflow when negated for strerror. */
        if (err > 0 || err < -ERRNO_MAX)
            return -EBADMSG;
        ext_ack_msg(n, msg, msglen);
        return err;
    }
    return left == 0 ? 1 : -EBADMSG;
}

static int nl_open(void)
{
    struct timeval tv = {.tv_sec = ACK_WAIT_MS / 1000, .tv_usec = (ACK_WAIT_MS % 1000) * 1000};
    int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

    if (fd < 0)
        return -errno;
    /* Best effort: older kernels give plain acknowledgements. */
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Sends one request and waits for its acknowledgement: 0 or -errno. */
static int nl_talk(const void *req, size_t len, uint32_t seq, char *msg, size_t msglen)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    uint32_t buf[2048]; /* aligned for nlmsghdr */
    int fd = nl_open(), rc = 1;

    if (fd < 0)
        return fd;
    if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        rc = -errno;
    for (int i = 0; i < MAX_READS && rc == 1; i++) {
        struct sockaddr_nl from;
        socklen_t fl = sizeof(from);
        ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (r < 0)
            rc = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
        else if (from.nl_pid == 0) /* only the kernel answers */
            rc = bl_ifaddr_parse_ack(buf, (size_t)r, seq, msg, msglen);
    }
    close(fd);
    return rc == 1 ? -ETIMEDOUT : rc;
}

static uint32_t next_seq(void)
{
    static _Atomic uint32_t seq;
    return ++seq + (uint32_t)getpid() * 65536u;
}

/* Error text: "<verb> 10.0.0.5/24 <prep> interface eth1: <cause>[ (kernel: ...)]". */
static int fail(struct bl_err *err, int rc, const char *verb, const char *prep,
                const struct bl_addr *ip, unsigned prefix, const char *ifname, const char *kmsg)
{
    char ipbuf[BL_ADDR_STRLEN];
    const char *hint = rc == -EPERM ? " (ballastd needs CAP_NET_ADMIN)" : "";

    bl_addr_ip_str(ip, ipbuf);
    if (rc == -ENODEV)
        return bl_err_set(err, rc, "cannot %s %s/%u %s interface %s: no such interface", verb,
                          ipbuf, prefix, prep, ifname);
    return bl_err_set(err, rc, "cannot %s %s/%u %s interface %s: %s%s%s%s%s", verb, ipbuf, prefix,
                      prep, ifname, strerror(-rc), hint, kmsg[0] ? " (kernel: " : "", kmsg,
                      kmsg[0] ? ")" : "");
}

static int change(uint16_t type, const char *ifname, const struct bl_addr *ip, unsigned prefix,
                  struct bl_err *err)
{
    unsigned idx = if_nametoindex(ifname);
    struct bl_ifaddr a;
    uint32_t req[64], seq = next_seq();
    char kmsg[200] = "";
    int len, rc;

    if (idx == 0)
        return fail(err, -ENODEV, type == RTM_NEWADDR ? "add" : "remove",
                    type == RTM_NEWADDR ? "to" : "from", ip, prefix, ifname, kmsg);
    /* Turned on before an IPv4 address is added, so it holds whichever
     * address of the subnet comes first; a failure shows on the add. */
    if (type == RTM_NEWADDR && ip->u.sa.sa_family == AF_INET &&
        (len = bl_ifaddr_build_promote(idx, seq, req, sizeof(req))) > 0)
        nl_talk(req, (size_t)len, seq++, kmsg, sizeof(kmsg));
    bl_ifaddr_set(&a, ip, prefix, idx);
    kmsg[0] = '\0';
    len = bl_ifaddr_build(type, &a, seq, req, sizeof(req));
    rc = len < 0 ? len : nl_talk(req, (size_t)len, seq, kmsg, sizeof(kmsg));
    if (rc == 0 || (rc == -EEXIST && type == RTM_NEWADDR) ||
        (rc == -EADDRNOTAVAIL && type == RTM_DELADDR))
        return rc;
    return fail(err, rc, type == RTM_NEWADDR ? "add" : "remove",
                type == RTM_NEWADDR ? "to" : "from", ip, prefix, ifname, kmsg);
}

int bl_ifaddr_add(const char *ifname, const struct bl_addr *ip, unsigned prefix, struct bl_err *err)
{
    return change(RTM_NEWADDR, ifname, ip, prefix, err);
}

int bl_ifaddr_del(const char *ifname, const struct bl_addr *ip, unsigned prefix, struct bl_err *err)
{
    return change(RTM_DELADDR, ifname, ip, prefix, err);
}

void bl_garp_build(const uint8_t mac[6], const uint8_t ip4[4], uint8_t out[BL_GARP_LEN])
{
    static const uint8_t head[8] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01};

    memcpy(out, head, 8); /* Ethernet, IPv4, 6-byte MAC, 4-byte address, request */
    memcpy(out + 8, mac, 6);
    memcpy(out + 14, ip4, 4);
    memset(out + 18, 0, 6); /* target hardware address: unknown (RFC 5227) */
    memcpy(out + 24, ip4, 4);
}

int bl_garp_send(const char *ifname, const struct bl_addr *ip, struct bl_err *err)
{
    struct sockaddr_ll to = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_ARP),
                             .sll_halen = 6,
                             .sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    struct ifreq ifr = {0};
    uint8_t frame[BL_GARP_LEN];
    int fd, rc = 0;

    if (ip->u.sa.sa_family != AF_INET || strlen(ifname) >= IFNAMSIZ)
        return 0;
    fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
    if (fd < 0)
        return bl_err_set(err, -errno, "gratuitous ARP on %s: %s", ifname, strerror(errno));
    memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP) ||
        (ifr.ifr_flags & (IFF_NOARP | IFF_LOOPBACK)) || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ||
        ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
        goto out; /* nothing to announce to */
    to.sll_ifindex = (int)if_nametoindex(ifname);
    bl_garp_build((const uint8_t *)ifr.ifr_hwaddr.sa_data, (const uint8_t *)&ip->u.in4.sin_addr,
                  frame);
    if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        rc = bl_err_set(err, -errno, "gratuitous ARP on %s: %s", ifname, strerror(errno));
out:
    close(fd);
    return rc;
}
