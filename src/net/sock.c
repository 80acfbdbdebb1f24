/* SPDX-License-Identifier: Apache-2.0 */
#include "net/sock.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

static const char *type_name(int type)
{
    return type == SOCK_DGRAM ? "udp" : "tcp";
}

int bl_sock_listen(const struct bl_addr *a, int type, struct bl_err *err)
{
    char as[BL_ADDR_STRLEN];
    int one = 1, fd, rc;

    fd = socket(a->u.sa.sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return bl_err_set(err, -errno, "socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (a->u.sa.sa_family == AF_INET6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
    } else {
        setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
    }
    if (bind(fd, &a->u.sa, a->len) < 0) {
        rc = -errno;
        close(fd);
        return bl_err_set(err, rc, "cannot bind %s %s: %s", type_name(type), bl_addr_str(a, as),
                          strerror(-rc));
    }
    /* Accepted sockets inherit TCP_NODELAY from the listener: one call here
     * instead of one per connection. */
    if (type == SOCK_STREAM)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (type == SOCK_STREAM && listen(fd, 4096) < 0) {
        rc = -errno;
        close(fd);
        return bl_err_set(err, rc, "cannot listen on %s: %s", bl_addr_str(a, as), strerror(-rc));
    }
    return fd;
}

int bl_sock_connect(const struct bl_addr *a, int type)
{
    int fd = socket(a->u.sa.sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1, rc;

    if (fd < 0)
        return -errno;
    if (type == SOCK_STREAM)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, &a->u.sa, a->len) < 0 && errno != EINPROGRESS) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

int bl_sock_error(int fd)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        return -errno;
    return -soerr;
}

void bl_sock_set_reset(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

int bl_sock_local(int fd, struct bl_addr *a)
{
    socklen_t len = sizeof(a->u);

    memset(a, 0, sizeof(*a));
    if (getsockname(fd, &a->u.sa, &len) < 0)
        return -errno;
    a->len = len;
    return 0;
}
