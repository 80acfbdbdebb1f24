/* SPDX-License-Identifier: Apache-2.0 */
#include "config/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/certs.h"
#include "config/registry.h"
#include "core/hash.h"
#include "core/xalloc.h"
#include "net/sock.h"

static void lsock_dtor(void *block)
{
    struct bl_lsock *ls = block;
    if (ls->fd >= 0)
        close(ls->fd);
}

static void build_pool(struct bl_snap_pool *sp, const struct bl_cfg_pool *cfg)
{
    struct bl_lb_member *lbm = bl_xcalloc(cfg->nmembers ? cfg->nmembers : 1, sizeof(*lbm));
    char key[600], as[BL_ADDR_STRLEN];

    sp->cfg = cfg;
    sp->nmembers = cfg->nmembers;
    sp->members = bl_xcalloc(cfg->nmembers ? cfg->nmembers : 1, sizeof(*sp->members));
    sp->st = bl_registry_ref(cfg->key, sizeof(*sp->st), NULL, NULL);
    sp->hash_client = bl_algo_needs_hash(cfg->algo);
    sp->hash_port = bl_algo_hash_port(cfg->algo);
    for (uint32_t i = 0; i < cfg->nmembers; i++) {
        const struct bl_cfg_member *m = &cfg->members[i];
        bl_addr_str(&m->addr, as);
        snprintf(key, sizeof(key), "%s/member:%s", cfg->key, as);
        sp->members[i].cfg = m;
        sp->members[i].st = bl_registry_ref(key, sizeof(struct bl_member_state), NULL, NULL);
        lbm[i].st = sp->members[i].st;
        /* Seeded by address:port only, so Maglev places a member identically
         * whatever its position in the list or the pool's other members. */
        lbm[i].key_hash = bl_hash_str(as);
        lbm[i].weight = m->weight;
        lbm[i].backup = m->backup;
        lbm[i].admin_up = m->admin_up && cfg->admin_up;
    }
    bl_lb_pool_build(&sp->lb, cfg->algo, lbm, cfg->nmembers, &sp->st->cursor);
    sp->lb.panic = cfg->panic;
    free(lbm);
}

static void dispose_pool(struct bl_snap_pool *sp)
{
    bl_lb_pool_dispose(&sp->lb);
    bl_tls_ctx_unref(sp->tls_client);
    for (uint32_t i = 0; i < sp->nmembers; i++)
        bl_registry_unref(sp->members[i].st);
    free(sp->members);
    bl_registry_unref(sp->st);
}

static int open_lsocks(struct bl_snap_listener *sl, unsigned nworkers, const char *path,
                       struct bl_err *err)
{
    char key[200], as[BL_ADDR_STRLEN];
    const char *proto = sl->socktype == SOCK_DGRAM ? "udp" : "tcp";

    bl_addr_str(&sl->addr, as);
    sl->lsocks = bl_xcalloc(nworkers, sizeof(*sl->lsocks));
    for (unsigned w = 0; w < nworkers; w++) {
        bool created;
        struct bl_lsock *ls;
        snprintf(key, sizeof(key), "socket:%s/%s/worker%u", proto, as, w);
        ls = bl_registry_ref(key, sizeof(*ls), lsock_dtor, &created);
        sl->lsocks[w] = ls;
        if (!created)
            continue;
        ls->fd = bl_sock_listen(&sl->addr, sl->socktype, err);
        if (ls->fd < 0) {
            int rc = ls->fd;
            char msg[sizeof(err->msg)];
            if (err) {
                snprintf(msg, sizeof(msg), "%s (%s): %s", path, sl->label, err->msg);
                memcpy(err->msg, msg, sizeof(msg));
            }
            return rc;
        }
    }
    return 0;
}

static void release_lsocks(struct bl_snap_listener *sl, unsigned nworkers)
{
    for (unsigned w = 0; sl->lsocks && w < nworkers; w++)
        bl_registry_unref(sl->lsocks[w]);
    free(sl->lsocks);
    sl->lsocks = NULL;
}

static void dispose_listener(struct bl_snap_listener *sl, unsigned nworkers)
{
    release_lsocks(sl, nworkers);
    bl_tls_ctx_unref(sl->tls);
    bl_registry_unref(sl->st);
}

static void label_listener(struct bl_snap_listener *sl, uint32_t lbi, uint32_t li)
{
    char as[BL_ADDR_STRLEN], lbname[64], lname[64];

    snprintf(lbname, sizeof(lbname), "%s", sl->lb->name[0] ? sl->lb->name : "");
    if (!lbname[0])
        snprintf(lbname, sizeof(lbname), "lb%u", lbi);
    snprintf(lname, sizeof(lname), "%s", sl->cfg->name[0] ? sl->cfg->name : "");
    if (!lname[0])
        snprintf(lname, sizeof(lname), "listener%u", li);
    snprintf(sl->label, sizeof(sl->label), "%s/%s (%s %s)", lbname, lname,
             bl_proto_name(sl->cfg->proto), bl_addr_str(&sl->addr, as));
}

static int build_listeners(struct bl_snapshot *s, struct bl_err *err, int *failed_lb)
{
    uint32_t n = 0, pool_base = 0;

    for (uint32_t i = 0; i < s->cfg->nlbs; i++)
        n += s->cfg->lbs[i].nlisteners;
    s->listeners = bl_xcalloc(n ? n : 1, sizeof(*s->listeners));
    for (uint32_t i = 0; i < s->cfg->nlbs; i++) {
        const struct bl_cfg_lb *lb = &s->cfg->lbs[i];
        for (uint32_t k = 0; k < lb->nlisteners; k++) {
            const struct bl_cfg_listener *l = &lb->listeners[k];
            struct bl_snap_listener *sl = &s->listeners[s->nlisteners];
            char key[200], as[BL_ADDR_STRLEN], path[64];
            int rc;
            if (!l->admin_up || !lb->admin_up)
                continue; /* Octavia: a disabled listener accepts nothing */
            sl->cfg = l;
            sl->lb = lb;
            sl->addr = lb->vip;
            sl->addr.u.in4.sin_port = htons(l->port); /* same offset for in6 */
            sl->socktype = l->proto == BL_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
            sl->pool = l->pool >= 0 ? &s->pools[pool_base + (uint32_t)l->pool] : NULL;
            label_listener(sl, i, k);
            snprintf(key, sizeof(key), "listener:%s/%s", sl->socktype == SOCK_DGRAM ? "udp" : "tcp",
                     bl_addr_str(&sl->addr, as));
            sl->st = bl_registry_ref(key, sizeof(*sl->st), NULL, NULL);
            s->nlisteners++;
            if (s->cfg->single)
                snprintf(path, sizeof(path), "loadbalancer.listeners[%u]", k);
            else
                snprintf(path, sizeof(path), "loadbalancers[%u].listeners[%u]", i, k);
            rc = l->proto == BL_PROTO_TERMINATED_HTTPS
                     ? bl_certs_listener_ctx(s->cfg, l, &sl->tls, err)
                     : 0;
            if (rc == 0)
                rc = open_lsocks(sl, s->nworkers, path, err);
            if (rc < 0) {
                if (failed_lb)
                    *failed_lb = (int)i;
                return rc;
            }
        }
        pool_base += lb->npools;
    }
    return 0;
}

/* A pool's certificate that cannot be read fails the build, naming its LB. */
static int build_pools(struct bl_snapshot *s, struct bl_err *err, int *failed_lb)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < s->cfg->nlbs; i++)
        n += s->cfg->lbs[i].npools;
    s->pools = bl_xcalloc(n ? n : 1, sizeof(*s->pools));
    for (uint32_t i = 0; i < s->cfg->nlbs; i++) {
        for (uint32_t k = 0; k < s->cfg->lbs[i].npools; k++) {
            struct bl_snap_pool *sp = &s->pools[s->npools++];
            int rc;
            build_pool(sp, &s->cfg->lbs[i].pools[k]);
            if (!sp->cfg->tls_enabled)
                continue;
            rc = bl_certs_pool_ctx(s->cfg, sp->cfg, &sp->tls_client, err);
            if (rc < 0) {
                if (failed_lb)
                    *failed_lb = (int)i;
                return rc;
            }
        }
    }
    return 0;
}

static void snapshot_free(struct bl_snapshot *s)
{
    for (uint32_t i = 0; i < s->nlisteners; i++)
        dispose_listener(&s->listeners[i], s->nworkers);
    for (uint32_t i = 0; i < s->npools; i++)
        dispose_pool(&s->pools[i]);
    free(s->listeners);
    free(s->pools);
    bl_cfg_free(s->cfg);
    free(s);
}

int bl_snapshot_build(struct bl_cfg *cfg, unsigned nworkers, uint64_t generation,
                      struct bl_snapshot **out, struct bl_err *err, int *failed_lb)
{
    struct bl_snapshot *s = bl_xcalloc(1, sizeof(*s));
    int rc;

    atomic_init(&s->refs, 1);
    s->cfg = cfg;
    s->nworkers = nworkers;
    s->generation = generation;
    if (failed_lb)
        *failed_lb = -1;
    rc = build_pools(s, err, failed_lb);
    if (rc == 0)
        rc = build_listeners(s, err, failed_lb);
    if (rc < 0) {
        snapshot_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void bl_snapshot_ref(struct bl_snapshot *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void bl_snapshot_hold(struct bl_snapshot *s)
{
    atomic_fetch_add_explicit(&s->holders, 1, memory_order_relaxed);
}

void bl_snapshot_release(struct bl_snapshot *s)
{
    if (s == NULL)
        return;
    if (atomic_fetch_sub_explicit(&s->holders, 1, memory_order_acq_rel) != 1)
        return;
    for (uint32_t i = 0; i < s->nlisteners; i++)
        release_lsocks(&s->listeners[i], s->nworkers);
}

void bl_snapshot_unref(struct bl_snapshot *s)
{
    if (s == NULL)
        return;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        snapshot_free(s);
}
