/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The health checker. One `struct hmember` per (pool, member) of the current
 * snapshot, kept in an array sorted by member state (the registry block, the
 * member's identity across reloads), so bl_health_apply() can carry each one
 * over to the next snapshot. A member whose pool has an enabled monitor has a
 * probe schedule: a timer that starts a probe every `delay` seconds at a
 * fixed rate (the next start is the previous start + delay, never drifting by
 * the probe's duration, which keeps mark-down within delay x fall + timeout),
 * the first one at a random point of the first `delay` so that members are
 * not all probed in the same millisecond.
 *
 * Every change of a member's state goes through settle_member(), which
 * computes its operating status (config/status.h) and, when it changed,
 * logs one line with the reason and calls `on_change`; settle_pool() does the
 * same for the pool's status and for which tier takes its traffic.
 */
#include "health/health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "health/counter.h"
#include "health/probe.h"

#define TICK_MS 250 /* how often passive-check ejections are looked for */

/* Which members of a pool take new connections (logged when it changes). */
enum serving {
    SERVE_PRIMARY = 0, /* some primary member is usable */
    SERVE_BACKUP,      /* no primary is: the backup tier took over */
    SERVE_PANIC,       /* none is usable and ballast_panic spreads over all */
    SERVE_NONE,        /* none is usable: new connections are refused */
};

struct hpool {
    struct bl_snap_pool *sp;    /* in h->snap */
    const struct bl_cfg_lb *lb; /* its load balancer, in h->snap */
    bool fresh;                 /* its load balancer's part is new in h->snap */
    char label[96];             /* the pool's name, else its key */
};

struct hmember {
    struct bl_health_checker *h;
    struct hpool *hp;                 /* in h->pools */
    uint32_t idx;                     /* in hp->sp->members */
    struct bl_member_state *st;       /* identity; kept alive by h->snap */
    const struct bl_cfg_monitor *mon; /* in h->snap; NULL = not probed */
    struct bl_addr target;            /* where probes go */
    struct bl_timer timer;            /* next probe start */
    struct bl_probe probe;
    uint64_t next_ms;           /* when the next probe starts (loop clock) */
    uint64_t seen;              /* apply() round that claimed it */
    char label[BL_ADDR_STRLEN]; /* "127.0.0.1:3001" */
};

struct bl_health_checker {
    struct bl_loop *loop;
    bl_health_change_cb *on_change;
    bl_health_seed_cb *seed; /* may be NULL */
    void *ctx;
    struct bl_snapshot *snap; /* reference */
    struct hpool *pools;      /* one per snap->pools[] */
    struct hmember **members; /* sorted by st */
    uint32_t nmembers;
    struct bl_timer tick;   /* passive checks */
    struct ssl_ctx_st *ssl; /* made when the first HTTPS/TLS-HELLO probe needs it */
    uint64_t round;         /* apply() count */
    uint64_t rng;           /* jitter */
};

static void on_probe_done(struct bl_probe *p, bool passed, const char *reason);
static void on_due(struct bl_loop *loop, struct bl_timer *t);

/* ---- small helpers ------------------------------------------------------------------------ */

static uint64_t next_random(struct bl_health_checker *h)
{
    /* splitmix64: plenty for spreading probes, no global state. */
    uint64_t z = (h->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static const struct bl_cfg_member *member_cfg(const struct hmember *m)
{
    return m->hp->sp->members[m->idx].cfg;
}

static const char *const serving_logs[] = {
    [SERVE_PRIMARY] = "primary members take new connections",
    [SERVE_BACKUP] = "no primary member is usable: backup members take new connections",
    [SERVE_PANIC] = "every member is down: panic mode spreads new connections over all members",
    [SERVE_NONE] = "no member is usable: new connections are refused",
};

static enum serving pool_serving(const struct bl_snap_pool *sp)
{
    const struct bl_lb_pool *p = &sp->lb;

    for (int t = 0; t < 2; t++) {
        for (uint32_t k = 0; k < p->tiers[t].n; k++) {
            if (bl_member_is_usable(p->members[p->tiers[t].idx[k]].st))
                return t == 0 ? SERVE_PRIMARY : SERVE_BACKUP;
        }
    }
    return p->panic && p->tiers[0].n + p->tiers[1].n > 0 ? SERVE_PANIC : SERVE_NONE;
}

/* ---- status changes ---------------------------------------------------------------------------
 */

static void settle_pool(struct bl_health_checker *h, struct hpool *hp)
{
    struct bl_pool_state *ps = hp->sp->st;
    struct bl_pool_facts f;
    enum bl_opstatus now;
    enum serving serve = pool_serving(hp->sp);

    bl_status_pool_facts(h->snap, hp->sp, &f);
    now = bl_status_pool(&f);
    if (ps->opstatus != now + 1) {
        if (ps->opstatus != 0)
            bl_log(now == BL_OP_ERROR ? BL_LOG_WARN : BL_LOG_INFO,
                   "pool %s: %s -> %s (%u of %u members up)", hp->label,
                   bl_opstatus_name(ps->opstatus - 1), bl_opstatus_name(now), f.up, f.members);
        ps->opstatus = (uint8_t)(now + 1);
    }
    if (ps->serving != serve + 1) {
        /* Which tier serves is news when it changes, not at start-up. */
        if (ps->serving != 0)
            bl_log(serve == SERVE_PRIMARY ? BL_LOG_INFO : BL_LOG_WARN, "pool %s: %s", hp->label,
                   serving_logs[serve]);
        ps->serving = (uint8_t)(serve + 1);
    }
}

/* Why a member is in `s` when no probe result says so (configuration, start-up). */
static const char *config_reason(const struct hmember *m, enum bl_opstatus s)
{
    const struct bl_snap_pool *sp = m->hp->sp;

    switch (s) {
    case BL_OP_OFFLINE:
        if (!member_cfg(m)->admin_up)
            return "admin_state_up is false";
        return sp->cfg->admin_up ? "load balancer admin_state_up is false"
                                 : "pool admin_state_up is false";
    case BL_OP_DRAINING:
        return "weight 0";
    case BL_OP_NO_MONITOR:
        return sp->cfg->monitor.type ? "health monitor admin_state_up is false"
                                     : "no health monitor";
    case BL_OP_ERROR:
        return m->st->last_check[0] ? m->st->last_check : "down";
    default:
        return m->st->reason[0] ? m->st->reason : "configuration changed";
    }
}

/*
 * Recomputes the member's status; when it changed, logs one line and tells
 * `on_change`. `reason` NULL = work it out from the configuration. Returns
 * true when the status changed (the pool's may have too).
 */
static bool settle_member(struct bl_health_checker *h, struct hmember *m, const char *reason)
{
    struct bl_member_state *st = m->st;
    struct bl_member_facts f;
    enum bl_opstatus now;
    uint8_t prev = st->opstatus;

    bl_status_member_facts(m->hp->sp, m->hp->lb, m->idx, &f);
    now = bl_status_member(&f);
    if (prev == now + 1)
        return false;
    st->opstatus = (uint8_t)(now + 1);
    if (reason == NULL)
        reason = config_reason(m, now);
    if (reason != st->reason)
        snprintf(st->reason, sizeof(st->reason), "%s", reason);
    if (prev != 0)
        bl_log(now == BL_OP_ERROR ? BL_LOG_WARN : BL_LOG_INFO,
               "member %s of pool %s: %s -> %s (%s)", m->label, m->hp->label,
               bl_opstatus_name(prev - 1), bl_opstatus_name(now), st->reason);
    if (h->on_change)
        h->on_change(h->ctx, m->hp->sp->cfg->key, m->label, now, st->reason);
    return true;
}

/* ---- probing ------------------------------------------------------------------------------------
 */

static bool needs_tls(const struct bl_cfg_monitor *mon)
{
    return mon->kind == BL_MON_HTTPS || mon->kind == BL_MON_TLS_HELLO;
}

static void on_due(struct bl_loop *loop, struct bl_timer *t)
{
    struct hmember *m = bl_container_of(t, struct hmember, timer);
    struct bl_health_checker *h = m->h;

    (void)loop;
    if (needs_tls(m->mon) && h->ssl == NULL)
        h->ssl = bl_probe_ssl_ctx();
    bl_probe_start(&m->probe, m->mon, &m->target, h->ssl);
}

static void schedule_next(struct hmember *m)
{
    struct bl_loop *loop = m->h->loop;
    uint64_t now = bl_loop_now_ms(loop);

    m->next_ms += (uint64_t)m->mon->delay_s * 1000;
    if (m->next_ms < now)
        m->next_ms = now; /* the loop was held up: probe now, keep the rate */
    bl_timer_start(loop, &m->timer, m->next_ms - now);
}

static void on_probe_done(struct bl_probe *p, bool passed, const char *reason)
{
    struct hmember *m = bl_container_of(p, struct hmember, probe);
    const struct bl_cfg_monitor *mon = m->mon;
    struct bl_member_state *st = m->st;
    bool was_up = bl_hc_is_up(st->hc_health, mon->max_retries), up;

    st->hc_health = bl_hc_step(st->hc_health, mon->max_retries, mon->max_retries_down, passed);
    up = bl_hc_is_up(st->hc_health, mon->max_retries);
    if (up != was_up)
        atomic_store_explicit(&st->health, up ? BL_HEALTH_UP : BL_HEALTH_DOWN,
                              memory_order_relaxed);
    snprintf(st->last_check, sizeof(st->last_check), "%s", reason);
    if (bl_log_enabled(BL_LOG_DEBUG))
        bl_log(BL_LOG_DEBUG, "member %s of pool %s: %s check %s (%s), health %u/%u", m->label,
               m->hp->label, mon->type, passed ? "passed" : "failed", reason, st->hc_health,
               mon->max_retries + mon->max_retries_down - 1);
    if (settle_member(m->h, m, st->last_check))
        settle_pool(m->h, m->hp);
    schedule_next(m);
}

static void stop_probing(struct hmember *m)
{
    bl_probe_cancel(&m->probe);
    bl_timer_stop(m->h->loop, &m->timer);
}

/* Starts the schedule: the first probe at a random point of the first `delay`. */
static void start_schedule(struct hmember *m)
{
    struct bl_health_checker *h = m->h;
    uint64_t delay_ms = (uint64_t)m->mon->delay_s * 1000;
    uint64_t first = next_random(h) % delay_ms;

    m->next_ms = bl_loop_now_ms(h->loop) + first;
    bl_timer_start(h->loop, &m->timer, first);
}

/* The monitor that probes member `k` of `hp`, or NULL when it is not probed. */
static const struct bl_cfg_monitor *probing_monitor(const struct hpool *hp, uint32_t k)
{
    const struct bl_cfg_pool *pc = hp->sp->cfg;

    if (pc->monitor.type == NULL || !pc->monitor.admin_up || !pc->admin_up ||
        (hp->lb && !hp->lb->admin_up) || !pc->members[k].admin_up)
        return NULL;
    return &pc->monitor;
}

static bool str_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* True when a probe of `a` and one of `b` are the same probe (thresholds aside). */
static bool same_probe(const struct bl_cfg_monitor *a, const struct bl_cfg_monitor *b)
{
    return a->kind == b->kind && a->delay_s == b->delay_s && a->timeout_s == b->timeout_s &&
           str_same(a->http_method, b->http_method) && str_same(a->url_path, b->url_path) &&
           memcmp(&a->codes, &b->codes, sizeof(a->codes)) == 0 &&
           str_same(a->domain_name, b->domain_name) && a->http_minor == b->http_minor;
}

/* Whether the owner knew `m`, about to be checked for the first time in this
 * life, as down (bl_health_seed_cb). */
static bool was_down(const struct hmember *m)
{
    return m->st->opstatus == 0 && m->h->seed &&
           m->h->seed(m->h->ctx, m->hp->sp->cfg->key, m->label) == BL_OP_ERROR;
}

/* Points `m` at member `k` of `hp` (a new snapshot) and reconciles its probing. */
static void rebind(struct hmember *m, struct hpool *hp, uint32_t k)
{
    const struct bl_cfg_monitor *mon = probing_monitor(hp, k);
    const struct bl_addr *target = &hp->sp->cfg->members[k].probe_addr;
    struct bl_member_state *st = m->st;

    if (!hp->fresh && m->hp != NULL && m->hp->sp->cfg == hp->sp->cfg && m->idx == k) {
        m->hp = hp; /* the same part: only the snapshot around it is new */
        return;
    }
    m->hp = hp;
    m->idx = k;
    bl_addr_str(&hp->sp->members[k].cfg->addr, m->label);
    if (m->mon && mon && same_probe(m->mon, mon) && bl_addr_equal(&m->target, target)) {
        /* Same probe: the schedule (and a probe in flight) carries on. The
         * old snapshot goes away: point at the new, identical, monitor. */
        st->hc_health = bl_hc_rescale(st->hc_health, m->mon->max_retries, mon->max_retries,
                                      mon->max_retries_down);
        m->mon = mon;
        m->probe.mon = mon;
        return;
    }
    stop_probing(m);
    if (mon == NULL) {
        m->mon = NULL;
        st->hc_health = 0;
        atomic_store_explicit(&st->health, BL_HEALTH_NO_MONITOR, memory_order_relaxed);
        return;
    }
    if (m->mon != NULL) {
        st->hc_health = bl_hc_rescale(st->hc_health, m->mon->max_retries, mon->max_retries,
                                      mon->max_retries_down);
    } else if (was_down(m)) {
        st->hc_health = bl_hc_initial_down(mon->max_retries);
        atomic_store_explicit(&st->health, BL_HEALTH_DOWN, memory_order_relaxed);
        snprintf(st->last_check, sizeof(st->last_check), "%s",
                 "down before the restart, not checked since");
    } else {
        st->hc_health = bl_hc_initial(mon->max_retries);
        atomic_store_explicit(&st->health, BL_HEALTH_UP, memory_order_relaxed);
        snprintf(st->reason, sizeof(st->reason), "%s health monitor started, not checked yet",
                 mon->type);
    }
    m->mon = mon;
    m->target = *target;
    start_schedule(m);
}

/* ---- passive checks -------------------------------------------------------------------------- */

static bool any_outlier(const struct bl_health_checker *h)
{
    for (uint32_t i = 0; h->snap && i < h->snap->npools; i++) {
        if (h->snap->pools[i].cfg->outlier.enabled)
            return true;
    }
    return false;
}

/* Looks at one member of a pool with outlier detection: ejected, or back. */
static void outlier_member(struct bl_health_checker *h, struct hmember *m, bool sweep, uint64_t now)
{
    const struct bl_outlier_cfg *oc = &m->hp->sp->cfg->outlier;
    struct bl_member_state *st = m->st;
    char why[120];
    const char *reason = NULL;

    if (sweep && bl_outlier_sweep(oc, st, &m->hp->sp->st->ejected, now))
        reason = "ejection time over, back in service";
    if (bl_stat_get(st->ejected)) {
        snprintf(why, sizeof(why), "ejected for %llu s after %u consecutive connect failures",
                 (unsigned long long)bl_outlier_ejection_ms(oc, bl_stat_get(st->ejections)) / 1000,
                 oc->consecutive_errors);
        reason = why;
    }
    if (settle_member(h, m, reason))
        settle_pool(h, m->hp);
}

static void on_tick(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_health_checker *h = bl_container_of(t, struct bl_health_checker, tick);
    uint64_t now = bl_loop_now_ms(loop);

    for (uint32_t i = 0; i < h->nmembers; i++) {
        struct hmember *m = h->members[i];
        struct bl_pool_state *ps = m->hp->sp->st;
        if (m->hp->sp->cfg->outlier.enabled)
            outlier_member(h, m, now >= ps->next_sweep_ms, now);
    }
    for (uint32_t i = 0; i < h->snap->npools; i++) {
        struct bl_snap_pool *sp = &h->snap->pools[i];
        if (sp->cfg->outlier.enabled && now >= sp->st->next_sweep_ms)
            sp->st->next_sweep_ms = now + (uint64_t)sp->cfg->outlier.interval_s * 1000;
    }
    bl_timer_start(loop, t, TICK_MS);
}

/* Detection turned off by a reload: nobody stays ejected in that pool. */
static void release_ejected(struct bl_health_checker *h)
{
    for (uint32_t i = 0; i < h->nmembers; i++) {
        struct hmember *m = h->members[i];
        if (!m->hp->sp->cfg->outlier.enabled)
            bl_outlier_release(m->st, &m->hp->sp->st->ejected);
    }
}

/* ---- apply -------------------------------------------------------------------------------------
 */

static int by_state(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)(*(struct hmember *const *)a)->st;
    uintptr_t y = (uintptr_t)(*(struct hmember *const *)b)->st;
    return x < y ? -1 : x > y;
}

static struct hmember *find_member(struct bl_health_checker *h, struct bl_member_state *st)
{
    struct hmember key = {.st = st}, *kp = &key, **found;

    if (h->nmembers == 0)
        return NULL;
    found = bsearch(&kp, h->members, h->nmembers, sizeof(*h->members), by_state);
    return found ? *found : NULL;
}

static struct hmember *new_member(struct bl_health_checker *h, struct bl_member_state *st)
{
    struct hmember *m = bl_xcalloc(1, sizeof(*m));

    m->h = h;
    m->st = st;
    bl_timer_init(&m->timer, on_due);
    bl_probe_init(&m->probe, h->loop, on_probe_done);
    /* A block left over from an earlier life of this member starts afresh. */
    st->opstatus = 0;
    st->reason[0] = st->last_check[0] = '\0';
    atomic_store_explicit(&st->health, BL_HEALTH_NO_MONITOR, memory_order_relaxed);
    return m;
}

/* A member gone from the configuration: no more probes, no lingering ejection. */
static void drop_member(struct hmember *m)
{
    stop_probing(m);
    bl_outlier_release(m->st, &m->hp->sp->st->ejected);
    atomic_store_explicit(&m->st->health, BL_HEALTH_NO_MONITOR, memory_order_relaxed);
    m->st->opstatus = 0;
    free(m);
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

/* The parts of `old` (may be NULL), sorted for bsearch. */
static struct bl_snap_lb **sorted_parts(const struct bl_snapshot *old, uint32_t *n)
{
    struct bl_snap_lb **v;

    *n = old ? old->nparts : 0;
    v = bl_xcalloc(*n ? *n : 1, sizeof(*v));
    if (*n)
        memcpy(v, old->parts, *n * sizeof(*v));
    qsort(v, *n, sizeof(*v), by_address);
    return v;
}

/* Pools are laid out part after part: each learns its load balancer and
 * whether it is new (a part the previous snapshot did not have). */
static struct hpool *build_pools(struct bl_health_checker *h, struct bl_snapshot *snap)
{
    struct hpool *pools = bl_xcalloc(snap->npools ? snap->npools : 1, sizeof(*pools));
    uint32_t nold, i = 0;
    struct bl_snap_lb **old = sorted_parts(h->snap, &nold);

    for (uint32_t p = 0; p < snap->nparts; p++) {
        bool fresh = bsearch(&snap->parts[p], old, nold, sizeof(*old), by_address) == NULL;
        for (uint32_t k = 0; k < snap->parts[p]->npools; k++, i++) {
            struct hpool *hp = &pools[i];
            hp->sp = &snap->pools[i];
            hp->lb = &snap->cfg->lbs[p];
            const char *label = hp->sp->cfg->name[0] ? hp->sp->cfg->name : hp->sp->cfg->key;
            size_t len = strnlen(label, sizeof(hp->label) - 1);
            hp->fresh = fresh;
            memcpy(hp->label, label, len); /* calloc'd: terminated */
        }
    }
    free(old);
    return pools;
}

/* Carries the running members over to `pools` (the new snapshot's), marking
 * them seen; returns the members it had to create, sorted by state. */
static struct hmember **claim_members(struct bl_health_checker *h, struct bl_snapshot *snap,
                                      struct hpool *pools, uint32_t *count)
{
    uint32_t n = 0, cap = 0;
    struct hmember **fresh = NULL;

    for (uint32_t i = 0; i < snap->npools; i++) {
        for (uint32_t k = 0; k < snap->pools[i].nmembers; k++) {
            struct bl_member_state *st = snap->pools[i].members[k].st;
            struct hmember *m = find_member(h, st);
            if (m != NULL && m->seen == h->round)
                continue; /* the same pool twice (equal keys): check it once */
            if (m == NULL) {
                m = new_member(h, st);
                if (n == cap) {
                    cap = cap ? 2 * cap : 16;
                    fresh = bl_xrealloc(fresh, cap * sizeof(*fresh));
                }
                fresh[n++] = m;
            }
            m->seen = h->round;
            rebind(m, &pools[i], k);
        }
    }
    if (n > 1) /* qsort(NULL, 0) is undefined */
        qsort(fresh, n, sizeof(*fresh), by_state);
    *count = n;
    return fresh;
}

/* The members seen this round, in state order: the old sorted list without
 * those gone (freed here), merged with `fresh` (sorted). A change to one load
 * balancer costs a pass over the list, not a sort of it. */
static struct hmember **merge_members(struct bl_health_checker *h, struct hmember **fresh,
                                      uint32_t nfresh, uint32_t *count)
{
    struct hmember **list = bl_xcalloc(h->nmembers + nfresh + 1, sizeof(*list));
    uint32_t n = 0, i = 0, k = 0;

    for (; i < h->nmembers; i++) {
        struct hmember *m = h->members[i];
        if (m->seen != h->round) {
            drop_member(m); /* its old pool (and snapshot) are still valid here */
            continue;
        }
        for (; k < nfresh && by_state(&fresh[k], &m) < 0; k++)
            list[n++] = fresh[k];
        list[n++] = m;
    }
    while (k < nfresh)
        list[n++] = fresh[k++];
    *count = n;
    return list;
}

static void settle_all(struct bl_health_checker *h)
{
    for (uint32_t i = 0; i < h->nmembers; i++) {
        if (h->members[i]->hp->fresh)
            settle_member(h, h->members[i], NULL);
    }
    for (uint32_t i = 0; i < h->snap->npools; i++) {
        if (h->pools[i].fresh)
            settle_pool(h, &h->pools[i]);
    }
}

/* Two pools with one key (possible across load balancers) share their member
 * states: keep one schedule per state. Only new members can be doubled. */
static uint32_t dedupe(struct hmember **list, uint32_t n)
{
    uint32_t k = 0;

    for (uint32_t i = 0; i < n; i++) {
        if (k > 0 && list[k - 1]->st == list[i]->st) {
            stop_probing(list[i]);
            free(list[i]);
            continue;
        }
        list[k++] = list[i];
    }
    return k;
}

void bl_health_apply(struct bl_health_checker *h, struct bl_snapshot *snap)
{
    struct hpool *pools = build_pools(h, snap);
    struct hmember **list, **fresh;
    uint32_t n, nfresh;

    h->round++;
    fresh = claim_members(h, snap, pools, &nfresh);
    list = merge_members(h, fresh, nfresh, &n);
    free(fresh);
    free(h->members);
    free(h->pools);
    n = dedupe(list, n);
    h->members = list;
    h->nmembers = n;
    h->pools = pools;
    bl_snapshot_ref(snap);
    bl_snapshot_unref(h->snap);
    h->snap = snap;
    release_ejected(h);
    settle_all(h);
    if (any_outlier(h) && !bl_timer_armed(&h->tick))
        bl_timer_start(h->loop, &h->tick, TICK_MS);
    else if (!any_outlier(h))
        bl_timer_stop(h->loop, &h->tick);
}

int bl_health_start(struct bl_loop *loop, bl_health_change_cb *on_change, void *ctx,
                    struct bl_health_checker **out)
{
    struct bl_health_checker *h = bl_xcalloc(1, sizeof(*h));

    h->loop = loop;
    h->on_change = on_change;
    h->ctx = ctx;
    h->rng = bl_loop_now_ms(loop) ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)h;
    bl_timer_init(&h->tick, on_tick);
    *out = h;
    return 0;
}

void bl_health_set_seed(struct bl_health_checker *h, bl_health_seed_cb *seed)
{
    h->seed = seed;
}

void bl_health_stop(struct bl_health_checker *h)
{
    if (h == NULL)
        return;
    for (uint32_t i = 0; i < h->nmembers; i++) {
        stop_probing(h->members[i]);
        free(h->members[i]);
    }
    bl_timer_stop(h->loop, &h->tick);
    free(h->members);
    free(h->pools);
    bl_snapshot_unref(h->snap);
    bl_probe_ssl_ctx_free(h->ssl);
    free(h);
}
