/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A listener's L7 policies as the data plane evaluates them (see snapshot.h
 * and proxy/l7.h): the policies that can match, each with its enabled rules,
 * its target pool resolved and its patterns compiled, in the order HAProxy
 * runs Octavia's rendering of them: "http-request deny" rules first, then
 * "redirect" rules, then "use_backend" rules, whatever their positions
 * (HAProxy warns when the file order differs; the class wins).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/snapshot.h"
#include "core/xalloc.h"

/* HAProxy's rule classes: deny (0) before redirect (1) before use_backend (2). */
static int action_class(enum bl_l7policy_action a)
{
    switch (a) {
    case BL_L7P_REJECT:
        return 0;
    case BL_L7P_REDIRECT_TO_URL:
    case BL_L7P_REDIRECT_PREFIX:
        return 1;
    default:
        return 2;
    }
}

static int cmp_policy(const void *a, const void *b)
{
    const struct bl_snap_l7policy *x = a, *y = b;
    int cx = action_class(x->cfg->action), cy = action_class(y->cfg->action);

    if (cx != cy)
        return cx - cy;
    return (x->cfg->position > y->cfg->position) - (x->cfg->position < y->cfg->position);
}

static uint32_t enabled_rules(const struct bl_cfg_l7policy *p)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < p->nrules; i++)
        n += p->rules[i].admin_up;
    return n;
}

static int build_policy(struct bl_snap_l7policy *sp, const struct bl_cfg_l7policy *p,
                        const char *path, struct bl_err *err)
{
    char why[200];

    sp->cfg = p;
    sp->rules = bl_xcalloc(enabled_rules(p), sizeof(*sp->rules));
    for (uint32_t i = 0; i < p->nrules; i++) {
        const struct bl_cfg_l7rule *r = &p->rules[i];
        struct bl_snap_l7rule *sr;
        if (!r->admin_up)
            continue;
        sr = &sp->rules[sp->nrules++];
        sr->cfg = r;
        sr->value_len = strlen(r->value);
        if (r->compare != BL_L7C_REGEX)
            continue;
        sr->re = bl_regex_compile(r->value, r->type == BL_L7R_HOST_NAME, why, sizeof(why));
        if (sr->re == NULL)
            return bl_err_set(err, -EINVAL,
                              "%s.l7policies (position %u).rules[%u].value: '%s' "
                              "is not a valid regular expression: %s",
                              path, p->position, i, r->value, why);
    }
    return 0;
}

int bl_snap_l7_build(struct bl_snap_listener *sl, struct bl_snap_pool *pools, const char *path,
                     struct bl_err *err)
{
    const struct bl_cfg_listener *l = sl->cfg;

    sl->l7 = NULL;
    sl->nl7 = 0;
    if (l->nl7policies == 0)
        return 0;
    sl->l7 = bl_xcalloc(l->nl7policies, sizeof(*sl->l7));
    for (uint32_t i = 0; i < l->nl7policies; i++) {
        const struct bl_cfg_l7policy *p = &l->l7policies[i];
        struct bl_snap_l7policy *sp = &sl->l7[sl->nl7];
        struct bl_snap_pool *target = p->redirect_pool >= 0 ? &pools[p->redirect_pool] : NULL;
        if (!p->admin_up || enabled_rules(p) == 0)
            continue; /* never matches (Octavia renders nothing for it) */
        if (p->action == BL_L7P_REDIRECT_TO_POOL && !target->cfg->admin_up)
            continue; /* Octavia: use_backend only when the pool is enabled */
        sp->pool = p->action == BL_L7P_REDIRECT_TO_POOL ? target : NULL;
        sl->nl7++;
        if (build_policy(sp, p, path, err) < 0) {
            bl_snap_l7_free(sl);
            return -EINVAL;
        }
    }
    qsort(sl->l7, sl->nl7, sizeof(*sl->l7), cmp_policy);
    return 0;
}

void bl_snap_l7_free(struct bl_snap_listener *sl)
{
    for (uint32_t i = 0; i < sl->nl7; i++) {
        for (uint32_t k = 0; k < sl->l7[i].nrules; k++)
            pcre2_code_free(sl->l7[i].rules[k].re);
        free(sl->l7[i].rules);
    }
    free(sl->l7);
    sl->l7 = NULL;
    sl->nl7 = 0;
}
