/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running a parsed command: one function per verb (create, list, show, set,
 * unset, delete, stats, status, failover, ...), all driven by the resource
 * description, plus --wait: poll until ACTIVE, ERROR or gone, with a
 * progress line when stderr is a terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/body.h"
#include "core/xalloc.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wait_limit_s(void)
{
    const char *s = getenv("BALLAST_WAIT_TIMEOUT");
    double v = s ? strtod(s, NULL) : 0;
    return v > 0 ? v : 600;
}

/* Polls the object until ACTIVE (or 404 when `gone`); BL_CLI_API on ERROR or timeout. */
static int wait_for(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *parent_id,
                    const char *id, bool gone)
{
    char *path = bl_cli_path(res, parent_id, id);
    bool tty = isatty(STDERR_FILENO);
    double start = now_s(), limit = wait_limit_s();
    useconds_t pause_us = 20000;
    int rc = BL_CLI_API;

    for (;;) {
        struct bl_cli_resp r;
        const char *st = NULL;
        if (bl_cli_request(c, res->svc, "GET", path, NULL, &r) < 0)
            break;
        st = json_string_value(
            json_object_get(json_object_get(r.body, res->key), "provisioning_status"));
        if (gone && (r.status == 404 || (st && strcmp(st, "DELETED") == 0)))
            rc = BL_CLI_OK;
        else if (!gone && st && strcmp(st, "ACTIVE") == 0)
            rc = BL_CLI_OK;
        else if (r.status != 200)
            bl_cli_api_error(&r);
        else if (st && strcmp(st, "ERROR") == 0)
            fprintf(stderr, "%sThe resource did not successfully reach %s.\n",
                    tty ? "\r\033[K" : "", gone ? "deletion" : "ACTIVE status");
        bool done = rc == BL_CLI_OK || r.status != 200 || (st && strcmp(st, "ERROR") == 0);
        if (!done && now_s() - start > limit) {
            fprintf(stderr, "%sGave up waiting for %s %s after %.0f s (BALLAST_WAIT_TIMEOUT)\n",
                    tty ? "\r\033[K" : "", res->key, id, limit);
            done = true;
        }
        if (!done && tty)
            fprintf(stderr, "\r\033[KWaiting for %s %s: %s (%.1f s)", res->key, id, st ? st : "?",
                    now_s() - start);
        bl_cli_resp_free(&r);
        if (done)
            break;
        usleep(pause_us);
        pause_us = pause_us * 2 > 1000000 ? 1000000 : pause_us * 2;
    }
    if (tty)
        fprintf(stderr, "\r\033[K");
    free(path);
    return rc;
}

/* ---- the verbs ------------------------------------------------------------------------------- */

struct target {
    char *parent_id; /* the parent's id (members' pool) or NULL */
    json_t *obj;     /* the object named by the SELF positional, or NULL */
    const char *id;  /* its id (or the raw SELF word) */
};

static void target_free(struct target *t)
{
    free(t->parent_id);
    json_decref(t->obj);
}

static int find_parent(struct bl_cli_conn *c, const struct bl_cli_parsed *p, struct target *t)
{
    const char *word = bl_cli_positional(p, BL_PARENT);
    const struct bl_cli_res *res = p->cmd->res->parent;
    json_t *obj;

    if (!word || !res)
        return BL_CLI_OK;
    for (int k = 0; k < p->nargs; k++)
        if ((p->args[k]->flags & BL_PARENT) && (p->args[k]->flags & BL_RAW)) {
            t->parent_id = bl_cli_escape(word);
            return BL_CLI_OK;
        }
    if (bl_cli_resolve(c, res, NULL, word, &obj) != BL_CLI_OK)
        return BL_CLI_API;
    t->parent_id = bl_xstrdup(json_string_value(json_object_get(obj, res->idkey)));
    json_decref(obj);
    return BL_CLI_OK;
}

static int find_target(struct bl_cli_conn *c, const struct bl_cli_parsed *p, struct target *t)
{
    const char *word = bl_cli_positional(p, BL_SELF);
    int rc;

    memset(t, 0, sizeof(*t));
    if ((rc = find_parent(c, p, t)) != BL_CLI_OK || !word)
        return rc;
    for (int k = 0; k < p->nargs; k++)
        if ((p->args[k]->flags & BL_SELF) && (p->args[k]->flags & BL_RAW)) {
            t->id = word;
            return BL_CLI_OK;
        }
    if (bl_cli_resolve(c, p->cmd->res, t->parent_id, word, &t->obj) != BL_CLI_OK)
        return BL_CLI_API;
    t->id = json_string_value(json_object_get(t->obj, p->cmd->res->idkey));
    return BL_CLI_OK;
}

/* method on path; *out = the response's `key` member (if wanted). Takes body. */
static int call(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *method,
                const char *path, json_t *body, const char *key, json_t **out)
{
    struct bl_cli_resp r;
    int rc = BL_CLI_OK;

    rc = bl_cli_request(c, res->svc, method, path, body, &r);
    json_decref(body);
    if (rc < 0)
        return BL_CLI_API;
    if (r.status < 200 || r.status > 299)
        rc = bl_cli_api_error(&r);
    else if (out)
        *out = json_incref(key ? json_object_get(r.body, key) : r.body);
    bl_cli_resp_free(&r);
    return rc;
}

static bool waiting(const struct bl_cli_parsed *p)
{
    return bl_cli_given(p, "--wait") && p->cmd->res->waitable;
}

static int do_create(struct bl_cli_conn *c, struct bl_cli_parsed *p)
{
    const struct bl_cli_res *res = p->cmd->res;
    json_t *attrs = json_object(), *obj = NULL;
    struct target t;
    char *path = NULL;
    int rc;

    if ((rc = find_target(c, p, &t)) != BL_CLI_OK || (rc = bl_cli_build(c, p, attrs, false)))
        goto out;
    bl_cli_tags(p, NULL, attrs, false);
    path = bl_cli_path(res, t.parent_id, NULL);
    rc = call(c, res, "POST", path, json_pack("{s:O}", res->key, attrs), res->key, &obj);
    if (rc == BL_CLI_OK && waiting(p)) {
        const char *id = json_string_value(json_object_get(obj, "id"));
        rc = wait_for(c, res, t.parent_id, id, false);
        if (rc == BL_CLI_OK) {
            char *one = bl_cli_path(res, t.parent_id, id);
            json_decref(obj);
            obj = NULL;
            rc = call(c, res, "GET", one, NULL, res->key, &obj);
            free(one);
        }
    }
    if (rc == BL_CLI_OK)
        rc = bl_cli_print_one(p, res->rows, obj);
out:
    json_decref(attrs);
    json_decref(obj);
    free(path);
    target_free(&t);
    return rc;
}

/* GET the whole list, following "next" links (bounded). */
static int get_all(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *first,
                   json_t *all)
{
    char *path = bl_xstrdup(first);
    int rc = BL_CLI_OK;

    for (int page = 0; path && page < 10000 && rc == BL_CLI_OK; page++) {
        json_t *doc = NULL, *l;
        char lkey[128];
        size_t i;
        rc = call(c, res, "GET", path, NULL, NULL, &doc);
        free(path);
        path = NULL;
        if (rc != BL_CLI_OK)
            break;
        json_array_extend(all, json_object_get(doc, res->keys));
        snprintf(lkey, sizeof(lkey), "%s_links", res->keys);
        json_array_foreach(json_object_get(doc, lkey), i, l)
        {
            const char *href = json_string_value(json_object_get(l, "href"));
            const char *rel = json_string_value(json_object_get(l, "rel"));
            const char *at = href ? strstr(href, "/v2") : NULL;
            if (rel && strcmp(rel, "next") == 0 && at)
                path = bl_xstrdup(at);
        }
        json_decref(doc);
    }
    free(path);
    return rc;
}

static int do_list(struct bl_cli_conn *c, struct bl_cli_parsed *p)
{
    const struct bl_cli_res *res = p->cmd->res;
    json_t *filters = json_object(), *all = json_array();
    struct target t;
    char *base = NULL, *q = NULL, *path = NULL;
    int rc;

    if ((rc = find_target(c, p, &t)) != BL_CLI_OK || (rc = bl_cli_build(c, p, filters, false)))
        goto out;
    base = bl_cli_path(res, t.parent_id, NULL);
    q = bl_cli_query(filters);
    path = bl_xmalloc(strlen(base) + strlen(q) + 1);
    strcat(strcpy(path, base), q);
    if ((rc = get_all(c, res, path, all)) == BL_CLI_OK)
        rc = bl_cli_print_list(p, res->cols, all);
out:
    free(base);
    free(q);
    free(path);
    json_decref(filters);
    json_decref(all);
    target_free(&t);
    return rc;
}

static int do_show(struct bl_cli_conn *c, struct bl_cli_parsed *p)
{
    const struct bl_cli_res *res = p->cmd->res;
    struct target t;
    json_t *obj = NULL;
    int rc = find_target(c, p, &t);

    if (rc == BL_CLI_OK && t.obj) {
        rc = bl_cli_print_one(p, res->rows, t.obj);
    } else if (rc == BL_CLI_OK) { /* raw id (quota's project) or a fixed path */
        char *path = bl_cli_path(res, NULL, t.id);
        if ((rc = call(c, res, "GET", path, NULL, res->key, &obj)) == BL_CLI_OK)
            rc = bl_cli_print_one(p, res->rows, obj);
        free(path);
    }
    json_decref(obj);
    target_free(&t);
    return rc;
}

/* set, unset, quota set: PUT the changes; quota set shows the result. */
static int do_update(struct bl_cli_conn *c, struct bl_cli_parsed *p)
{
    const struct bl_cli_res *res = p->cmd->res;
    enum bl_cli_verb verb = p->cmd->verb;
    json_t *attrs = json_object(), *obj = NULL;
    struct target t;
    char *path = NULL;
    int rc;

    if ((rc = find_target(c, p, &t)) != BL_CLI_OK || (rc = bl_cli_build(c, p, attrs, false)))
        goto out;
    bl_cli_tags(p, t.obj, attrs, verb == BL_VERB_UNSET);
    if (json_object_size(attrs) == 0 && verb != BL_VERB_QSET)
        goto out; /* nothing to change */
    path = bl_cli_path(res, t.parent_id, t.id);
    rc = call(c, res, "PUT", path, json_pack("{s:O}", res->key, attrs), res->key, &obj);
    if (rc == BL_CLI_OK && waiting(p))
        rc = wait_for(c, res, t.parent_id, t.id, false);
    if (rc == BL_CLI_OK && verb == BL_VERB_QSET)
        rc = bl_cli_print_one(p, res->rows, obj);
out:
    json_decref(attrs);
    json_decref(obj);
    free(path);
    target_free(&t);
    return rc;
}

static int do_delete(struct bl_cli_conn *c, struct bl_cli_parsed *p)
{
    const struct bl_cli_res *res = p->cmd->res;
    json_t *q = json_object();
    struct target t;
    char *path = NULL, *qs = NULL, *full = NULL;
    int rc;

    if ((rc = find_target(c, p, &t)) != BL_CLI_OK || (rc = bl_cli_build(c, p, q, true)))
        goto out;
    path = bl_cli_path(res, t.parent_id, t.id);
    qs = bl_cli_query(q);
    full = bl_xmalloc(strlen(path) + strlen(qs) + 1);
    strcat(strcpy(full, path), qs);
    rc = call(c, res, "DELETE", full, NULL, NULL, NULL);
    if (rc == BL_CLI_OK && waiting(p))
        rc = wait_for(c, res, t.parent_id, t.id, true);
out:
    json_decref(q);
    free(path);
    free(qs);
    free(full);
    target_free(&t);
    return rc;
}

/* stats show, status show, failover: a sub-resource of the object. */
static int do_sub(struct bl_cli_conn *c, struct bl_cli_parsed *p, const char *method,
                  const char *sub)
{
    const struct bl_cli_res *res = p->cmd->res;
    struct target t;
    json_t *doc = NULL;
    char *path = NULL, *full = NULL;
    int rc = find_target(c, p, &t);

    if (rc != BL_CLI_OK)
        goto out;
    path = bl_cli_path(res, t.parent_id, t.id);
    full = bl_xmalloc(strlen(path) + strlen(sub) + 2);
    sprintf(full, "%s/%s", path, sub);
    rc = call(c, res, method, full, NULL, NULL, &doc);
    if (rc != BL_CLI_OK)
        goto out;
    if (strcmp(sub, "stats") == 0) {
        rc = bl_cli_print_one(p,
                              "active_connections bytes_in bytes_out request_errors "
                              "total_connections",
                              json_object_get(doc, "stats"));
    } else if (strcmp(sub, "status") == 0) {
        char *s = json_dumps(json_object_get(doc, "statuses"),
                             JSON_INDENT(4) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else if (waiting(p)) {
        rc = wait_for(c, res, t.parent_id, t.id, false);
    }
out:
    json_decref(doc);
    free(path);
    free(full);
    target_free(&t);
    return rc;
}

/* provider capability list: flavor and availability zone capabilities, typed. */
static int do_caps(struct bl_cli_conn *c, struct bl_cli_parsed *p)
{
    static const char *const kinds[][2] = {{"flavor", "--flavor"},
                                           {"availability_zone", "--availability-zone"}};
    bool only = bl_cli_given(p, "--flavor") || bl_cli_given(p, "--availability-zone");
    const char *prov = bl_cli_positional(p, BL_PARENT);
    char *esc = bl_cli_escape(prov), path[600], key[64];
    json_t *all = json_array();
    int rc = BL_CLI_OK;

    for (int i = 0; i < 2 && rc == BL_CLI_OK; i++) {
        json_t *doc = NULL, *x;
        size_t k;
        if (only && !bl_cli_given(p, kinds[i][1]))
            continue;
        snprintf(key, sizeof(key), "%s_capabilities", kinds[i][0]);
        snprintf(path, sizeof(path), "/v2/lbaas/providers/%s/%s", esc, key);
        if ((rc = call(c, p->cmd->res, "GET", path, NULL, key, &doc)) != BL_CLI_OK)
            break;
        json_array_foreach(doc, k, x)
        {
            json_t *row = json_pack("{s:s}", "type", kinds[i][0]);
            json_object_update(row, x);
            json_array_append_new(all, row);
        }
        json_decref(doc);
    }
    if (rc == BL_CLI_OK)
        rc = bl_cli_print_list(p, p->cmd->res->cols, all);
    json_decref(all);
    free(esc);
    return rc;
}

int bl_cli_run(struct bl_cli_conn *c, struct bl_cli_parsed *p)
{
    switch (p->cmd->verb) {
    case BL_VERB_CREATE:
        return do_create(c, p);
    case BL_VERB_LIST:
        return do_list(c, p);
    case BL_VERB_SHOW:
    case BL_VERB_FIXED:
        return do_show(c, p);
    case BL_VERB_SET:
    case BL_VERB_UNSET:
    case BL_VERB_QSET:
        return do_update(c, p);
    case BL_VERB_DELETE:
        return do_delete(c, p);
    case BL_VERB_STATS:
        return do_sub(c, p, "GET", "stats");
    case BL_VERB_STATUS:
        return do_sub(c, p, "GET", "status");
    case BL_VERB_FAILOVER:
        return do_sub(c, p, "PUT", "failover");
    case BL_VERB_CAPS:
        return do_caps(c, p);
    }
    return BL_CLI_USAGE;
}
