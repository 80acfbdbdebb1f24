/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the rtnetlink answer parser (net/ifaddr.c
 * bl_ifaddr_parse_ack): any bytes read from the socket must give 0, 1 (no
 * answer yet), -EBADMSG or a negative errno the caller can print, with the
 * kernel's text NUL-terminated inside the caller's buffer, on one line, and
 * nothing read outside the answer. The first input byte sizes that buffer
 * (0 included); the answer awaited is request 7.
 * `make fuzz` builds it with clang; `make unit` replays the corpus.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ifaddr.h"

#define SEQ 7
#define ERRNO_MAX 4095 /* as the kernel's MAX_ERRNO */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
    if (!cond)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t msglen, n;
    char *msg, *buf;
    int rc;

    if (size < 1)
        return 0;
    msglen = data[0] % 80;
    n = size - 1;
    buf = malloc(n ? n : 1); /* malloc'd: aligned as a receive buffer is, exact for ASan */
    msg = malloc(msglen + 1);
    check(buf != NULL && msg != NULL);
    memcpy(buf, data + 1, n);
    memset(msg, 'x', msglen + 1);
    rc = bl_ifaddr_parse_ack(buf, n, SEQ, msg, msglen);
    check(rc == 1 || (rc <= 0 && rc >= -ERRNO_MAX));
    check(msg[msglen] == 'x'); /* nothing written past msglen */
    if (msglen > 0)
        check(memchr(msg, '\0', msglen) != NULL && strchr(msg, '\n') == NULL);
    free(buf);
    free(msg);
    return 0;
}
