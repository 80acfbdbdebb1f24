/* SPDX-License-Identifier: Apache-2.0 */
#include "config/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/certs.h"
#include "config/registry.h"
#include "core/arena.h"
#include "core/hash.h"
#include "core/xalloc.h"
#include "lb/stick.h"
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
        sp->members[i].stick_id = bl_stick_member_id(lbm[i].key_hash);
        if (m->id[0])
            snprintf(sp->members[i].cookie, sizeof(sp->members[i].cookie), "%s", m->id);
        else
            snprintf(sp->members[i].cookie, sizeof(sp->members[i].cookie), "%08x",
                     sp->members[i].stick_id);
        lbm[i].weight = m->weight;
        lbm[i].backup = m->backup;
        lbm[i].admin_up = m->admin_up && cfg->admin_up;
    }
    if (cfg->persist.type == BL_PERSIST_SOURCE_IP || cfg->persist.type == BL_PERSIST_APP_COOKIE) {
        /* Keyed by the pool and the kind of key: a change of persistence type starts afresh. */
        snprintf(key, sizeof(key), "%s/stick:%d", cfg->key, (int)cfg->persist.type);
        sp->stick = bl_registry_ref(key, bl_stick_size(), NULL, NULL);
    }
    bl_lb_pool_build(&sp->lb, cfg->algo, lbm, cfg->nmembers, &sp->st->cursor);
    sp->lb.panic = cfg->panic;
    free(lbm);
}

int bl_snap_pool_find_stick(const struct bl_snap_pool *sp, uint32_t id)
{
    for (uint32_t i = 0; i < sp->nmembers; i++) {
        if (sp->members[i].stick_id == id)
            return (int)i;
    }
    return -1;
}

int bl_snap_pool_find_cookie(const struct bl_snap_pool *sp, const char *cookie, size_t len)
{
    for (uint32_t i = 0; i < sp->nmembers; i++) {
        const char *c = sp->members[i].cookie;
        if (strlen(c) == len && memcmp(c, cookie, len) == 0)
            return (int)i;
    }
    return -1;
}

static void dispose_pool(struct bl_snap_pool *sp)
{
    if (sp->stick)
        bl_registry_unref(sp->stick);
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
    bl_snap_l7_free(sl);
    release_lsocks(sl, nworkers);
    bl_tls_ctx_unref(sl->tls);
    bl_registry_unref(sl->st);
}

static void label_listener(struct bl_snap_listener *sl, uint32_t lbi, uint32_t li)
{
    char as[BL_ADDR_STRLEN], lbname[64], lname[64];

    /* A load balancer from the API has an id; one from a file may have neither. */
    snprintf(lbname, sizeof(lbname), "%s", sl->lb->name[0] ? sl->lb->name : sl->lb->id);
    if (!lbname[0])
        snprintf(lbname, sizeof(lbname), "lb%u", lbi);
    snprintf(lname, sizeof(lname), "%s", sl->cfg->name[0] ? sl->cfg->name : "");
    if (!lname[0])
        snprintf(lname, sizeof(lname), "listener%u", li);
    snprintf(sl->label, sizeof(sl->label), "%s/%s (%s %s)", lbname, lname,
             bl_proto_name(sl->cfg->proto), bl_addr_str(&sl->addr, as));
}

/* The listeners of part `p`, load balancer `lbi` of a config written `single`
 * or as a list (error paths say which). */
static int build_listeners(struct bl_snap_lb *p, const struct bl_cfg *cfg, uint32_t lbi,
                           struct bl_err *err)
{
    const struct bl_cfg_lb *lb = p->lb;

    p->listeners = bl_xcalloc(lb->nlisteners ? lb->nlisteners : 1, sizeof(*p->listeners));
    for (uint32_t k = 0; k < lb->nlisteners; k++) {
        const struct bl_cfg_listener *l = &lb->listeners[k];
        struct bl_snap_listener *sl = &p->listeners[p->nlisteners];
        char key[200], as[BL_ADDR_STRLEN], path[64];
        if (!l->admin_up || !lb->admin_up)
            continue; /* Octavia: a disabled listener accepts nothing */
        sl->cfg = l;
        sl->lb = lb;
        sl->addr = lb->vip;
        sl->addr.u.in4.sin_port = htons(l->port); /* same offset for in6 */
        sl->socktype = l->proto == BL_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
        sl->pool = l->pool >= 0 ? &p->pools[l->pool] : NULL;
        label_listener(sl, lbi, k);
        snprintf(key, sizeof(key), "listener:%s/%s", sl->socktype == SOCK_DGRAM ? "udp" : "tcp",
                 bl_addr_str(&sl->addr, as));
        sl->st = bl_registry_ref(key, sizeof(*sl->st), NULL, NULL);
        p->nlisteners++;
        if (cfg->single)
            snprintf(path, sizeof(path), "loadbalancer.listeners[%u]", k);
        else
            snprintf(path, sizeof(path), "loadbalancers[%u].listeners[%u]", lbi, k);
        int rc = 0;
        if (l->proto == BL_PROTO_TERMINATED_HTTPS)
            rc = bl_certs_listener_ctx(cfg, l, &sl->tls, err);
        if (rc == 0)
            rc = bl_snap_l7_build(sl, p->pools, path, err);
        if (rc == 0)
            rc = open_lsocks(sl, p->nworkers, path, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void part_free(struct bl_snap_lb *p)
{
    for (uint32_t i = 0; i < p->nlisteners; i++)
        dispose_listener(&p->listeners[i], p->nworkers);
    for (uint32_t i = 0; i < p->npools; i++)
        dispose_pool(&p->pools[i]);
    free(p->listeners);
    free(p->pools);
    bl_cfg_free(p->cfg);
    free(p);
}

static int build_part(const struct bl_cfg *cfg, uint32_t lbi, unsigned nworkers,
                      struct bl_snap_lb **out, struct bl_err *err)
{
    struct bl_snap_lb *p = bl_xcalloc(1, sizeof(*p));
    int rc;

    atomic_init(&p->refs, 1);
    p->lb = &cfg->lbs[lbi];
    p->nworkers = nworkers;
    p->pools = bl_xcalloc(p->lb->npools ? p->lb->npools : 1, sizeof(*p->pools));
    for (rc = 0; rc == 0 && p->npools < p->lb->npools; p->npools++) {
        struct bl_snap_pool *sp = &p->pools[p->npools];
        build_pool(sp, &p->lb->pools[p->npools]);
        /* A pool's certificate that cannot be read fails the part, naming the pool. */
        if (sp->cfg->tls_enabled)
            rc = bl_certs_pool_ctx(cfg, sp->cfg, &sp->tls_client, err);
    }
    if (rc == 0)
        rc = build_listeners(p, cfg, lbi, err);
    if (rc < 0) {
        part_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int bl_snapshot_build_lb(struct bl_cfg *cfg, unsigned nworkers, struct bl_snap_lb **out,
                         struct bl_err *err)
{
    int rc;

    if (cfg->nlbs != 1) {
        bl_cfg_free(cfg);
        return bl_err_set(err, -EINVAL, "expected one load balancer, got %u", cfg->nlbs);
    }
    rc = build_part(cfg, 0, nworkers, out, err);
    if (rc < 0)
        bl_cfg_free(cfg);
    else
        (*out)->cfg = cfg;
    return rc;
}

void bl_snap_lb_unref(struct bl_snap_lb *p)
{
    if (p != NULL && atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
        part_free(p);
}

static void part_release(struct bl_snap_lb *p)
{
    if (atomic_fetch_sub_explicit(&p->holders, 1, memory_order_acq_rel) != 1)
        return;
    for (uint32_t i = 0; i < p->nlisteners; i++)
        release_lsocks(&p->listeners[i], p->nworkers);
}

/* Copies part `p`'s listeners and pools into the views of `s`, as load balancer `i`. */
static void add_part(struct bl_snapshot *s, struct bl_snap_lb *p, uint32_t i)
{
    uint32_t pool_base = s->npools;

    atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->holders, 1, memory_order_relaxed);
    s->parts[i] = p;
    s->cfg->lbs[i] = *p->lb;
    memcpy(&s->pools[s->npools], p->pools, p->npools * sizeof(*p->pools));
    s->npools += p->npools;
    for (uint32_t k = 0; k < p->nlisteners; k++) {
        struct bl_snap_listener *sl = &s->listeners[s->nlisteners++];
        *sl = p->listeners[k];
        sl->lb = &s->cfg->lbs[i];
        if (sl->pool != NULL)
            sl->pool = &s->pools[pool_base + (uint32_t)(p->listeners[k].pool - p->pools)];
    }
}

struct bl_snapshot *bl_snapshot_assemble(struct bl_snap_lb *const *parts, uint32_t nparts,
                                         unsigned nworkers, uint64_t generation)
{
    struct bl_snapshot *s = bl_xcalloc(1, sizeof(*s));
    struct bl_arena *arena = bl_arena_create();
    uint32_t nl = 0, np = 0;

    atomic_init(&s->refs, 1);
    s->nworkers = nworkers;
    s->generation = generation;
    s->cfg = bl_arena_alloc(arena, sizeof(*s->cfg));
    s->cfg->arena = arena;
    s->cfg->nlbs = nparts;
    s->cfg->lbs = bl_arena_alloc(arena, (nparts ? nparts : 1) * sizeof(*s->cfg->lbs));
    for (uint32_t i = 0; i < nparts; i++) {
        nl += parts[i]->nlisteners;
        np += parts[i]->npools;
    }
    s->listeners = bl_xcalloc(nl ? nl : 1, sizeof(*s->listeners));
    s->pools = bl_xcalloc(np ? np : 1, sizeof(*s->pools));
    s->parts = bl_xcalloc(nparts ? nparts : 1, sizeof(*s->parts));
    s->nparts = nparts;
    for (uint32_t i = 0; i < nparts; i++)
        add_part(s, parts[i], i);
    return s;
}

static void release_parts(struct bl_snapshot *s)
{
    for (uint32_t i = 0; i < s->nlisteners; i++)
        s->listeners[i].lsocks = NULL; /* the parts' arrays may go now */
    for (uint32_t i = 0; i < s->nparts; i++)
        part_release(s->parts[i]);
}

static void snapshot_free(struct bl_snapshot *s)
{
    if (!atomic_load(&s->released))
        release_parts(s); /* never held (built, then dropped) */
    for (uint32_t i = 0; i < s->nparts; i++)
        bl_snap_lb_unref(s->parts[i]);
    free(s->parts);
    free(s->listeners);
    free(s->pools);
    bl_cfg_free(s->cfg);
    bl_cfg_free(s->source);
    free(s);
}

int bl_snapshot_build(struct bl_cfg *cfg, unsigned nworkers, uint64_t generation,
                      struct bl_snapshot **out, struct bl_err *err, int *failed_lb)
{
    struct bl_snap_lb **parts = bl_xcalloc(cfg->nlbs ? cfg->nlbs : 1, sizeof(*parts));
    uint32_t n = 0;
    int rc = 0;

    if (failed_lb)
        *failed_lb = -1;
    for (; rc == 0 && n < cfg->nlbs; n++) {
        rc = build_part(cfg, n, nworkers, &parts[n], err);
        if (rc < 0 && failed_lb)
            *failed_lb = (int)n;
    }
    if (rc == 0) {
        *out = bl_snapshot_assemble(parts, n, nworkers, generation);
        (*out)->source = cfg;
    } else {
        n--; /* parts[n] was not built */
    }
    for (uint32_t i = 0; i < n; i++)
        bl_snap_lb_unref(parts[i]);
    free(parts);
    if (rc < 0)
        bl_cfg_free(cfg);
    return rc;
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
    atomic_store(&s->released, true);
    release_parts(s);
}

void bl_snapshot_unref(struct bl_snapshot *s)
{
    if (s == NULL)
        return;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        snapshot_free(s);
}
