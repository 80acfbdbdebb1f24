/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Collection GETs, Octavia style (octavia-api.md §6): filter on any
 * attribute (tags with all/any/not), sort on several keys with created_at and
 * id as tie-breakers, marker pagination both ways with next/previous links,
 * and `fields=` selection. Done in memory over rendered objects, so every
 * resource gets the same behaviour.
 */
#include "api/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"

#define MAX_PARAMS 64
#define MAX_SORT 8
#define DEFAULT_LIMIT 1000

struct query {
    const char *key[MAX_PARAMS];
    const char *val[MAX_PARAMS];
    int n;
};

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) ('+' is a space). Bytes that do not form UTF-8
 * become U+FFFD, as Octavia's web framework decodes them: every decoded
 * string can then go into a JSON answer (jansson refuses invalid UTF-8, and
 * an error message naming the parameter would be lost). */
static char *url_decode(struct bl_arena *a, const char *s, size_t n)
{
    unsigned char *raw = bl_arena_alloc(a, n + 1);
    char *d = bl_arena_alloc(a, 3 * n + 1), *p = d;
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            raw[m++] = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            raw[m++] = (unsigned char)(s[i] == '+' ? ' ' : s[i]);
        }
    }
    for (size_t i = 0; i < m;) {
        size_t k = bl_utf8_seq(raw + i, m - i);
        if (k == 0) {
            memcpy(p, "\xEF\xBF\xBD", 3);
            p += 3;
            i++;
        } else {
            memcpy(p, raw + i, k);
            p += k;
            i += k;
        }
    }
    *p = '\0';
    return d;
}

static void parse_query(struct ctx *c, struct query *q)
{
    const char *s = c->req->query;

    q->n = 0;
    while (*s && q->n < MAX_PARAMS) {
        size_t len = strcspn(s, "&");
        const char *eq = memchr(s, '=', len);
        if (len > 0) {
            q->key[q->n] = url_decode(c->arena, s, eq ? (size_t)(eq - s) : len);
            q->val[q->n] = eq ? url_decode(c->arena, eq + 1, len - (size_t)(eq - s) - 1) : "";
            q->n++;
        }
        s += len + (s[len] == '&');
    }
}

static const char *qget(const struct query *q, const char *key)
{
    for (int k = 0; k < q->n; k++) {
        if (strcmp(q->key[k], key) == 0)
            return q->val[k];
    }
    return NULL;
}

/* ---- which keys exist ------------------------------------------------------------------- */

static bool is_control(const char *k)
{
    static const char *const keys[] = {"limit", "marker", "page_reverse", "sort", "sort_key",
                                       "sort_dir", "fields", "tags", "tags-any", "not-tags",
                                       "not-tags-any", "cascade", NULL};
    for (int i = 0; keys[i]; i++) {
        if (strcmp(keys[i], k) == 0)
            return true;
    }
    return false;
}

/* Attributes every object shows, and the relations resources add. */
static bool is_attribute(const struct resource *r, const char *k)
{
    static const char *const common[] = {
        "id", "project_id", "tenant_id", "provisioning_status", "operating_status", "created_at",
        "updated_at", "loadbalancers", "listeners", "pools", "members", "l7policies",
        "healthmonitor_id", "loadbalancer_id", "listener_id", "pool_id", NULL};

    for (int i = 0; common[i]; i++) {
        if (strcmp(common[i], k) == 0)
            return true;
    }
    for (const struct bl_field *f = r->spec; f->name; f++) {
        if (strcmp(f->name, k) == 0)
            return true;
    }
    return false;
}

/* ---- filtering -------------------------------------------------------------------------- */

static bool bool_text(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes", "on", "t", "y", NULL};
    static const char *const no[] = {"false", "0", "no", "off", "f", "n", NULL};

    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return (*out = true);
        if (strcasecmp(v, no[i]) == 0)
            return !(*out = false);
    }
    return false;
}

/* `key_id` filters on a relation list: loadbalancer_id matches "loadbalancers": [{"id"}]. */
static bool relation_has(json_t *obj, const char *key, const char *val)
{
    char plural[64];
    size_t n = strlen(key), i;
    json_t *list, *e;

    if (n < 4 || strcmp(key + n - 3, "_id") != 0 || n - 3 + 2 > sizeof(plural))
        return false;
    snprintf(plural, sizeof(plural), "%.*ss", (int)(n - 3), key);
    list = json_object_get(obj, plural);
    json_array_foreach(list, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "id")) ?: "", val) == 0)
            return true;
    }
    return false;
}

static bool matches(json_t *obj, const char *key, const char *val)
{
    json_t *v = json_object_get(obj, key);
    char buf[64];
    bool b;

    if (v == NULL)
        return relation_has(obj, key, val);
    if (json_is_string(v))
        return strcmp(json_string_value(v), val) == 0;
    if (json_is_boolean(v))
        return bool_text(val, &b) && b == json_is_true(v);
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return strcmp(buf, val) == 0;
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof(buf), "%.1f", json_real_value(v));
        return strcmp(buf, val) == 0;
    }
    return json_is_null(v) && (val[0] == '\0' || strcmp(val, "None") == 0);
}

static bool has_tag(json_t *obj, const char *tag, size_t len)
{
    json_t *tags = json_object_get(obj, "tags"), *e;
    size_t i;

    json_array_foreach(tags, i, e) {
        if (json_string_length(e) == len && strncmp(json_string_value(e), tag, len) == 0)
            return true;
    }
    return false;
}

/* tags (all of), tags-any, not-tags (not all of), not-tags-any (none of); comma lists. */
static bool tags_match(json_t *obj, const char *op, const char *val)
{
    bool any = strstr(op, "any") != NULL, neg = strncmp(op, "not-", 4) == 0;
    bool all_in = true, some_in = false;

    while (*val) {
        size_t len = strcspn(val, ",");
        bool in = has_tag(obj, val, len);
        all_in &= in;
        some_in |= in;
        val += len + (val[len] == ',');
    }
    if (any)
        return neg ? !some_in : some_in;
    return neg ? !all_in : all_in;
}

static bool keep(json_t *obj, const struct query *q)
{
    for (int k = 0; k < q->n; k++) {
        const char *key = q->key[k];
        if (strstr(key, "tags") != NULL && is_control(key)) {
            if (!tags_match(obj, key, q->val[k]))
                return false;
        } else if (!is_control(key) && !matches(obj, key, q->val[k])) {
            return false;
        }
    }
    return true;
}

/* ---- sorting ---------------------------------------------------------------------------- */

struct sort_spec {
    const char *key[MAX_SORT + 2];
    bool desc[MAX_SORT + 2];
    int n;
};

static struct sort_spec sorting; /* the comparator's view; the control thread is single */

static int cmp_values(json_t *a, json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b))
        return (json_integer_value(a) > json_integer_value(b)) -
               (json_integer_value(a) < json_integer_value(b));
    if (json_is_string(a) && json_is_string(b))
        return strcmp(json_string_value(a), json_string_value(b));
    if (json_is_boolean(a) && json_is_boolean(b))
        return json_is_true(a) - json_is_true(b);
    return (a != NULL && !json_is_null(a)) - (b != NULL && !json_is_null(b));
}

struct item {
    json_t *obj;
    size_t pos; /* position in creation order: the last tie-breaker */
};

static int cmp_objs(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    int r = 0;

    for (int i = 0; i < sorting.n; i++) {
        r = cmp_values(json_object_get(a->obj, sorting.key[i]),
                       json_object_get(b->obj, sorting.key[i]));
        if (r != 0)
            return sorting.desc[i] ? -r : r;
    }
    /* created_at has one-second resolution: equal stamps keep creation order. */
    r = (a->pos > b->pos) - (a->pos < b->pos);
    return sorting.n > 0 && sorting.desc[0] ? -r : r;
}

/* Splits "k1:asc,k2" (or sort_key/sort_dir lists) into `s`. */
static int parse_sort(struct ctx *c, const struct resource *r, const struct query *q,
                      struct sort_spec *s)
{
    const char *sort = qget(q, "sort"), *keys = qget(q, "sort_key"), *dirs = qget(q, "sort_dir");
    char *list = bl_arena_strdup(c->arena, sort   ? sort
                                           : keys ? keys
                                                  : r->default_sort ? r->default_sort : "");
    char *dl = bl_arena_strdup(c->arena, dirs ? dirs : ""), *save = NULL, *dsave = NULL;
    char *d = strtok_r(dl, ",", &dsave);

    s->n = 0;
    for (char *t = strtok_r(list, ",", &save); t && s->n < MAX_SORT; t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        const char *dir = colon ? colon + 1 : (d ? d : "asc");
        if (colon)
            *colon = '\0';
        if (!is_attribute(r, t))
            return fault(c, 400, "Supplied sort key '%s' is not valid.", t);
        if (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
            return fault(c, 400, "Supplied sort direction '%s' is not valid.", dir);
        s->key[s->n] = t;
        s->desc[s->n++] = strcmp(dir, "desc") == 0;
        if (!colon && d)
            d = strtok_r(NULL, ",", &dsave);
    }
    {
        bool desc = s->n > 0 && s->desc[0];
        s->key[s->n] = "created_at"; /* tie-breaker, as Octavia appends it */
        s->desc[s->n++] = desc;
    }
    return 0;
}

static void sort_array(json_t *arr, const struct sort_spec *s, bool reverse)
{
    size_t n = json_array_size(arr);
    struct item *v = bl_xcalloc(n ? n : 1, sizeof(*v));

    for (size_t i = 0; i < n; i++)
        v[i] = (struct item){json_incref(json_array_get(arr, i)), i};
    sorting = *s;
    if (reverse) {
        for (int i = 0; i < sorting.n; i++)
            sorting.desc[i] = !sorting.desc[i];
    }
    qsort(v, n, sizeof(*v), cmp_objs);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i].obj);
    free(v);
}

/* ---- fields and pages ------------------------------------------------------------------- */

void bl_api_select_fields(struct ctx *c, json_t **obj)
{
    struct query q;
    json_t *keep_obj = NULL;

    parse_query(c, &q);
    for (int k = 0; k < q.n; k++) {
        json_t *v;
        if (strcmp(q.key[k], "fields") != 0)
            continue;
        if (keep_obj == NULL)
            keep_obj = json_object();
        v = json_object_get(*obj, q.val[k]);
        if (v)
            json_object_set(keep_obj, q.val[k], v);
    }
    if (keep_obj) {
        json_decref(*obj);
        *obj = keep_obj;
    }
}

/* limit: absent = 1000; "infinite", 0 or negative = no limit. Returns -1 if bad. */
static long parse_limit(const char *s)
{
    char *end;
    long v;

    if (s == NULL)
        return DEFAULT_LIMIT;
    if (strcmp(s, "infinite") == 0)
        return 0;
    v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0')
        return -1;
    return v < 1 ? 0 : v;
}

static void add_link(struct ctx *c, json_t *links, const struct query *q, const char *rel,
                     const char *marker, long limit)
{
    char href[1024];
    int n = snprintf(href, sizeof(href), "%s%s?limit=%ld", c->req->base_url, c->req->path, limit);

    if (qget(q, "sort"))
        n += snprintf(href + n, sizeof(href) - (size_t)n, "&sort=%s", qget(q, "sort"));
    if (qget(q, "sort_key"))
        n += snprintf(href + n, sizeof(href) - (size_t)n, "&sort_key=%s", qget(q, "sort_key"));
    if (qget(q, "sort_dir"))
        n += snprintf(href + n, sizeof(href) - (size_t)n, "&sort_dir=%s", qget(q, "sort_dir"));
    snprintf(href + n, sizeof(href) - (size_t)n, "&marker=%s%s", marker,
             strcmp(rel, "previous") == 0 ? "&page_reverse=True" : "");
    json_array_append_new(links, json_pack("{s:s, s:s}", "href", href, "rel", rel));
}

static const char *id_of(json_t *arr, size_t i)
{
    return json_string_value(json_object_get(json_array_get(arr, i), "id"));
}

/* Cuts the page out of the sorted list; fills links. Returns NULL after a fault. */
static json_t *page_of(struct ctx *c, json_t *sorted, const struct query *q, json_t *links)
{
    const char *marker = qget(q, "marker");
    long limit = parse_limit(qget(q, "limit"));
    size_t n = json_array_size(sorted), start = 0, i;
    json_t *page = json_array();

    if (limit < 0) {
        char msg[300];
        json_decref(page);
        snprintf(msg, sizeof(msg), "Supplied pagination limit '%s' is not valid.",
                 qget(q, "limit"));
        http_error(c, 400, "Bad Request", msg);
        return NULL;
    }
    if (marker) {
        for (i = 0; i < n && strcmp(id_of(sorted, i), marker) != 0; i++)
            ;
        if (i == n) {
            json_decref(page);
            fault(c, 400, "Supplied pagination marker '%s' is not valid.", marker);
            return NULL;
        }
        start = i + 1;
    }
    for (i = start; i < n && (limit == 0 || i - start < (size_t)limit); i++)
        json_array_append(page, json_array_get(sorted, i));
    /* As Octavia: "previous" whenever a marker was given, "next" whenever the
     * page is full (there may be nothing after it), both only for a non-empty
     * page and only with a limit (the default one counts). */
    if (marker && json_array_size(page) > 0 && limit > 0)
        add_link(c, links, q, "previous", id_of(page, 0), limit);
    if (limit > 0 && json_array_size(page) >= (size_t)limit)
        add_link(c, links, q, "next", id_of(page, json_array_size(page) - 1), limit);
    return page;
}

void bl_api_list_reply(struct ctx *c, const struct resource *r, json_t *all)
{
    struct query q;
    struct sort_spec s;
    json_t *kept = json_array(), *o, *page, *links = json_array();
    bool reverse = false;
    size_t i;
    char links_key[64];

    parse_query(c, &q);
    for (int k = 0; k < q.n; k++) {
        if (!is_control(q.key[k]) && !is_attribute(r, q.key[k])) {
            fault(c, 400, "One or more arguments are either duplicate or invalid");
            goto out;
        }
    }
    if (parse_sort(c, r, &q, &s) < 0)
        goto out;
    json_array_foreach(all, i, o) {
        if (keep(o, &q))
            json_array_append(kept, o);
    }
    if (qget(&q, "page_reverse"))
        bool_text(qget(&q, "page_reverse"), &reverse);
    /* A reversed page is read backwards from the marker, then shown in order. */
    sort_array(kept, &s, reverse);
    page = page_of(c, kept, &q, links);
    if (page == NULL)
        goto out;
    if (reverse)
        sort_array(page, &s, false);
    json_array_foreach(page, i, o) {
        json_t *sel = json_incref(o);
        bl_api_select_fields(c, &sel);
        json_array_set_new(page, i, sel);
    }
    if (r->links)
        snprintf(links_key, sizeof(links_key), "%s", r->links);
    else
        snprintf(links_key, sizeof(links_key), "%s_links", r->plural);
    c->resp->status = 200;
    {
        json_t *doc = json_pack("{s:o, s:O}", r->plural, page, links_key, links);
        c->resp->body = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
    }
out:
    json_decref(links);
    json_decref(kept);
}
