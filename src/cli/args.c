/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command-line parsing against the command table: which command the words
 * name, then its options and positional arguments, checked (choices,
 * integers, required, exclusive pairs) before anything is sent. Errors are
 * usage errors: one line naming what was wrong, exit status 2.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/xalloc.h"

/* True if `word` is one of the '/'-separated spellings of a's name. */
bool bl_cli_opt_matches(const struct bl_cli_arg *a, const char *word)
{
    const char *s = a->name;
    size_t n = strlen(word);

    while (s && *s) {
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == n && strncmp(s, word, n) == 0)
            return true;
        s = end ? end + 1 : NULL;
    }
    return false;
}

static bool words_match(const char *words, int argc, char **argv, int *used)
{
    int i = 0;
    const char *s = words;

    while (*s) {
        size_t len = strcspn(s, " ");
        if (i >= argc || strlen(argv[i]) != len || strncmp(argv[i], s, len) != 0)
            return false;
        i++;
        s += len;
        s += *s == ' ';
    }
    *used = i;
    return true;
}

/* The command with the most words matching argv's first words. A first word
 * other than "loadbalancer" is read as if "loadbalancer" preceded it, so
 * `ballast listener list` works too. */
const struct bl_cli_cmd *bl_cli_find(int argc, char **argv, int *used)
{
    const struct bl_cli_cmd *best = NULL;
    bool implicit = argc > 0 && strcmp(argv[0], "loadbalancer") != 0;
    int best_n = 0;

    for (const struct bl_cli_cmd *c = bl_cli_cmds; c->words; c++) {
        const char *words = c->words;
        int n;
        if (implicit)
            words += strlen("loadbalancer ");
        if (words_match(words, argc, argv, &n) && n > best_n) {
            best = c;
            best_n = n;
        }
    }
    *used = best_n;
    return best;
}

int bl_cli_usage_error(const struct bl_cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cmd)
        bl_cli_usage_line(stderr, cmd);
    fprintf(stderr, "ballast%s%s: error: ", cmd ? " " : "", cmd ? cmd->words : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -EINVAL;
}

static bool takes_value(const struct bl_cli_arg *a)
{
    return a->kind != BL_ARG_TRUE && a->kind != BL_ARG_FALSE && a->kind != BL_ARG_NULL &&
           a->kind != BL_ARG_SWITCH && a->kind != BL_ARG_NOTAG;
}

static bool in_choices(const char *choices, const char *v)
{
    size_t n = strlen(v);

    for (const char *s = choices; *s;) {
        size_t len = strcspn(s, "|");
        if (len == n && strncmp(s, v, n) == 0)
            return true;
        s += len;
        s += *s == '|';
    }
    return false;
}

static int check_value(const struct bl_cli_parsed *p, const struct bl_cli_arg *a, const char *v)
{
    char *end;
    const char *name = a->flags & BL_POS ? a->name : a->name;

    if (a->choices && !in_choices(a->choices, v)) {
        char list[512] = "";
        for (const char *s = a->choices; *s;) {
            size_t len = strcspn(s, "|");
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%.*s'",
                     *list ? ", " : "", (int)len, s);
            s += len;
            s += *s == '|';
        }
        return bl_cli_usage_error(p->cmd, "argument %s: invalid choice: '%s' (choose from %s)",
                                  name, v, list);
    }
    errno = 0;
    if (a->kind == BL_ARG_INT && (strtoll(v, &end, 10), *v == '\0' || *end || errno))
        return bl_cli_usage_error(p->cmd, "argument %s: invalid int value: '%s'", name, v);
    if (a->kind == BL_ARG_FLOAT && (strtod(v, &end), *v == '\0' || *end || errno))
        return bl_cli_usage_error(p->cmd, "argument %s: invalid float value: '%s'", name, v);
    return 0;
}

static void add_value(struct bl_cli_vals *vals, const char *v)
{
    vals->v = bl_xrealloc(vals->v, (vals->n + 1) * sizeof(*vals->v));
    vals->v[vals->n++] = v;
}

static void flatten(const struct bl_cli_cmd *cmd, struct bl_cli_parsed *p)
{
    memset(p, 0, sizeof(*p));
    p->cmd = cmd;
    for (const struct bl_cli_arg *const *g = cmd->groups; g && *g; g++)
        for (const struct bl_cli_arg *a = *g; a->name; a++) {
            p->args = bl_xrealloc(p->args, (p->nargs + 1) * sizeof(*p->args));
            p->args[p->nargs++] = a;
        }
    p->vals = bl_xcalloc(p->nargs ? p->nargs : 1, sizeof(*p->vals));
}

static int find_opt(const struct bl_cli_parsed *p, const char *word)
{
    for (int i = 0; i < p->nargs; i++)
        if (!(p->args[i]->flags & BL_POS) && bl_cli_opt_matches(p->args[i], word))
            return i;
    return -1;
}

/* One option at argv[*i]; advances *i past its value(s). */
static int parse_opt(struct bl_cli_parsed *p, int argc, char **argv, int *i)
{
    char *word = argv[*i], *eq = strncmp(word, "--", 2) == 0 ? strchr(word, '=') : NULL;
    const char *inline_v = NULL;
    int k;

    if (eq) {
        *eq = '\0';
        inline_v = eq + 1;
    }
    k = find_opt(p, word);
    if (k < 0)
        return bl_cli_usage_error(p->cmd, "unrecognized arguments: %s", word);
    const struct bl_cli_arg *a = p->args[k];
    if (!takes_value(a)) {
        if (inline_v)
            return bl_cli_usage_error(p->cmd, "argument %s: ignored explicit argument '%s'", word,
                                      inline_v);
        add_value(&p->vals[k], "");
        return 0;
    }
    if (a->kind == BL_ARG_NARGS && !inline_v) {
        add_value(&p->vals[k], NULL); /* marks "given", even with no words */
        p->vals[k].n = 0;
        while (*i + 1 < argc && argv[*i + 1][0] != '-')
            add_value(&p->vals[k], argv[++*i]);
        return 0;
    }
    if (!inline_v) {
        if (*i + 1 >= argc || (argv[*i + 1][0] == '-' && argv[*i + 1][1] == '-'))
            return bl_cli_usage_error(p->cmd, "argument %s: expected one argument", word);
        inline_v = argv[++*i];
    }
    if (check_value(p, a, inline_v) < 0)
        return -EINVAL;
    add_value(&p->vals[k], inline_v);
    return 0;
}

static int parse_pos(struct bl_cli_parsed *p, const char *word)
{
    for (int k = 0; k < p->nargs; k++) {
        if ((p->args[k]->flags & BL_POS) && p->vals[k].n == 0) {
            if (check_value(p, p->args[k], word) < 0)
                return -EINVAL;
            add_value(&p->vals[k], word);
            return 0;
        }
    }
    return bl_cli_usage_error(p->cmd, "unrecognized arguments: %s", word);
}

static int check_required(struct bl_cli_parsed *p)
{
    char missing[512] = "";

    for (int k = 0; k < p->nargs; k++)
        if ((p->args[k]->flags & BL_REQ) && p->vals[k].n == 0 && !p->vals[k].v)
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
                     *missing ? ", " : "", p->args[k]->name);
    if (*missing)
        return bl_cli_usage_error(p->cmd, "the following arguments are required: %s", missing);
    /* --enable/--disable and the like: two switches setting one field */
    for (int a = 0; a < p->nargs; a++)
        for (int b = a + 1; b < p->nargs; b++)
            if (p->vals[a].n && p->vals[b].n && p->args[a]->field && p->args[b]->field &&
                !takes_value(p->args[a]) && !takes_value(p->args[b]) &&
                strcmp(p->args[a]->field, p->args[b]->field) == 0)
                return bl_cli_usage_error(p->cmd, "argument %s: not allowed with argument %s",
                                          p->args[b]->name, p->args[a]->name);
    return 0;
}

int bl_cli_parse(const struct bl_cli_cmd *cmd, int argc, char **argv, struct bl_cli_parsed *p)
{
    bool only_pos = false;

    flatten(cmd, p);
    for (int i = 0; i < argc; i++) {
        int rc;
        if (!only_pos && strcmp(argv[i], "--") == 0) {
            only_pos = true;
            continue;
        }
        if (!only_pos && argv[i][0] == '-' && argv[i][1] != '\0')
            rc = parse_opt(p, argc, argv, &i);
        else
            rc = parse_pos(p, argv[i]);
        if (rc < 0)
            return rc;
    }
    return check_required(p);
}

void bl_cli_parsed_free(struct bl_cli_parsed *p)
{
    for (int k = 0; k < p->nargs; k++)
        free(p->vals[k].v);
    free(p->vals);
    free(p->args);
}

const struct bl_cli_vals *bl_cli_get(const struct bl_cli_parsed *p, const char *name)
{
    for (int k = 0; k < p->nargs; k++)
        if (bl_cli_opt_matches(p->args[k], name))
            return &p->vals[k];
    return NULL;
}

const char *bl_cli_last(const struct bl_cli_parsed *p, const char *name)
{
    const struct bl_cli_vals *v = bl_cli_get(p, name);
    return v && v->n ? v->v[v->n - 1] : NULL;
}

bool bl_cli_given(const struct bl_cli_parsed *p, const char *name)
{
    const struct bl_cli_vals *v = bl_cli_get(p, name);
    return v && v->n > 0;
}

/* The value of the positional with `flag` (BL_SELF, BL_PARENT), or NULL. */
const char *bl_cli_positional(const struct bl_cli_parsed *p, unsigned flag)
{
    for (int k = 0; k < p->nargs; k++)
        if ((p->args[k]->flags & flag) && p->vals[k].n)
            return p->vals[k].v[0];
    return NULL;
}
