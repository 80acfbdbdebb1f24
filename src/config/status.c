/* SPDX-License-Identifier: Apache-2.0 */
#include "config/status.h"

static const char *const names[] = {
    [BL_OP_ONLINE] = "ONLINE", [BL_OP_OFFLINE] = "OFFLINE",   [BL_OP_DEGRADED] = "DEGRADED",
    [BL_OP_ERROR] = "ERROR",   [BL_OP_DRAINING] = "DRAINING", [BL_OP_NO_MONITOR] = "NO_MONITOR",
};

const char *bl_opstatus_name(enum bl_opstatus s)
{
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "UNKNOWN";
}

enum bl_opstatus bl_status_member(const struct bl_member_facts *f)
{
    /* Octavia reads HAProxy's "DOWN" before "DRAIN": a drained member that
     * fails its checks is in ERROR. */
    if (!f->admin_up)
        return BL_OP_OFFLINE;
    if (f->ejected || (f->monitored && f->down))
        return BL_OP_ERROR;
    if (f->weight == 0)
        return BL_OP_DRAINING;
    return f->monitored ? BL_OP_ONLINE : BL_OP_NO_MONITOR;
}

enum bl_opstatus bl_status_pool(const struct bl_pool_facts *f)
{
    if (!f->in_use)
        return BL_OP_OFFLINE;
    if (f->members > 0 && f->up == 0)
        return BL_OP_ERROR;
    return f->errors > 0 ? BL_OP_DEGRADED : BL_OP_ONLINE;
}

enum bl_opstatus bl_status_listener(bool enabled, int64_t limit, int32_t active)
{
    if (!enabled)
        return BL_OP_OFFLINE;
    return limit >= 0 && active >= limit ? BL_OP_DEGRADED : BL_OP_ONLINE;
}

enum bl_opstatus bl_status_lb_fold(enum bl_opstatus lb, enum bl_opstatus child)
{
    if (lb == BL_OP_OFFLINE || lb == BL_OP_ERROR)
        return lb;
    if (child == BL_OP_ERROR)
        return BL_OP_ERROR;
    if (child == BL_OP_DEGRADED)
        return BL_OP_DEGRADED;
    return lb;
}

/* ---- on a snapshot ------------------------------------------------------------------- */

const struct bl_cfg_lb *bl_status_pool_lb(const struct bl_snapshot *s,
                                          const struct bl_snap_pool *sp)
{
    for (uint32_t i = 0; i < s->cfg->nlbs; i++) {
        const struct bl_cfg_lb *lb = &s->cfg->lbs[i];
        if (sp->cfg >= lb->pools && sp->cfg < lb->pools + lb->npools)
            return lb;
    }
    return NULL;
}

void bl_status_member_facts(const struct bl_snap_pool *sp, const struct bl_cfg_lb *lb, uint32_t i,
                            struct bl_member_facts *out)
{
    const struct bl_cfg_member *m = sp->members[i].cfg;
    const struct bl_member_state *st = sp->members[i].st;
    const struct bl_cfg_monitor *mon = &sp->cfg->monitor;

    out->admin_up = m->admin_up && sp->cfg->admin_up && (lb == NULL || lb->admin_up);
    out->weight = m->weight;
    out->monitored = mon->type != NULL && mon->admin_up;
    out->down = bl_stat_get(st->health) == BL_HEALTH_DOWN;
    out->ejected = bl_stat_get(st->ejected) != 0;
}

/* Enabled, with its load balancer, and the default pool of one of `ls` (the
 * snapshot's or the part's listeners: only enabled ones are there). */
static bool pool_in_use(const struct bl_snap_pool *sp, const struct bl_cfg_lb *lb,
                        const struct bl_snap_listener *ls, uint32_t nls)
{
    if (!sp->cfg->admin_up || (lb != NULL && !lb->admin_up))
        return false;
    for (uint32_t i = 0; i < nls; i++) {
        if (ls[i].pool == sp)
            return true;
    }
    return false;
}

static void pool_facts(const struct bl_snap_pool *sp, const struct bl_cfg_lb *lb,
                       const struct bl_snap_listener *ls, uint32_t nls, struct bl_pool_facts *out)
{
    *out = (struct bl_pool_facts){.in_use = pool_in_use(sp, lb, ls, nls), .members = sp->nmembers};
    for (uint32_t i = 0; i < sp->nmembers; i++) {
        struct bl_member_facts mf;
        enum bl_opstatus ms;
        bl_status_member_facts(sp, lb, i, &mf);
        ms = bl_status_member(&mf);
        if (ms == BL_OP_ONLINE || ms == BL_OP_NO_MONITOR || ms == BL_OP_DRAINING)
            out->up++;
        else if (ms == BL_OP_ERROR)
            out->errors++;
    }
}

void bl_status_pool_facts(const struct bl_snapshot *s, const struct bl_snap_pool *sp,
                          struct bl_pool_facts *out)
{
    pool_facts(sp, bl_status_pool_lb(s, sp), s->listeners, s->nlisteners, out);
}

void bl_status_part_pool_facts(const struct bl_snap_lb *p, const struct bl_snap_pool *sp,
                               struct bl_pool_facts *out)
{
    pool_facts(sp, p->lb, p->listeners, p->nlisteners, out);
}

enum bl_opstatus bl_status_of_member(const struct bl_snapshot *s, const struct bl_snap_pool *sp,
                                     uint32_t i)
{
    struct bl_member_facts f;

    bl_status_member_facts(sp, bl_status_pool_lb(s, sp), i, &f);
    return bl_status_member(&f);
}

enum bl_opstatus bl_status_of_pool(const struct bl_snapshot *s, const struct bl_snap_pool *sp)
{
    struct bl_pool_facts f;

    bl_status_pool_facts(s, sp, &f);
    return bl_status_pool(&f);
}

enum bl_opstatus bl_status_of_listener(const struct bl_snap_listener *sl)
{
    return bl_status_listener(sl->cfg->admin_up && sl->lb->admin_up, sl->cfg->connection_limit,
                              bl_stat_get(sl->st->active));
}

enum bl_opstatus bl_status_of_part(const struct bl_snap_lb *p)
{
    enum bl_opstatus st = p->lb->admin_up ? BL_OP_ONLINE : BL_OP_OFFLINE;

    for (uint32_t i = 0; i < p->nlisteners; i++)
        st = bl_status_lb_fold(st, bl_status_of_listener(&p->listeners[i]));
    for (uint32_t i = 0; i < p->npools; i++) {
        struct bl_pool_facts f;
        bl_status_part_pool_facts(p, &p->pools[i], &f);
        if (f.in_use)
            st = bl_status_lb_fold(st, bl_status_pool(&f));
    }
    return st;
}

enum bl_opstatus bl_status_of_lb(const struct bl_snapshot *s, const struct bl_cfg_lb *lb)
{
    /* s->cfg->lbs[i] is the view of part i. */
    return bl_status_of_part(s->parts[lb - s->cfg->lbs]);
}
