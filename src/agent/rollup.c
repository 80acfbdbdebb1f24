/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The roll-up of operating statuses into the store (see rollup.h). The rows
 * are read first and written after: the store cannot write while a listing
 * statement is open.
 */
#include "agent/rollup.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "config/status.h"

struct wanted {
    const struct bl_snap_lb *part;
    struct {
        char *id;
        enum bl_opstatus want;
    } * rows; /* rows whose stored status differs from what they should show */
    size_t n;
};

static void want(struct wanted *w, const struct bl_store_row *r, enum bl_opstatus s)
{
    if (strcmp(r->provisioning_status, "PENDING_DELETE") == 0 ||
        strcmp(r->operating_status, bl_opstatus_name(s)) == 0)
        return;
    w->rows = bl_xrealloc(w->rows, (w->n + 1) * sizeof(*w->rows));
    w->rows[w->n].id = bl_xstrdup(r->id);
    w->rows[w->n].want = s;
    w->n++;
}

/* A listener's stored status is what configuration decides (see rollup.h on
 * load): the part runs it when it and its load balancer are enabled. */
static int listener_cb(void *ctx, const struct bl_store_row *r)
{
    struct wanted *w = ctx;
    const struct bl_cfg_lb *lb = w->part->lb;

    for (uint32_t i = 0; i < lb->nlisteners; i++) {
        if (strcmp(lb->listeners[i].id, r->id) == 0) {
            want(w, r, bl_status_listener(lb->admin_up && lb->listeners[i].admin_up, -1, 0));
            break;
        }
    }
    return 0;
}

static int pool_cb(void *ctx, const struct bl_store_row *r)
{
    struct wanted *w = ctx;

    for (uint32_t i = 0; i < w->part->npools; i++) {
        const struct bl_snap_pool *sp = &w->part->pools[i];
        if (strcmp(sp->cfg->id, r->id) == 0) {
            want(w, r, bl_status_part_pool(w->part, sp));
            break;
        }
    }
    return 0;
}

static int lb_cb(void *ctx, const struct bl_store_row *r)
{
    struct wanted *w = ctx;

    want(w, r, bl_status_part_lb(w->part, false));
    return 0;
}

int bl_rollup_lb(struct bl_store *st, const char *lb_id, const struct bl_snap_lb *part,
                 struct bl_err *err)
{
    struct wanted w = {part, NULL, 0};
    struct bl_arena *ar = bl_arena_create();
    struct bl_store_row row;
    int rc = bl_store_list(st, "listener", lb_id, NULL, listener_cb, &w, err);

    if (rc == 0)
        rc = bl_store_list(st, "pool", lb_id, NULL, pool_cb, &w, err);
    if (rc == 0 && bl_store_get(st, "loadbalancer", lb_id, ar, &row, NULL) == 0)
        lb_cb(&w, &row);
    for (size_t i = 0; i < w.n; i++) {
        if (rc >= 0)
            rc = bl_store_set_status(st, w.rows[i].id, NULL, bl_opstatus_name(w.rows[i].want), err);
        free(w.rows[i].id);
    }
    free(w.rows);
    bl_arena_destroy(ar);
    return rc < 0 ? rc : (int)w.n;
}
