/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session persistence as Octavia configures HAProxy: SOURCE_IP (stick on the
 * client address, masked by persistence_granularity), HTTP_COOKIE (ballast
 * inserts cookie SRV=<member id> and follows it), APP_COOKIE (the member the
 * application's own cookie was set by, learned from its responses).
 *
 * A persisted member that is down, ejected or admin-down is not used: the
 * request is balanced as usual and the persistence record moves to the new
 * member. Records live in the pool's stick table (lb/stick.h), which outlives
 * reloads.
 */
#ifndef BL_PROXY_PERSIST_H
#define BL_PROXY_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/snapshot.h"
#include "http/http1.h"
#include "net/addr.h"

#define BL_PERSIST_COOKIE "SRV" /* HTTP_COOKIE's cookie name, as Octavia's HAProxy */

struct bl_persist_pick {
    int member;        /* the member to prefer, -1 = none (or no longer usable) */
    int cookie_member; /* HTTP_COOKIE: the member the client's cookie names, -1 = none */
    uint64_t key;      /* SOURCE_IP / APP_COOKIE stick key; 0 = none */
};

/* Looks the request up; `req` is NULL for TCP listeners. */
void bl_persist_find(const struct bl_snap_pool *sp, const struct bl_addr *peer,
                     const struct bl_http_req *req, uint64_t now_ms, struct bl_persist_pick *pp);

/* `member` takes the request: SOURCE_IP remembers it. */
void bl_persist_chosen(const struct bl_snap_pool *sp, const struct bl_persist_pick *pp, int member,
                       uint64_t now_ms);

/*
 * The response of `member` passes: APP_COOKIE learns the application's
 * cookie; HTTP_COOKIE writes "Set-Cookie: SRV=...\r\n" to buf when the client
 * does not hold the right one yet. Returns the bytes written to buf (0..cap).
 */
size_t bl_persist_response(const struct bl_snap_pool *sp, const struct bl_persist_pick *pp,
                           int member, const struct bl_http_resp *resp, uint64_t now_ms,
                           char *buf, size_t cap);

#endif
