/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names or ids wherever an object is referenced, resolved as the OpenStack
 * client resolves them: something that looks like a UUID is tried as an id
 * first, anything else as a name first; exactly one match is required, and
 * two objects sharing a name is an error asking for the id.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/xalloc.h"

/* Hex digits with optional dashes: 32 hex digits in all (oslo's is_uuid_like). */
bool bl_cli_is_uuid(const char *s)
{
    int hex = 0;

    for (; *s; s++) {
        if (isxdigit((unsigned char)*s))
            hex++;
        else if (*s != '-')
            return false;
    }
    return hex == 32;
}

char *bl_cli_path(const struct bl_cli_res *res, const char *parent_id, const char *id)
{
    char *esc = id ? bl_cli_escape(id) : NULL, *out;
    size_t n =
        strlen(res->path) + (parent_id ? strlen(parent_id) : 0) + (esc ? strlen(esc) : 0) + 2;
    int k;

    const char *hole = strstr(res->path, "%s");

    out = bl_xmalloc(n);
    if (hole) /* the parent's id in place of %s */
        k = snprintf(out, n, "%.*s%s%s", (int)(hole - res->path), res->path,
                     parent_id ? parent_id : "", hole + 2);
    else
        k = snprintf(out, n, "%s", res->path);
    if (esc)
        snprintf(out + k, n - (size_t)k, "/%s", esc);
    free(esc);
    return out;
}

/* GET one object by its id (or an availability zone's name): 1 found, 0 not, -1 error. */
static int get_direct(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *parent_id,
                      const char *id, json_t **obj)
{
    char *path = bl_cli_path(res, parent_id, id);
    struct bl_cli_resp r;
    int rc = bl_cli_request(c, res->svc, "GET", path, NULL, &r);

    free(path);
    if (rc < 0)
        return -1;
    if (r.status == 200 && json_is_object(json_object_get(r.body, res->key))) {
        *obj = json_incref(json_object_get(r.body, res->key));
        rc = 1;
    } else if (r.status == 404) {
        rc = 0;
    } else {
        bl_cli_api_error(&r);
        rc = -1;
    }
    bl_cli_resp_free(&r);
    return rc;
}

/* GET the list filtered by field=value: the number of matches (the only one in *obj), -1 on error.
 */
static int get_filtered(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *parent_id,
                        const char *field, const char *value, json_t **obj)
{
    char *base = bl_cli_path(res, parent_id, NULL), *esc = bl_cli_escape(value);
    size_t n = strlen(base) + strlen(field) + strlen(esc) + 4;
    char *path = bl_xmalloc(n);
    struct bl_cli_resp r;
    json_t *list;
    int rc;

    snprintf(path, n, "%s?%s=%s", base, field, esc);
    rc = bl_cli_request(c, res->svc, "GET", path, NULL, &r);
    free(base);
    free(esc);
    free(path);
    if (rc < 0)
        return -1;
    list = json_object_get(r.body, res->keys);
    if (r.status != 200 || !json_is_array(list)) {
        bl_cli_api_error(&r);
        bl_cli_resp_free(&r);
        return -1;
    }
    rc = (int)json_array_size(list);
    if (rc == 1)
        *obj = json_incref(json_array_get(list, 0));
    bl_cli_resp_free(&r);
    return rc;
}

static int by_name(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *parent_id,
                   const char *name, json_t **obj)
{
    int n = get_filtered(c, res, parent_id, "name", name, obj);

    if (n > 1)
        fprintf(stderr, "%d %s found with name or ID of %s. Please try again with UUID\n", n,
                res->keys, name);
    return n > 1 ? -1 : n;
}

/* *obj = the one object `name` names (a new reference); BL_CLI_API after printing why not. */
int bl_cli_resolve(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *parent_id,
                   const char *name, json_t **obj)
{
    int n;

    *obj = NULL;
    if (strcmp(res->idkey, "name") == 0) {
        n = get_direct(c, res, parent_id, name, obj);
    } else if (bl_cli_is_uuid(name)) {
        n = res->svc == BL_SVC_LB ? get_direct(c, res, parent_id, name, obj)
                                  : get_filtered(c, res, parent_id, "id", name, obj);
        if (n == 0)
            n = by_name(c, res, parent_id, name, obj);
    } else {
        n = by_name(c, res, parent_id, name, obj);
        if (n == 0)
            n = get_filtered(c, res, parent_id, "id", name, obj);
    }
    if (n == 1)
        return BL_CLI_OK;
    if (n == 0 || (n > 1 && !*obj))
        fprintf(stderr, "Unable to locate %s in %s\n", name, res->keys);
    json_decref(*obj);
    *obj = NULL;
    return BL_CLI_API;
}
