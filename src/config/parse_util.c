/* SPDX-License-Identifier: Apache-2.0 */
/* The parser's field readers (see parse_int.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/parse_int.h"
#include "core/arena.h"

void bl_pj_key(struct bl_pj_path *out, const struct bl_pj_path *base, const char *key)
{
    snprintf(out->s, sizeof(out->s), "%s%s%s", base->s, base->s[0] ? "." : "", key);
}

void bl_pj_index(struct bl_pj_path *out, const struct bl_pj_path *base, const char *key, size_t i)
{
    snprintf(out->s, sizeof(out->s), "%s%s%s[%zu]", base->s, base->s[0] ? "." : "", key, i);
}

int bl_pj_fail(struct bl_pj *c, const struct bl_pj_path *p, const char *key, const char *fmt, ...)
{
    char msg[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (key)
        return bl_err_set(c->err, -EINVAL, "%s%s%s: %s", p->s, p->s[0] ? "." : "", key, msg);
    return bl_err_set(c->err, -EINVAL, "%s: %s", p->s[0] ? p->s : "(top level)", msg);
}

/* ---- field readers: each returns 0 or -EINVAL; null means "use the default" ---- */

int bl_pj_keys(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v)
    {
        size_t i;
        for (i = 0; known[i] != NULL; i++) {
            if (strcmp(known[i], key) == 0)
                break;
        }
        if (known[i] == NULL)
            return bl_pj_fail(c, p, key, "unknown field");
    }
    return 0;
}

int bl_pj_str(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
              const char **out, const char *def)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_string(v))
        return bl_pj_fail(c, p, key, "must be a string");
    if (json_string_length(v) > 255)
        return bl_pj_fail(c, p, key, "must be at most 255 characters");
    *out = bl_arena_strdup(c->arena, json_string_value(v));
    return 0;
}

int bl_pj_int(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
              int64_t *out, int64_t def, int64_t min, int64_t max)
{
    json_t *v = json_object_get(obj, key);
    json_int_t n;

    if (v == NULL || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v))
        return bl_pj_fail(c, p, key, "must be an integer");
    n = json_integer_value(v);
    if (n < min || n > max)
        return bl_pj_fail(c, p, key, "must be %lld..%lld", (long long)min, (long long)max);
    *out = n;
    return 0;
}

int bl_pj_bool(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key, bool *out,
               bool def)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return bl_pj_fail(c, p, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* Reads a mandatory string that must be one of `allowed`; returns its index via `out`. */
int bl_pj_enum(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
               const char *const *allowed, int *out)
{
    json_t *v = json_object_get(obj, key);
    char list[256] = "";

    if (v == NULL || json_is_null(v))
        return bl_pj_fail(c, p, key, "is required");
    if (json_is_string(v)) {
        for (int i = 0; allowed[i] != NULL; i++) {
            if (strcmp(allowed[i], json_string_value(v)) == 0) {
                *out = i;
                return 0;
            }
        }
    }
    for (int i = 0; allowed[i] != NULL; i++) {
        strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
        strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
    }
    return bl_pj_fail(c, p, key, "must be one of %s", list);
}

int bl_pj_proto(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
                enum bl_proto *out)
{
    static const char *const names[] = {
        "TCP",   "UDP",     "HTTP", "HTTPS",      "TERMINATED_HTTPS",
        "PROXY", "PROXYV2", "SCTP", "PROMETHEUS", NULL};
    int i, rc = bl_pj_enum(c, p, obj, key, names, &i);

    if (rc == 0)
        *out = (enum bl_proto)i;
    return rc;
}

bool bl_pj_set(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v != NULL && !json_is_null(v);
}
