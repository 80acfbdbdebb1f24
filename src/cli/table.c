/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table drawing (prettytable's, as cliff configures it: numbers right-
 * aligned by the first row's types, multi-line cells, headers aligned like
 * their column), sorting by columns, CSV and shell output, and the string
 * builder the output files share.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "core/xalloc.h"

void bl_cli_sb_add(struct bl_cli_sb *b, const char *s)
{
    size_t n = strlen(s);

    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = bl_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

void bl_cli_sb_addf(struct bl_cli_sb *b, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n >= 0)
        bl_cli_sb_add(b, s);
    free(s);
}

char *bl_cli_sb_take(struct bl_cli_sb *b)
{
    char *p = b->p ? b->p : bl_xstrdup("");
    memset(b, 0, sizeof(*b));
    return p;
}

/* Display width: code points (UTF-8 continuation bytes do not count). */
static size_t width(const char *s, size_t n)
{
    size_t w = 0;

    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

static size_t cell_width(const char *s)
{
    size_t w = 0;

    while (*s) {
        size_t len = strcspn(s, "\n"), lw = width(s, len);
        w = lw > w ? lw : w;
        s += len;
        s += *s == '\n';
    }
    return w;
}

static int cell_lines(const char *s)
{
    int n = 1;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void rule(const size_t *w, int n)
{
    for (int i = 0; i < n; i++) {
        putchar('+');
        for (size_t k = 0; k < w[i] + 2; k++)
            putchar('-');
    }
    printf("+\n");
}

/* Line `line` of cell s, padded to w. */
static void cell_line(const char *s, int line, size_t w, char align)
{
    size_t len, lw;

    for (int i = 0; i < line && *s; i++) {
        s += strcspn(s, "\n");
        s += *s == '\n';
    }
    len = strcspn(s, "\n");
    lw = width(s, len);
    printf("| ");
    if (align == 'r')
        printf("%*s", (int)(w - lw), "");
    printf("%.*s", (int)len, s);
    if (align != 'r')
        printf("%*s", (int)(w - lw), "");
    putchar(' ');
}

/* cells: nrows * n strings, row-major. */
static void draw(char **names, char **cells, int nrows, int n, const char *align)
{
    size_t *w = bl_xcalloc((size_t)n, sizeof(*w));

    for (int c = 0; c < n; c++) {
        w[c] = cell_width(names[c]);
        for (int r = 0; r < nrows; r++) {
            size_t cw = cell_width(cells[r * n + c]);
            w[c] = cw > w[c] ? cw : w[c];
        }
    }
    rule(w, n);
    for (int c = 0; c < n; c++)
        cell_line(names[c], 0, w[c], align[c]);
    printf("|\n");
    rule(w, n);
    for (int r = 0; r < nrows; r++) {
        int h = 1;
        for (int c = 0; c < n; c++)
            h = cell_lines(cells[r * n + c]) > h ? cell_lines(cells[r * n + c]) : h;
        for (int line = 0; line < h; line++) {
            for (int c = 0; c < n; c++)
                cell_line(cells[r * n + c], line, w[c], align[c]);
            printf("|\n");
        }
    }
    rule(w, n);
    free(w);
}

void bl_cli_table_one(char **names, json_t *vals, int n)
{
    char *hdr[2] = {"Field", "Value"};
    char **cells = bl_xcalloc((size_t)n * 2 + 1, sizeof(*cells));

    for (int i = 0; i < n; i++) {
        cells[2 * i] = bl_xstrdup(names[i]);
        cells[2 * i + 1] = bl_cli_pystr(json_array_get(vals, (size_t)i));
    }
    if (n)
        draw(hdr, cells, n, 2, "ll");
    else
        printf("\n");
    for (int i = 0; i < 2 * n; i++)
        free(cells[i]);
    free(cells);
}

void bl_cli_table_list(char **names, json_t *rows, int n, bool print_empty)
{
    size_t nrows = json_array_size(rows);
    char **cells = bl_xcalloc(nrows * (size_t)n + 1, sizeof(*cells));
    char *align = bl_xcalloc((size_t)n + 1, 1);

    for (int c = 0; c < n; c++) {
        json_t *first = json_array_get(json_array_get(rows, 0), (size_t)c);
        align[c] = json_is_number(first) ? 'r' : 'l';
    }
    for (size_t r = 0; r < nrows; r++)
        for (int c = 0; c < n; c++)
            cells[r * (size_t)n + (size_t)c] =
                bl_cli_pystr(json_array_get(json_array_get(rows, r), (size_t)c));
    if (nrows || print_empty)
        draw(names, cells, (int)nrows, n, align);
    else
        printf("\n");
    for (size_t i = 0; i < nrows * (size_t)n; i++)
        free(cells[i]);
    free(cells);
    free(align);
}

/* ---- sorting, projection -------------------------------------------------------------------- */

static int col_index(const char *cols, const char *name)
{
    int i = 0;
    size_t n = strlen(name);

    for (const char *s = cols; *s; i++) {
        size_t len = strcspn(s, " ");
        if (len == n && strncmp(s, name, n) == 0)
            return i;
        s += len;
        s += *s == ' ';
    }
    return -1;
}

struct sort_ctx {
    int keys[16], nkeys;
    bool desc;
};
static struct sort_ctx sorting; /* qsort has no context argument */

/* None sorts last (first when descending), numbers by value, the rest as text. */
static int cmp_values(json_t *a, json_t *b)
{
    char *sa, *sb;
    int r;

    if (json_is_null(a) || json_is_null(b))
        return json_is_null(a) - json_is_null(b);
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return (x > y) - (x < y);
    }
    sa = bl_cli_pystr(a);
    sb = bl_cli_pystr(b);
    r = strcmp(sa, sb);
    free(sa);
    free(sb);
    return r;
}

static int cmp_rows(const void *pa, const void *pb)
{
    json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;

    for (int k = 0; k < sorting.nkeys; k++) {
        int r = cmp_values(json_array_get(a, (size_t)sorting.keys[k]),
                           json_array_get(b, (size_t)sorting.keys[k]));
        if (r)
            return sorting.desc ? -r : r;
    }
    /* stable: the original position is the last element */
    return (int)(json_integer_value(json_array_get(a, json_array_size(a) - 1)) -
                 json_integer_value(json_array_get(b, json_array_size(b) - 1)));
}

void bl_cli_sort_rows(const struct bl_cli_parsed *p, const char *cols, json_t *rows)
{
    const struct bl_cli_vals *sc = bl_cli_get(p, "--sort-column");
    size_t n = json_array_size(rows), i;
    json_t **v, *row;

    sorting.nkeys = 0;
    sorting.desc = bl_cli_given(p, "--sort-descending");
    for (int k = 0; sc && k < sc->n && sorting.nkeys < 16; k++) {
        int idx = col_index(cols, sc->v[k]);
        if (idx >= 0) /* unknown columns are ignored, as cliff does */
            sorting.keys[sorting.nkeys++] = idx;
    }
    if (sorting.nkeys == 0 || n < 2)
        return;
    v = bl_xcalloc(n, sizeof(*v));
    json_array_foreach(rows, i, row)
    {
        json_array_append_new(row, json_integer((json_int_t)i));
        v[i] = json_incref(row);
    }
    qsort(v, n, sizeof(*v), cmp_rows);
    json_array_clear(rows);
    for (i = 0; i < n; i++) {
        json_array_remove(v[i], json_array_size(v[i]) - 1);
        json_array_append_new(rows, v[i]);
    }
    free(v);
}

/* Keeps, in each row, only the selected columns. */
void bl_cli_project_rows(const char *cols, char **names, int n, json_t *rows)
{
    size_t i;
    json_t *row;

    json_array_foreach(rows, i, row)
    {
        json_t *keep = json_array();
        for (int k = 0; k < n; k++)
            json_array_append(keep, json_array_get(row, (size_t)col_index(cols, names[k])));
        json_array_clear(row);
        json_array_extend(row, keep);
        json_decref(keep);
    }
}

/* ---- CSV (Python's csv module, as cliff sets it up), shell ----------------------------------- */

static void csv_field(json_t *v, const char *mode)
{
    char *s = bl_cli_pystr(v);
    bool numeric = json_is_number(v) || json_is_boolean(v);
    bool quote = strcmp(mode, "all") == 0 ||
                 (strcmp(mode, "nonnumeric") == 0 && !numeric && !json_is_null(v)) ||
                 (strcmp(mode, "minimal") == 0 && strpbrk(s, ",\"\r\n"));

    if (json_is_null(v))
        s[0] = '\0';
    if (quote)
        putchar('"');
    for (const char *c = s; *c; c++) {
        if (*c == '"' && quote)
            putchar('"');
        else if (!quote && strchr(",\"\\\r\n", *c))
            putchar('\\');
        putchar(*c);
    }
    if (quote)
        putchar('"');
    free(s);
}

void bl_cli_csv(const struct bl_cli_parsed *p, char **names, int n, json_t *rows)
{
    const char *mode = bl_cli_last(p, "--quote");
    size_t i;
    json_t *row;

    mode = mode ? mode : "nonnumeric";
    for (int k = 0; k < n; k++) {
        json_t *name = json_string(names[k]);
        printf("%s", k ? "," : "");
        csv_field(name, mode);
        json_decref(name);
    }
    printf("\n");
    json_array_foreach(rows, i, row)
    {
        for (int k = 0; k < n; k++) {
            printf("%s", k ? "," : "");
            csv_field(json_array_get(row, (size_t)k), mode);
        }
        printf("\n");
    }
}

void bl_cli_shell_var(const char *prefix, const char *name, const char *value)
{
    printf("%s", prefix);
    for (const char *c = name; *c; c++)
        putchar(*c == ':' || *c == '-' || *c == ' ' ? '_' : *c);
    printf("=\"");
    for (const char *c = value; *c; c++) {
        if (*c == '"')
            putchar('\\');
        putchar(*c);
    }
    printf("\"\n");
}
