/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PROXY protocol headers (v1 text, v2 binary) that tell a member who the
 * client really was, as HAProxy's send-proxy / send-proxy-v2 do. Pure: the
 * caller writes the bytes.
 */
#ifndef BL_NET_PROXYPROTO_H
#define BL_NET_PROXYPROTO_H

#include <stddef.h>

#include "net/addr.h"

/* Room for the longest v1 line (107 bytes) or a v2 header with IPv6 addresses (52 bytes). */
#define BL_PROXY_HDR_MAX 108

/*
 * Writes a v1 line "PROXY TCP4 <src> <dst> <sport> <dport>\r\n" describing a
 * connection from `src` to `dst` into `buf` (BL_PROXY_HDR_MAX bytes).
 * Mismatched families give "PROXY UNKNOWN\r\n". Returns the length.
 */
size_t bl_proxy_v1_build(char *buf, const struct bl_addr *src, const struct bl_addr *dst);

/* Writes a v2 header (PROXY command, TCP over IPv4/IPv6) into `buf`. Returns the length. */
size_t bl_proxy_v2_build(unsigned char *buf, const struct bl_addr *src, const struct bl_addr *dst);

#endif
