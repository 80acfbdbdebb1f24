/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output as the OpenStack client (cliff) prints it: Field/Value tables for
 * one object, column tables for lists, and -f json|value|yaml|csv|shell,
 * -c COLUMN, --noindent, --sort-column. Values are first shaped as
 * python-octaviaclient shapes them (lists of {id} become the ids one per
 * line, tags one per line), then printed as Python would print them (True,
 * None), so tables and scripts written for `openstack` read ours unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/xalloc.h"

static bool word_in(const char *words, const char *w)
{
    size_t n = strlen(w);

    for (const char *s = words; *s;) {
        size_t len = strcspn(s, " ");
        if (len == n && strncmp(s, w, n) == 0)
            return true;
        s += len;
        s += *s == ' ';
    }
    return false;
}

static json_t *join(json_t *arr, const char *member)
{
    size_t i, len = 1;
    json_t *v;
    char *s;

    json_array_foreach(arr, i, v)
    {
        json_t *x = member ? json_object_get(v, member) : v;
        len += (json_is_string(x) ? json_string_length(x) : 0) + 1;
    }
    s = bl_xcalloc(1, len);
    json_array_foreach(arr, i, v)
    {
        json_t *x = member ? json_object_get(v, member) : v;
        if (i)
            strcat(s, "\n");
        if (json_is_string(x))
            strcat(s, json_string_value(x));
    }
    v = json_string(s);
    free(s);
    return v;
}

/* The value as python-octaviaclient hands it to cliff (a new reference). */
json_t *bl_cli_display(const char *field, json_t *v)
{
    if (!v)
        return json_string(""); /* cliff shows a missing field as empty */
    if (json_is_array(v) && word_in("tags allowed_cidrs", field))
        return join(v, NULL);
    if (json_is_array(v) &&
        word_in("listeners pools l7policies loadbalancers members rules amphorae", field))
        return join(v, "id");
    if (strcmp(field, "insert_headers") == 0 && json_is_object(v)) {
        const char *k;
        json_t *x, *parts = json_array(), *out;
        json_object_foreach(v, k, x)
        {
            char *s = bl_cli_pystr(x), *line;
            if (asprintf(&line, "%s=%s", k, s) > 0)
                json_array_append_new(parts, json_string(line)), free(line);
            free(s);
        }
        out = json_array_size(parts) ? join(parts, NULL) : json_null();
        json_decref(parts);
        return out;
    }
    return json_incref(v);
}

static void py_quote(struct bl_cli_sb *b, const char *s)
{
    bl_cli_sb_add(b, "'");
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            bl_cli_sb_addf(b, "\\%c", *s);
        else if (*s == '\n')
            bl_cli_sb_add(b, "\\n");
        else
            bl_cli_sb_addf(b, "%c", *s);
    }
    bl_cli_sb_add(b, "'");
}

static void py_repr(struct bl_cli_sb *b, json_t *v, bool top)
{
    size_t i;
    const char *k;
    json_t *x;

    switch (json_typeof(v)) {
    case JSON_NULL:
        bl_cli_sb_add(b, "None");
        break;
    case JSON_TRUE:
        bl_cli_sb_add(b, "True");
        break;
    case JSON_FALSE:
        bl_cli_sb_add(b, "False");
        break;
    case JSON_INTEGER:
        bl_cli_sb_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        bl_cli_sb_addf(b, "%.15g%s", json_real_value(v),
                       json_real_value(v) == (double)(long long)json_real_value(v) ? ".0" : "");
        break;
    case JSON_STRING:
        if (top)
            bl_cli_sb_add(b, json_string_value(v));
        else
            py_quote(b, json_string_value(v));
        break;
    case JSON_ARRAY:
        bl_cli_sb_add(b, "[");
        json_array_foreach(v, i, x)
        {
            bl_cli_sb_add(b, i ? ", " : "");
            py_repr(b, x, false);
        }
        bl_cli_sb_add(b, "]");
        break;
    case JSON_OBJECT:
        bl_cli_sb_add(b, "{");
        i = 0;
        json_object_foreach(v, k, x)
        {
            bl_cli_sb_add(b, i++ ? ", " : "");
            py_quote(b, k);
            bl_cli_sb_add(b, ": ");
            py_repr(b, x, false);
        }
        bl_cli_sb_add(b, "}");
        break;
    }
}

/* str() of the value as Python would print it (caller frees). */
char *bl_cli_pystr(json_t *v)
{
    struct bl_cli_sb b = {0};

    py_repr(&b, v, true);
    return bl_cli_sb_take(&b);
}

/* ---- column selection (-c) ------------------------------------------------------------------ */

/* The names of `all` (space-separated) that -c selects, in `all`'s order, as
 * cliff does; NULL after a usage error when -c names none of them. */
static char **select_cols(const struct bl_cli_parsed *p, const char *all, int *n)
{
    const struct bl_cli_vals *c = bl_cli_get(p, "--column");
    char **out = NULL;

    *n = 0;
    for (const char *s = all; *s;) {
        size_t len = strcspn(s, " ");
        char *name = strndup(s, len);
        bool keep = !c || c->n == 0;
        for (int i = 0; c && i < c->n && !keep; i++)
            keep = strcmp(c->v[i], name) == 0;
        if (keep) {
            out = bl_xrealloc(out, (*n + 1) * sizeof(*out));
            out[(*n)++] = name;
        } else {
            free(name);
        }
        s += len;
        s += *s == ' ';
    }
    if (*n == 0) {
        struct bl_cli_sb b = {0};
        for (int i = 0; i < c->n; i++)
            bl_cli_sb_addf(&b, "%s'%s'", i ? ", " : "", c->v[i]);
        bl_cli_usage_error(p->cmd, "No recognized column names in [%s]. Recognized columns are %s.",
                           b.p, all);
        free(b.p);
        free(out);
        return NULL;
    }
    return out;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static const char *format_of(const struct bl_cli_parsed *p)
{
    const char *f = bl_cli_last(p, "--format");
    return f ? f : "table";
}

static void dump_json(const struct bl_cli_parsed *p, json_t *doc)
{
    size_t flags = JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_ENCODE_ANY;
    char *s;

    if (!bl_cli_given(p, "--noindent"))
        flags |= JSON_INDENT(2);
    s = json_dumps(doc, flags);
    printf("%s\n", s ? s : "");
    free(s);
}

/* ---- one object ------------------------------------------------------------------------------ */

int bl_cli_print_one(const struct bl_cli_parsed *p, const char *rows, json_t *obj)
{
    int n;
    char **names = select_cols(p, rows, &n);
    const char *fmt = format_of(p);
    json_t *vals = json_array();

    if (!names) {
        json_decref(vals);
        return BL_CLI_USAGE;
    }
    for (int i = 0; i < n; i++)
        json_array_append_new(vals, bl_cli_display(names[i], json_object_get(obj, names[i])));
    if (strcmp(fmt, "table") == 0) {
        bl_cli_table_one(names, vals, n);
    } else if (strcmp(fmt, "json") == 0) {
        json_t *doc = json_object();
        for (int i = 0; i < n; i++)
            json_object_set(doc, names[i], json_array_get(vals, i));
        dump_json(p, doc);
        json_decref(doc);
    } else if (strcmp(fmt, "yaml") == 0) {
        for (int i = 0; i < n; i++) {
            json_t *doc = json_pack("{s:O}", names[i], json_array_get(vals, i));
            bl_cli_yaml_emit(doc, false);
            json_decref(doc);
        }
    } else {
        const char *prefix = bl_cli_last(p, "--prefix");
        for (int i = 0; i < n; i++) {
            char *s = bl_cli_pystr(json_array_get(vals, i));
            if (strcmp(fmt, "value") == 0)
                printf("%s\n", s);
            else
                bl_cli_shell_var(prefix ? prefix : "", names[i], s);
            free(s);
        }
    }
    json_decref(vals);
    free_names(names, n);
    return BL_CLI_OK;
}

/* ---- lists ----------------------------------------------------------------------------------- */

int bl_cli_print_list(const struct bl_cli_parsed *p, const char *cols, json_t *list)
{
    int n;
    char **names = select_cols(p, cols, &n);
    const char *fmt = format_of(p);
    json_t *rows = json_array(), *obj;
    size_t i;

    if (!names) {
        json_decref(rows);
        return BL_CLI_USAGE;
    }
    json_array_foreach(list, i, obj)
    {
        json_t *row = json_array();
        /* every column, so --sort-column may name one -c left out */
        for (const char *s = cols; *s;) {
            size_t len = strcspn(s, " ");
            char *name = strndup(s, len);
            json_array_append_new(row, bl_cli_display(name, json_object_get(obj, name)));
            free(name);
            s += len;
            s += *s == ' ';
        }
        json_array_append_new(rows, row);
    }
    bl_cli_sort_rows(p, cols, rows);
    bl_cli_project_rows(cols, names, n, rows);
    if (strcmp(fmt, "table") == 0) {
        bl_cli_table_list(names, rows, n, bl_cli_given(p, "--print-empty"));
    } else if (strcmp(fmt, "json") == 0 || strcmp(fmt, "yaml") == 0) {
        json_t *doc = json_array(), *row;
        json_array_foreach(rows, i, row)
        {
            json_t *o = json_object();
            for (int k = 0; k < n; k++)
                json_object_set(o, names[k], json_array_get(row, (size_t)k));
            json_array_append_new(doc, o);
        }
        if (fmt[0] == 'j')
            dump_json(p, doc);
        else
            bl_cli_yaml_emit(doc, true);
        json_decref(doc);
    } else if (strcmp(fmt, "csv") == 0) {
        bl_cli_csv(p, names, n, rows);
    } else {
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            for (int k = 0; k < n; k++) {
                char *s = bl_cli_pystr(json_array_get(row, (size_t)k));
                printf("%s%s", k ? " " : "", s);
                free(s);
            }
            printf("\n");
        }
    }
    json_decref(rows);
    free_names(names, n);
    return BL_CLI_OK;
}
