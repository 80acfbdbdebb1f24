/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading clouds.yaml / secure.yaml with libyaml: mappings become objects,
 * sequences arrays, scalars strings (the settings read from them are all
 * strings to the client). Anchors and aliases are not followed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "cli/cli.h"

/* Builds the node whose first event is `ev`; NULL on error. */
static json_t *node(yaml_parser_t *ps, yaml_event_t *ev, int depth)
{
    json_t *out = NULL;
    yaml_event_t e;

    if (depth > 64)
        return NULL;
    if (ev->type == YAML_SCALAR_EVENT)
        return json_stringn((const char *)ev->data.scalar.value, ev->data.scalar.length);
    if (ev->type != YAML_MAPPING_START_EVENT && ev->type != YAML_SEQUENCE_START_EVENT)
        return json_null();
    out = ev->type == YAML_MAPPING_START_EVENT ? json_object() : json_array();
    for (;;) {
        json_t *key = NULL, *val;
        if (!yaml_parser_parse(ps, &e))
            goto fail;
        if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            return out;
        }
        if (json_is_object(out)) {
            key = node(ps, &e, depth + 1);
            yaml_event_delete(&e);
            if (!json_is_string(key) || !yaml_parser_parse(ps, &e)) {
                json_decref(key);
                goto fail;
            }
        }
        val = node(ps, &e, depth + 1);
        yaml_event_delete(&e);
        if (!val) {
            json_decref(key);
            goto fail;
        }
        if (key)
            json_object_set_new(out, json_string_value(key), val);
        else
            json_array_append_new(out, val);
        json_decref(key);
    }
fail:
    json_decref(out);
    return NULL;
}

/* The first document of the file; NULL with err[0] == '\0' if it does not exist. */
json_t *bl_cli_yaml_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    yaml_parser_t ps;
    yaml_event_t e;
    json_t *doc = NULL;

    err[0] = '\0';
    if (!f) {
        if (errno != ENOENT)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    yaml_parser_initialize(&ps);
    yaml_parser_set_input_file(&ps, f);
    while (yaml_parser_parse(&ps, &e)) {
        yaml_event_type_t t = e.type;
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_SCALAR_EVENT)
            doc = node(&ps, &e, 0);
        yaml_event_delete(&e);
        if (doc || t == YAML_STREAM_END_EVENT)
            break;
    }
    if (!doc)
        snprintf(err, errlen, "%s: not valid YAML (%s, line %zu)", path,
                 ps.problem ? ps.problem : "empty", ps.problem_mark.line + 1);
    yaml_parser_delete(&ps);
    fclose(f);
    return doc;
}
