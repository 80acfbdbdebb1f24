/* SPDX-License-Identifier: Apache-2.0 */
/*
 * -f yaml: block-style YAML as PyYAML's safe_dump writes it (what cliff
 * uses): sequences in mappings not indented, strings quoted with '...' only
 * when plain text would read back as something else (a number, a boolean,
 * null, a date) or would not parse.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "core/xalloc.h"

/* YAML 1.1 implicit types (PyYAML's resolver): plain text matching one is not a string. */
static const char *const implicit[] = {
    "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
    "^(~|null|Null|NULL)$",
    "^[-+]?(0b[0-1_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$",
    "^([-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
    "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
    "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:"
    "[0-9]{2}(\\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$",
    "^(=|<<)$",
};

static bool looks_implicit(const char *s)
{
    for (size_t i = 0; i < sizeof(implicit) / sizeof(*implicit); i++) {
        regex_t re;
        bool m;
        if (regcomp(&re, implicit[i], REG_EXTENDED | REG_NOSUB) != 0)
            continue;
        m = regexec(&re, s, 0, NULL, 0) == 0;
        regfree(&re);
        if (m)
            return true;
    }
    return false;
}

static bool needs_quotes(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || strchr("?:,[]{}#&*!|>'\"%@`", s[0]) || s[0] == ' ' || s[n - 1] == ' ')
        return true;
    if (s[0] == '-' && (s[1] == '\0' || s[1] == ' '))
        return true;
    if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':' || strchr(s, '\n'))
        return true;
    return looks_implicit(s);
}

static void quoted(const char *s, int indent)
{
    putchar('\'');
    for (; *s; s++) {
        if (*s == '\'')
            printf("''");
        else if (*s == '\n') /* a line break is a blank line in a flow scalar */
            printf("\n\n%*s", indent + 2, "");
        else
            putchar(*s);
    }
    putchar('\'');
}

static void scalar(json_t *v, int indent)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
        printf("null");
        break;
    case JSON_TRUE:
        printf("true");
        break;
    case JSON_FALSE:
        printf("false");
        break;
    case JSON_INTEGER:
        printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        printf("%.15g", json_real_value(v));
        break;
    case JSON_STRING:
        if (needs_quotes(json_string_value(v)))
            quoted(json_string_value(v), indent);
        else
            printf("%s", json_string_value(v));
        break;
    case JSON_ARRAY:
        printf("[]");
        break;
    case JSON_OBJECT:
        printf("{}");
        break;
    }
}

static bool is_block(json_t *v)
{
    return (json_is_array(v) && json_array_size(v)) || (json_is_object(v) && json_object_size(v));
}

static void emit(json_t *v, int indent, bool sort_keys);

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A mapping whose first line is already indented (after "- " of a sequence). */
static void mapping(json_t *v, int indent, bool sort_keys, bool first_inline)
{
    size_t n = json_object_size(v), i = 0;
    const char **keys = bl_xcalloc(n + 1, sizeof(*keys)), *k;
    json_t *x;

    json_object_foreach(v, k, x) keys[i++] = k;
    if (sort_keys)
        qsort(keys, n, sizeof(*keys), cmp_keys);
    for (i = 0; i < n; i++) {
        x = json_object_get(v, keys[i]);
        if (i || !first_inline)
            printf("%*s", indent, "");
        printf("%s:", keys[i]);
        if (is_block(x)) {
            printf("\n");
            emit(x, json_is_array(x) ? indent : indent + 2, sort_keys);
        } else {
            putchar(' ');
            scalar(x, indent);
            putchar('\n');
        }
    }
    free(keys);
}

static void emit(json_t *v, int indent, bool sort_keys)
{
    size_t i;
    json_t *x;

    if (json_is_object(v) && json_object_size(v)) {
        mapping(v, indent, sort_keys, false);
    } else if (json_is_array(v) && json_array_size(v)) {
        json_array_foreach(v, i, x)
        {
            printf("%*s- ", indent, "");
            if (json_is_object(x) && json_object_size(x)) {
                mapping(x, indent + 2, sort_keys, true);
            } else if (is_block(x)) {
                printf("\n");
                emit(x, indent + 2, sort_keys);
            } else {
                scalar(x, indent);
                putchar('\n');
            }
        }
    } else {
        scalar(v, indent);
        putchar('\n');
    }
}

void bl_cli_yaml_emit(json_t *doc, bool sort_keys)
{
    emit(doc, 0, sort_keys);
}
