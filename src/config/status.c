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

/* The part that holds pool `sp` of `s`'s flat array (laid out part after part),
 * its index in s->parts, and the pool as the part holds it. */
static const struct bl_snap_lb *part_of(const struct bl_snapshot *s, const struct bl_snap_pool *sp,
                                        uint32_t *index, const struct bl_snap_pool **psp)
{
    uint32_t at = (uint32_t)(sp - s->pools), base = 0;

    for (uint32_t i = 0; i < s->nparts; i++) {
        if (at < base + s->parts[i]->npools) {
            *index = i;
            *psp = &s->parts[i]->pools[at - base];
            return s->parts[i];
        }
        base += s->parts[i]->npools;
    }
    return NULL;
}

const struct bl_cfg_lb *bl_status_pool_lb(const struct bl_snapshot *s,
                                          const struct bl_snap_pool *sp)
{
    const struct bl_snap_pool *psp;
    uint32_t i;

    return part_of(s, sp, &i, &psp) ? &s->cfg->lbs[i] : NULL;
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

bool bl_status_part_uses(const struct bl_snap_lb *p, const struct bl_snap_pool *sp)
{
    if (!sp->cfg->admin_up || !p->lb->admin_up)
        return false;
    /* A part holds only enabled listeners, and only the L7 policies that can match. */
    for (uint32_t i = 0; i < p->nlisteners; i++) {
        const struct bl_snap_listener *l = &p->listeners[i];
        if (l->pool == sp)
            return true;
        for (uint32_t k = 0; k < l->nl7; k++) {
            if (l->l7[k].pool == sp)
                return true;
        }
    }
    return false;
}

static void part_pool_facts(const struct bl_snap_lb *p, const struct bl_snap_pool *sp,
                            struct bl_pool_facts *out)
{
    *out = (struct bl_pool_facts){.in_use = bl_status_part_uses(p, sp), .members = sp->nmembers};
    for (uint32_t i = 0; i < sp->nmembers; i++) {
        struct bl_member_facts mf;
        enum bl_opstatus ms;
        bl_status_member_facts(sp, p->lb, i, &mf);
        ms = bl_status_member(&mf);
        if (ms == BL_OP_ONLINE || ms == BL_OP_NO_MONITOR || ms == BL_OP_DRAINING)
            out->up++;
        else if (ms == BL_OP_ERROR)
            out->errors++;
    }
}

enum bl_opstatus bl_status_part_pool(const struct bl_snap_lb *p, const struct bl_snap_pool *sp)
{
    struct bl_pool_facts f;

    part_pool_facts(p, sp, &f);
    return bl_status_pool(&f);
}

enum bl_opstatus bl_status_part_lb(const struct bl_snap_lb *p, bool live)
{
    enum bl_opstatus st = p->lb->admin_up ? BL_OP_ONLINE : BL_OP_OFFLINE;

    for (uint32_t i = 0; live && i < p->nlisteners; i++)
        st = bl_status_lb_fold(st, bl_status_of_listener(&p->listeners[i]));
    for (uint32_t i = 0; i < p->npools; i++) {
        struct bl_pool_facts f;
        part_pool_facts(p, &p->pools[i], &f);
        if (f.in_use)
            st = bl_status_lb_fold(st, bl_status_pool(&f));
    }
    return st;
}

void bl_status_part_pool_facts(const struct bl_snap_lb *p, const struct bl_snap_pool *sp,
                               struct bl_pool_facts *out)
{
    part_pool_facts(p, sp, out);
}

enum bl_opstatus bl_status_of_part(const struct bl_snap_lb *p)
{
    return bl_status_part_lb(p, true);
}

void bl_status_pool_facts(const struct bl_snapshot *s, const struct bl_snap_pool *sp,
                          struct bl_pool_facts *out)
{
    const struct bl_snap_pool *psp;
    uint32_t i;
    const struct bl_snap_lb *p = part_of(s, sp, &i, &psp);

    if (p != NULL) {
        part_pool_facts(p, psp, out);
        return;
    }
    *out = (struct bl_pool_facts){.members = sp->nmembers}; /* not of `s`: cannot be */
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

enum bl_opstatus bl_status_of_lb(const struct bl_snapshot *s, const struct bl_cfg_lb *lb)
{
    uint32_t i = (uint32_t)(lb - s->cfg->lbs);

    return i < s->nparts ? bl_status_part_lb(s->parts[i], true) : BL_OP_OFFLINE;
}
