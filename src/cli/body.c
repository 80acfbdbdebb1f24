/* SPDX-License-Identifier: Apache-2.0 */
/*
 * From parsed options to what is sent: a request body for create/set/unset,
 * a query string for list. Each option's kind in the command table says how
 * its words become JSON (see enum bl_cli_kind); references are resolved to
 * ids here, before anything is changed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/body.h"
#include "core/xalloc.h"

/* "k=v,k2=v2" as an object; NULL if a part has no '='. */
static json_t *parse_kv(const char *s, bool dash_to_underscore)
{
    json_t *o = json_object();
    char *copy = bl_xstrdup(s), *save = NULL;

    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        if (!eq || eq == part) {
            json_decref(o);
            free(copy);
            return NULL;
        }
        *eq = '\0';
        for (char *k = part; dash_to_underscore && *k; k++)
            *k = *k == '-' ? '_' : *k;
        json_object_set_new(o, part, json_string(eq + 1));
    }
    free(copy);
    return o;
}

static int vip_value(struct bl_cli_conn *c, const struct bl_cli_parsed *p,
                     const struct bl_cli_arg *a, const char *v, json_t *list)
{
    json_t *vip = parse_kv(v, true), *sub;
    const char *name = json_string_value(json_object_get(vip, "subnet_id"));

    if (!vip || !name) {
        json_decref(vip);
        return bl_cli_usage_error(p->cmd, "argument %s: Additional VIPs must include a subnet-id",
                                  a->name) < 0
                   ? BL_CLI_USAGE
                   : BL_CLI_USAGE;
    }
    if (bl_cli_resolve(c, a->res, NULL, name, &sub) != BL_CLI_OK) {
        json_decref(vip);
        return BL_CLI_API;
    }
    json_object_set(vip, "subnet_id", json_object_get(sub, a->res->idkey));
    json_decref(sub);
    json_array_append_new(list, vip);
    return BL_CLI_OK;
}

static json_t *word_list(const struct bl_cli_vals *v)
{
    json_t *arr = json_array();

    for (int i = 0; i < v->n; i++)
        json_array_append_new(arr, json_string(v->v[i]));
    return arr;
}

/* The JSON value one option contributes; *out = NULL if none. */
static int value_of(struct bl_cli_conn *c, const struct bl_cli_parsed *p, int k, json_t **out)
{
    const struct bl_cli_arg *a = p->args[k];
    const struct bl_cli_vals *v = &p->vals[k];
    const char *last = v->n ? v->v[v->n - 1] : NULL;
    json_t *obj;

    *out = NULL;
    switch (a->kind) {
    case BL_ARG_STR:
    case BL_ARG_CSV:
        *out = json_string(last);
        break;
    case BL_ARG_INT:
        *out = json_integer(strtoll(last, NULL, 10));
        break;
    case BL_ARG_FLOAT:
        *out = json_real(strtod(last, NULL));
        break;
    case BL_ARG_TRUE:
        *out = json_true();
        break;
    case BL_ARG_FALSE:
        *out = json_false();
        break;
    case BL_ARG_NULL:
        *out = json_null();
        break;
    case BL_ARG_LIST:
    case BL_ARG_NARGS:
        *out = word_list(v);
        break;
    case BL_ARG_REFSTR:
        *out = strcasecmp(last, "none") == 0 || strcasecmp(last, "null") == 0 ||
                       strcasecmp(last, "void") == 0
                   ? json_null()
                   : json_string(last);
        break;
    case BL_ARG_KV:
        if (!(*out = parse_kv(last, false))) {
            bl_cli_usage_error(p->cmd, "argument %s: expected key=value[,key=value...], got '%s'",
                               a->name, last);
            return BL_CLI_USAGE;
        }
        break;
    case BL_ARG_REF:
        if (bl_cli_resolve(c, a->res, NULL, last, &obj) != BL_CLI_OK)
            return BL_CLI_API;
        *out = json_incref(json_object_get(obj, a->res->idkey));
        json_decref(obj);
        break;
    case BL_ARG_VIP:
        *out = json_array();
        for (int i = 0; i < v->n; i++) {
            int rc = vip_value(c, p, a, v->v[i], *out);
            if (rc != BL_CLI_OK) {
                json_decref(*out);
                *out = NULL;
                return rc;
            }
        }
        break;
    default:
        break; /* tags, switches, output options: read elsewhere */
    }
    return BL_CLI_OK;
}

/* Adds every given option (and referencing positional) to `into`. With
 * query_only, only BL_QUERY options; without, all but them. */
int bl_cli_build(struct bl_cli_conn *c, const struct bl_cli_parsed *p, json_t *into,
                 bool query_only)
{
    for (int k = 0; k < p->nargs; k++) {
        const struct bl_cli_arg *a = p->args[k];
        json_t *v;
        int rc;
        bool given = p->vals[k].n > 0 || (a->kind == BL_ARG_NARGS && p->vals[k].v);
        if (!given || !a->field || (a->flags & (BL_SELF | BL_PARENT)))
            continue;
        if (!!(a->flags & BL_QUERY) != query_only)
            continue;
        if ((rc = value_of(c, p, k, &v)) != BL_CLI_OK)
            return rc;
        if (v)
            json_object_set_new(into, a->field, v);
    }
    return BL_CLI_OK;
}

static bool has_tag(json_t *tags, const char *t)
{
    size_t i;
    json_t *x;

    json_array_foreach(tags, i, x) if (json_is_string(x) &&
                                       strcmp(json_string_value(x), t) == 0) return true;
    return false;
}

/* --tag/--no-tag (create, set) and --tag/--all-tag (unset) against the
 * object's current tags; leaves body alone when none was given. */
void bl_cli_tags(const struct bl_cli_parsed *p, json_t *current, json_t *body, bool removing)
{
    const struct bl_cli_vals *tag = NULL;
    bool clear = false;
    json_t *tags;

    for (int k = 0; k < p->nargs; k++) {
        if (p->args[k]->kind == BL_ARG_TAG && p->vals[k].n)
            tag = &p->vals[k];
        if (p->args[k]->kind == BL_ARG_NOTAG && p->vals[k].n)
            clear = true;
    }
    if (!tag && !clear)
        return;
    if (clear || !json_is_array(json_object_get(current, "tags")))
        tags = json_array();
    else
        tags = json_deep_copy(json_object_get(current, "tags"));
    if (removing && !clear && tag) {
        json_t *keep = json_array(), *x;
        size_t i;
        json_array_foreach(tags, i, x)
        {
            bool drop = false;
            for (int t = 0; t < tag->n; t++)
                drop |= json_is_string(x) && strcmp(json_string_value(x), tag->v[t]) == 0;
            if (!drop)
                json_array_append(keep, x);
        }
        json_decref(tags);
        tags = keep;
    } else if (!removing && tag) {
        for (int t = 0; t < tag->n; t++)
            if (!has_tag(tags, tag->v[t]))
                json_array_append_new(tags, json_string(tag->v[t]));
    }
    json_object_set_new(body, "tags", tags);
}

/* "?k=v&k2=v2" from an object of filters ("" when empty; caller frees). */
char *bl_cli_query(json_t *filters)
{
    struct bl_cli_sb b = {0};
    const char *k;
    json_t *v;

    json_object_foreach(filters, k, v)
    {
        char *s = json_is_string(v)    ? bl_xstrdup(json_string_value(v))
                  : json_is_boolean(v) ? bl_xstrdup(json_is_true(v) ? "true" : "false")
                                       : json_dumps(v, JSON_ENCODE_ANY);
        char *esc = bl_cli_escape(s);
        bl_cli_sb_addf(&b, "%c%s=%s", b.len ? '&' : '?', k, esc);
        free(esc);
        free(s);
    }
    return bl_cli_sb_take(&b);
}
