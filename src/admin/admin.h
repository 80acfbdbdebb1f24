/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local admin socket (UNIX stream) and the stats it serves. A client
 * sends one line and gets one JSON document back, then the connection closes:
 *   stats   -> counters per listener and member (what Octavia's stats will show)
 *   reload  -> the same as SIGHUP; answers {"ok": bool, "error": "..."}
 * Runs on the control thread's loop.
 */
#ifndef BL_ADMIN_ADMIN_H
#define BL_ADMIN_ADMIN_H

#include <stddef.h>

#include "core/loop.h"
#include "proxy/dataplane.h"

struct bl_admin;

/* What the admin socket needs from the daemon. */
struct bl_admin_ops {
    struct bl_dataplane *(*dataplane)(void *ctx);
    /* Re-reads the configuration; returns 0 or -errno with `msg` (256 bytes) filled. */
    int (*reload)(void *ctx, char *msg, size_t msglen);
    /* Reload bookkeeping for the stats document. */
    unsigned long (*reload_failures)(void *ctx);
    const char *(*last_error)(void *ctx);
    void *ctx;
};

/* Listens on `path` (replacing a stale socket file). Returns 0 or -errno. */
int bl_admin_start(struct bl_loop *loop, const char *path, const struct bl_admin_ops *ops,
                   struct bl_admin **out);

void bl_admin_stop(struct bl_admin *a);

/* Writes the stats document, one JSON line, to `fd` in one write (SIGUSR1 dumps to stderr). */
void bl_admin_write_stats(const struct bl_admin_ops *ops, int fd);

#endif
