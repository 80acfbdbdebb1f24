/* SPDX-License-Identifier: Apache-2.0 */
/* Session persistence: see persist.h. */
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "lb/stick.h"
#include "proxy/http_msg.h"
#include "proxy/persist.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return bl_hash_mix64(h) | 1u; /* 0 means "no key" */
}

/* A persisted member may be used only while it could take a new request. */
static int usable_or_none(const struct bl_snap_pool *sp, int m)
{
    if (m < 0 || !sp->members[m].cfg->admin_up || sp->members[m].cfg->weight == 0 ||
        !bl_member_is_usable(sp->members[m].st))
        return -1;
    return m;
}

void bl_persist_find(const struct bl_snap_pool *sp, const struct bl_addr *peer,
                     const struct bl_http_req *req, uint64_t now_ms, struct bl_persist_pick *pp)
{
    const struct bl_persist_cfg *pc = &sp->cfg->persist;
    const char *v;
    size_t vlen;

    pp->member = pp->cookie_member = -1;
    pp->key = 0;
    switch (pc->type) {
    case BL_PERSIST_SOURCE_IP:
        pp->key = bl_addr_hash_prefix(peer, pc->prefix_v4, pc->prefix_v6) | 1u;
        break;
    case BL_PERSIST_APP_COOKIE:
        if (req && bl_hmsg_cookie(req->headers, req->num_headers, "cookie", pc->cookie_name, &v,
                                  &vlen))
            pp->key = hash_bytes(v, vlen);
        break;
    case BL_PERSIST_HTTP_COOKIE:
        if (req && bl_hmsg_cookie(req->headers, req->num_headers, "cookie", BL_PERSIST_COOKIE,
                                  &v, &vlen))
            pp->cookie_member = bl_snap_pool_find_cookie(sp, v, vlen);
        pp->member = usable_or_none(sp, pp->cookie_member);
        return;
    default:
        return;
    }
    if (pp->key != 0 && sp->stick != NULL) {
        uint32_t id = bl_stick_get(sp->stick, pp->key, now_ms, pc->timeout_s);
        if (id != 0)
            pp->member = usable_or_none(sp, bl_snap_pool_find_stick(sp, id));
    }
}

void bl_persist_chosen(const struct bl_snap_pool *sp, const struct bl_persist_pick *pp, int member,
                       uint64_t now_ms)
{
    if (sp->cfg->persist.type == BL_PERSIST_SOURCE_IP && sp->stick != NULL && pp->key != 0)
        bl_stick_put(sp->stick, pp->key, sp->members[member].stick_id, now_ms);
}

size_t bl_persist_response(const struct bl_snap_pool *sp, const struct bl_persist_pick *pp,
                           int member, const struct bl_http_resp *resp, uint64_t now_ms,
                           char *buf, size_t cap)
{
    const struct bl_persist_cfg *pc = &sp->cfg->persist;
    const char *v;
    size_t vlen;
    int n;

    if (member < 0)
        return 0;
    if (pc->type == BL_PERSIST_APP_COOKIE && sp->stick != NULL &&
        bl_hmsg_cookie(resp->headers, resp->num_headers, "set-cookie", pc->cookie_name, &v,
                       &vlen))
        bl_stick_put(sp->stick, hash_bytes(v, vlen), sp->members[member].stick_id, now_ms);
    if (pc->type != BL_PERSIST_HTTP_COOKIE || pp->cookie_member == member)
        return 0;
    n = snprintf(buf, cap, "Set-Cookie: %s=%s; path=/\r\n", BL_PERSIST_COOKIE,
                 sp->members[member].cookie);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
