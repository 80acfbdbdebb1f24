/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Non-blocking socket helpers: listeners (SO_REUSEPORT, IP_FREEBIND),
 * outgoing connects, and the reset-close that propagates a RST. Any thread.
 */
#ifndef BL_NET_SOCK_H
#define BL_NET_SOCK_H

#include "core/err.h"
#include "net/addr.h"

/*
 * Opens a non-blocking socket of `type` (SOCK_STREAM or SOCK_DGRAM) bound to
 * `a` with SO_REUSEPORT, so each worker can hold its own socket for the same
 * address, and IP_FREEBIND, so a VIP may be bound before it is plumbed.
 * Stream sockets also listen(). Returns the fd or -errno with `err` filled.
 */
int bl_sock_listen(const struct bl_addr *a, int type, struct bl_err *err);

/*
 * Starts a non-blocking connect to `a`. Returns the fd (connect in progress
 * or done: wait for EPOLLOUT, then bl_sock_error()), or -errno when the
 * kernel refused at once (e.g. -ECONNREFUSED on loopback).
 */
int bl_sock_connect(const struct bl_addr *a, int type);

/* The pending error of a socket (SO_ERROR) as a negative errno, 0 if none. */
int bl_sock_error(int fd);

/* Arms SO_LINGER {1, 0} so that the next close() sends a RST, not a FIN. */
void bl_sock_set_reset(int fd);

/* Reads the local address of `fd` into `a`. Returns 0 or -errno. */
int bl_sock_local(int fd, struct bl_addr *a);

#endif
