/* SPDX-License-Identifier: Apache-2.0 */
/*
 * L7 policies and their rules (octavia-api.md §3.6, §3.7). A policy row
 * hangs under its listener (parent) and load balancer; a rule under its
 * policy. What Octavia's API does and ballast mirrors:
 *  - the action and the redirect fields are made consistent as Octavia's
 *    sanitize_l7policy_api_args does (giving a redirect target switches the
 *    action; redirects default to code 302);
 *  - positions stay dense 1..n per listener: a policy inserted at k shifts
 *    the others, a deleted one closes the gap;
 *  - rules are validated as Octavia's l7rule_data, with a REGEX compiled by
 *    PCRE2, as the data plane will run it; at most 50 per policy (409);
 *  - locks: a policy change locks the load balancer and the listener; a rule
 *    change also the policy, which must be ACTIVE.
 * The ballast provider runs L7 policies on HTTP and TERMINATED_HTTPS
 * listeners only (501 otherwise, as Octavia's amphora provider).
 */
#include "api/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/l7syntax.h"
#include "config/regex.h"
#include "core/xalloc.h"

#define MAX_RULES 50

/* ---- positions --------------------------------------------------------------------------------
 */

struct policies {
    struct bl_store_row *v;
    json_int_t *pos;
    size_t n, cap;
    const char *skip; /* the policy being moved or removed */
};

static int collect_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct policies *p = arg;
    json_t *b;

    (void)c;
    if (strcmp(row->provisioning_status, "PENDING_DELETE") == 0 ||
        (p->skip && strcmp(p->skip, row->id) == 0))
        return 0;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = bl_xrealloc(p->v, p->cap * sizeof(*p->v));
        p->pos = bl_xrealloc(p->pos, p->cap * sizeof(*p->pos));
    }
    b = row_body(row);
    p->v[p->n] = *row; /* strings live in the request arena */
    p->pos[p->n++] = json_integer_value(json_object_get(b, "position"));
    json_decref(b);
    return 0;
}

/* A listener's live policies, by position (ties: creation order). */
static void policies_of(struct ctx *c, const char *listener, struct policies *p)
{
    each_row(c, "l7policy", NULL, listener, collect_cb, p);
    for (size_t i = 1; i < p->n; i++) {
        struct bl_store_row r = p->v[i];
        json_int_t x = p->pos[i];
        size_t k = i;
        for (; k > 0 && p->pos[k - 1] > x; k--) {
            p->v[k] = p->v[k - 1];
            p->pos[k] = p->pos[k - 1];
        }
        p->v[k] = r;
        p->pos[k] = x;
    }
}

static void policies_free(struct policies *p)
{
    free(p->v);
    free(p->pos);
}

/*
 * Renumbers the listener's policies 1..n leaving out `self`, then, when
 * `insert`, placing it at `want` (1-based, past the end = last). Rewrites
 * the others that move; self's new position goes to `*self_pos`.
 */
static int renumber(struct ctx *c, const char *listener, const char *self, bool insert,
                    json_int_t want, json_int_t *self_pos)
{
    struct policies p = {.skip = self};
    json_int_t at, next = 1;
    int rc = 0;

    policies_of(c, listener, &p);
    at = insert && want <= (json_int_t)p.n ? want : (json_int_t)p.n + 1;
    for (size_t i = 0; rc == 0 && i < p.n; i++) {
        if (insert && next == at)
            next++;
        if (p.pos[i] != next) {
            json_t *b = row_body(&p.v[i]);
            json_object_set_new(b, "position", json_integer(next));
            rc = rewrite(c, &p.v[i], b, NULL);
            json_decref(b);
        }
        next++;
    }
    if (self_pos)
        *self_pos = at;
    policies_free(&p);
    return rc;
}

static int rule_full_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    if (strcmp(row->provisioning_status, "PENDING_DELETE") != 0)
        json_array_append_new(arg, render(c, &bl_res_l7rule, row));
    return 0;
}

json_t *bl_api_l7_list(struct ctx *c, const char *listener_id, bool full)
{
    struct policies p = {0};
    json_t *out = json_array();

    policies_of(c, listener_id, &p);
    for (size_t i = 0; i < p.n; i++) {
        json_t *o;
        if (full) {
            json_t *rules = json_array();
            o = render(c, &bl_res_l7policy, &p.v[i]);
            each_row(c, "l7rule", NULL, p.v[i].id, rule_full_cb, rules);
            json_object_set_new(o, "rules", rules);
        } else {
            o = json_pack("{s:s}", "id", p.v[i].id);
        }
        json_array_append_new(out, o);
    }
    policies_free(&p);
    return out;
}

/* ---- policies -----------------------------------------------------------------------------------
 */

static bool given(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v != NULL && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0);
}

static bool action_is(json_t *o, const char *action)
{
    const char *a = json_string_value(json_object_get(o, "action"));
    return a != NULL && strcmp(a, action) == 0;
}

static void set_null(json_t *o, const char *k1, const char *k2, const char *k3)
{
    const char *keys[] = {k1, k2, k3};
    for (int i = 0; i < 3; i++) {
        if (keys[i])
            json_object_set_new(o, keys[i], json_null());
    }
}

static int check_url(struct ctx *c, json_t *g, const char *key)
{
    const char *u = json_string_value(json_object_get(g, key));

    if (u != NULL && !bl_l7_is_url(u))
        return fault(c, 400,
                     "Invalid input for field/attribute %s. Value: '%s'. Value must be a "
                     "valid URL string",
                     key, u);
    return 0;
}

/* What the action asks for must be there; octavia/common/validate.py. */
static int sanitize_action(struct ctx *c, json_t *g)
{
    if (action_is(g, "REJECT")) {
        set_null(g, "redirect_url", "redirect_pool_id", NULL);
    } else if (action_is(g, "REDIRECT_TO_URL")) {
        if (!given(g, "redirect_url"))
            return fault(c, 400, "Invalid L7 Policy arguments: redirect_url must not be None");
        set_null(g, "redirect_pool_id", NULL, NULL);
    } else if (action_is(g, "REDIRECT_TO_POOL")) {
        if (!given(g, "redirect_pool_id"))
            return fault(c, 400,
                         "Invalid L7 Policy arguments: redirect_pool_id or redirect_pool "
                         "must not be None");
        set_null(g, "redirect_url", NULL, NULL);
    } else if (action_is(g, "REDIRECT_PREFIX") && !given(g, "redirect_prefix")) {
        return fault(c, 400, "Invalid L7 Policy arguments: redirect_prefix must not be None");
    }
    return 0;
}

/* `g` holds the fields the request gave; a redirect target decides the action. */
static int sanitize(struct ctx *c, json_t *g)
{
    json_t *code = json_object_get(g, "redirect_http_code");
    json_int_t n = json_integer_value(code);

    if (code && !json_is_null(code) && n != 301 && n != 302 && n != 303 && n != 307 && n != 308)
        return fault(c, 400,
                     "Invalid input for field/attribute redirect_http_code. Value: '%lld'. "
                     "Value should be one of: 301, 302, 303, 307, 308",
                     (long long)n);
    if (check_url(c, g, "redirect_url") || check_url(c, g, "redirect_prefix") ||
        sanitize_action(c, g))
        return -EINVAL;
    if (given(g, "redirect_pool_id") && (given(g, "redirect_url") || given(g, "redirect_prefix")))
        return fault(c, 400,
                     "Invalid L7 Policy arguments: Cannot specify redirect_pool_id and "
                     "redirect_url or redirect_prefix at the same time");
    if (given(g, "redirect_pool_id")) {
        json_object_set_new(g, "action", json_string("REDIRECT_TO_POOL"));
        set_null(g, "redirect_url", "redirect_prefix", "redirect_http_code");
    }
    if (given(g, "redirect_url") || given(g, "redirect_prefix")) {
        bool url = given(g, "redirect_url");
        json_object_set_new(g, "action", json_string(url ? "REDIRECT_TO_URL" : "REDIRECT_PREFIX"));
        set_null(g, "redirect_pool_id", url ? "redirect_prefix" : "redirect_url", NULL);
        if (!given(g, "redirect_http_code"))
            json_object_set_new(g, "redirect_http_code", json_integer(302));
    }
    return 0;
}

/* An update: the action decides which stored targets go (Octavia's repository). */
static void clear_for_action(json_t *obj)
{
    if (action_is(obj, "REJECT"))
        set_null(obj, "redirect_url", "redirect_pool_id", "redirect_prefix"),
            set_null(obj, "redirect_http_code", NULL, NULL);
    else if (action_is(obj, "REDIRECT_TO_URL"))
        set_null(obj, "redirect_pool_id", "redirect_prefix", NULL);
    else if (action_is(obj, "REDIRECT_TO_POOL"))
        set_null(obj, "redirect_url", "redirect_prefix", "redirect_http_code");
    else if (action_is(obj, "REDIRECT_PREFIX"))
        set_null(obj, "redirect_url", "redirect_pool_id", NULL);
}

/* The listener of a policy, its protocol (request arena), and the locks. */
static int lock_listener(struct ctx *c, const char *id, struct bl_store_row *l, const char **proto)
{
    json_t *b;
    int rc;

    if (load(c, &bl_res_listener, id, l) < 0)
        return -ENOENT;
    b = row_body(l);
    *proto = bl_arena_strdup(c->arena, json_string_value(json_object_get(b, "protocol")));
    json_decref(b);
    if (strcmp(*proto, "PROMETHEUS") == 0)
        return fault(c, 400, "Protocol PROMETHEUS listeners cannot have child objects.");
    if ((rc = lock_lb(c, l->lb_id)) < 0 || (rc = lock(c, l->id)) < 0)
        return rc;
    return 0;
}

/* ballast runs L7 only on HTTP listeners; the no-op provider stores anything. */
static int check_provider(struct ctx *c, const char *lb, const char *proto)
{
    if (bl_api_lb_is_noop(c, lb) || strcmp(proto, "HTTP") == 0 ||
        strcmp(proto, "TERMINATED_HTTPS") == 0)
        return 0;
    return fault(c, 501,
                 "Provider 'ballast' does not support a requested option: %s protocol "
                 "listeners do not support L7 policies",
                 proto);
}

static int policy_create(struct ctx *c, json_t *obj, struct bl_store_row *row)
{
    const char *listener =
        bl_arena_strdup(c->arena, json_string_value(json_object_get(obj, "listener_id")));
    json_t *rules = json_object_get(obj, "rules");
    struct bl_store_row l;
    const char *proto;
    json_int_t pos;
    int rc;

    json_decref(c->l7rules);
    c->l7rules = json_is_array(rules) ? json_incref(rules) : NULL;
    json_object_del(obj, "rules");
    json_object_del(obj, "listener_id");
    json_object_del(obj, "project_id");
    json_object_del(obj, "tenant_id");
    if ((rc = sanitize(c, obj)) < 0 || (rc = lock_listener(c, listener, &l, &proto)) < 0 ||
        (rc = bl_api_check_pool_ref(c, json_string_value(json_object_get(obj, "redirect_pool_id")),
                                    l.lb_id, proto)) < 0)
        return rc;
    if (json_array_size(c->l7rules) > MAX_RULES)
        return fault(c, 409, "Too many rules on L7 policy %s", row->id);
    row->lb_id = l.lb_id;
    row->parent_id = l.id;
    if ((rc = check_provider(c, l.lb_id, proto)) < 0 ||
        (rc = renumber(c, l.id, row->id, true, json_integer_value(json_object_get(obj, "position")),
                       &pos)) < 0)
        return rc;
    json_object_set_new(obj, "position", json_integer(pos));
    return 0;
}

/* The policy's embedded rules, now that it is stored (same transaction). */
static int policy_created(struct ctx *c, const struct bl_store_row *row)
{
    json_t *rules = c->l7rules, *saved = c->graph, *r;
    size_t i;
    int rc = 0;

    c->l7rules = NULL;
    if (saved == NULL)
        c->graph = json_object(); /* the policy is PENDING_CREATE: no lock checks */
    json_array_foreach(rules, i, r)
    {
        char id[37];
        bl_uuid_new(id);
        if (rc == 0)
            rc = json_is_object(r) ? bl_api_create_row(c, &bl_res_l7rule, r, row->id, id)
                                   : fault(c, 400,
                                           "Invalid input for field/attribute rules. "
                                           "Value should be a list of objects");
    }
    if (saved == NULL) {
        json_decref(c->graph);
        c->graph = NULL;
    }
    json_decref(rules);
    return rc;
}

/* The fields a PUT gave, with the values bl_fields_apply checked into `obj`. */
static json_t *given_fields(struct ctx *c, json_t *obj)
{
    json_t *doc = json_loadb(c->req->body, c->req->body_len, 0, NULL), *g = json_object(), *v;
    const char *key;

    json_object_foreach(json_object_get(doc, "l7policy"), key, v)
    {
        if (json_object_get(obj, key))
            json_object_set(g, key, json_object_get(obj, key));
    }
    json_decref(doc);
    return g;
}

static int policy_update(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    json_t *g = given_fields(c, obj), *v;
    struct bl_store_row l;
    const char *proto, *key;
    json_int_t pos;
    int rc = sanitize(c, g);

    if (rc == 0)
        rc = lock_listener(c, row->parent_id, &l, &proto);
    if (rc == 0 && given(g, "redirect_pool_id"))
        rc = bl_api_check_pool_ref(c, json_string_value(json_object_get(g, "redirect_pool_id")),
                                   l.lb_id, proto);
    json_object_foreach(g, key, v) json_object_set(obj, key, v);
    if (rc == 0 && json_object_get(g, "action"))
        clear_for_action(obj);
    if (rc == 0 && given(g, "position")) {
        rc = renumber(c, l.id, row->id, true, json_integer_value(json_object_get(g, "position")),
                      &pos);
        json_object_set_new(obj, "position", json_integer(pos));
    } else if (rc == 0) { /* "position": null keeps it */
        json_t *old = row_body(row);
        json_object_set(obj, "position", json_object_get(old, "position"));
        json_decref(old);
    }
    json_decref(g);
    return rc;
}

static int policy_remove(struct ctx *c, const struct bl_store_row *row)
{
    struct bl_store_row l;
    const char *proto;
    int rc = lock_listener(c, row->parent_id, &l, &proto);

    return rc ? rc : renumber(c, l.id, row->id, false, 0, NULL);
}

static void policy_decorate(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    json_object_set_new(obj, "listener_id", json_string(row->parent_id));
    json_object_set_new(obj, "rules", id_list(c, "l7rule", NULL, row->id));
}

static const struct resource_ops policy_ops = {.create = policy_create,
                                               .update = policy_update,
                                               .remove = policy_remove,
                                               .decorate = policy_decorate,
                                               .created = policy_created};

const struct resource bl_res_l7policy = {"l7policy",  "l7policy",  "l7policies",
                                         "L7 Policy", "l7policy_", bl_spec_l7policy,
                                         &policy_ops, NULL,        NULL};

struct in_use {
    const char *pool;
    const char *policy; /* the first live policy redirecting to it */
};

static int in_use_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct in_use *u = arg;
    json_t *b = row_body(row);
    const char *pid = json_string_value(json_object_get(b, "redirect_pool_id"));

    (void)c;
    if (u->policy == NULL && pid && strcmp(pid, u->pool) == 0 &&
        strcmp(row->provisioning_status, "PENDING_DELETE") != 0)
        u->policy = row->id;
    json_decref(b);
    return 0;
}

int bl_api_l7_pool_in_use(struct ctx *c, const char *lb_id, const char *pool_id)
{
    struct in_use u = {pool_id, NULL};

    each_row(c, "l7policy", lb_id, NULL, in_use_cb, &u);
    if (u.policy)
        return fault(c, 409, "Pool %s is in use by L7 policy %s", pool_id, u.policy);
    return 0;
}

struct redirects {
    const char *pool;
    bool by_listener; /* collect pools (else listeners) */
    json_t *found;    /* [position, id] in position order */
};

static bool has_id(json_t *ids, const char *id)
{
    size_t i;
    json_t *e;

    json_array_foreach(ids, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "id")), id) == 0)
            return true;
    }
    return false;
}

/* A policy routes to its pool as Octavia's Listener.pools says: it is enabled,
 * redirects to a pool and has at least one rule. */
static int redirects_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct redirects *r = arg;
    json_t *b = row_body(row), *up = json_object_get(b, "admin_state_up"), *rules = NULL;
    const char *pid = json_string_value(json_object_get(b, "redirect_pool_id"));
    json_int_t pos = json_integer_value(json_object_get(b, "position"));
    size_t at = 0;

    if (pid && (up == NULL || json_is_true(up)) && (!r->pool || strcmp(pid, r->pool) == 0))
        rules = id_list(c, "l7rule", row->lb_id, row->id);
    if (json_array_size(rules) > 0) {
        while (at < json_array_size(r->found) &&
               json_integer_value(json_array_get(json_array_get(r->found, at), 0)) <= pos)
            at++;
        json_array_insert_new(r->found, at,
                              json_pack("[I, s]", pos, r->by_listener ? pid : row->parent_id));
    }
    json_decref(rules);
    json_decref(b);
    return 0;
}

void bl_api_l7_redirects(struct ctx *c, const char *lb_id, const char *listener_id,
                         const char *pool_id, json_t *ids)
{
    struct redirects r = {pool_id, listener_id != NULL, json_array()};
    size_t i;
    json_t *e;

    each_row(c, "l7policy", lb_id, listener_id, redirects_cb, &r);
    json_array_foreach(r.found, i, e)
    {
        const char *id = json_string_value(json_array_get(e, 1));
        if (!has_id(ids, id))
            json_array_append_new(ids, json_pack("{s:s}", "id", id));
    }
    json_decref(r.found);
}

/* ---- rules --------------------------------------------------------------------------------------
 */

static int rule_fault(struct ctx *c, const char *why)
{
    return fault(c, 400, "Error parsing L7Rule: %s", why);
}

static int check_regex(struct ctx *c, const char *value, bool caseless)
{
    char why[200], msg[260];
    pcre2_code *re;

    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return rule_fault(c, "Unable to parse regular expression: contains control "
                                 "characters");
    }
    re = bl_regex_compile(value, caseless, why, sizeof(why));
    if (re == NULL) {
        snprintf(msg, sizeof(msg), "Unable to parse regular expression: %s", why);
        return rule_fault(c, msg);
    }
    pcre2_code_free(re);
    return 0;
}

/* HOST_NAME, PATH, FILE_TYPE, HEADER, COOKIE: Octavia's l7rule_data. */
static int check_content(struct ctx *c, const char *type, const char *cmp, const char *key,
                         const char *value)
{
    bool header = strcmp(type, "HEADER") == 0, cookie = strcmp(type, "COOKIE") == 0;
    bool regex = strcmp(cmp, "REGEX") == 0;

    if ((header || cookie) && key == NULL)
        return rule_fault(c, "Invalid L7 Rule: L7 rule type requires a key");
    if ((header || cookie) && !bl_l7_is_token(key))
        return rule_fault(c, "Invalid characters in key");
    if (strcmp(type, "FILE_TYPE") == 0 && !regex && strcmp(cmp, "EQUAL_TO") != 0)
        return rule_fault(c, "Invalid L7 Rule: invalid comparison type for rule type");
    if (regex)
        return check_regex(c, value, strcmp(type, "HOST_NAME") == 0);
    if (cookie && !bl_l7_is_cookie_value(value))
        return rule_fault(c, "Invalid characters in cookie value");
    if (!cookie && !bl_l7_is_header_value(value))
        return rule_fault(c, header ? "Invalid characters in header value"
                                    : "Invalid characters in comparison value");
    return 0;
}

static int check_ssl(struct ctx *c, const char *type, const char *cmp, const char *key,
                     const char *value)
{
    char msg[200] = "";

    if (strcmp(type, "SSL_DN_FIELD") == 0) {
        if (strcmp(cmp, "REGEX") == 0 && check_regex(c, value, false) < 0)
            return -EINVAL;
        if (key == NULL)
            snprintf(msg, sizeof(msg), "L7rule type %s needs to specify a key and a value.", type);
        else if (!bl_l7_is_dn_key(key))
            snprintf(msg, sizeof(msg), "Invalid L7rule distinguished name field.");
    } else if (key != NULL && key[0]) {
        snprintf(msg, sizeof(msg), "L7rule type %s does not use the \"key\" field.", type);
    } else if (strcmp(type, "SSL_CONN_HAS_CERT") == 0 && strcasecmp(value, "true") != 0) {
        snprintf(msg, sizeof(msg), "L7rule value %s is not a boolean True string.", value);
    } else if (strcmp(type, "SSL_VERIFY_RESULT") == 0 &&
               (value[0] < '0' || value[0] > '9' || strspn(value, "0123456789") != strlen(value))) {
        snprintf(msg, sizeof(msg), "L7rule type %s needs a int value, which is >= 0", type);
    } else if (strcmp(cmp, "EQUAL_TO") != 0) {
        snprintf(msg, sizeof(msg), "L7rule type %s only supports the EQUAL_TO compare type.", type);
    }
    if (msg[0]) {
        char full[260];
        snprintf(full, sizeof(full), "Invalid L7 Rule: %s", msg);
        return rule_fault(c, full);
    }
    return 0;
}

static int check_rule(struct ctx *c, json_t *obj)
{
    const char *type = json_string_value(json_object_get(obj, "type"));
    const char *cmp = json_string_value(json_object_get(obj, "compare_type"));
    const char *key = json_string_value(json_object_get(obj, "key"));
    const char *value = json_string_value(json_object_get(obj, "value"));
    const char *names[] = {"key", "value"};

    for (int i = 0; i < 2; i++) {
        const char *v = i ? value : key;
        if (v && strpbrk(v, "\r\n"))
            return fault(c, 400,
                         "Invalid input for field/attribute %s. Value: '%s'. Value should "
                         "match the pattern ^[^\\r\\n]*$",
                         names[i], v);
    }
    if (value == NULL || value[0] == '\0')
        return rule_fault(c, "Invalid L7 Rule: L7 rule type requires a value");
    if (strncmp(type, "SSL_", 4) == 0)
        return check_ssl(c, type, cmp, key, value);
    return check_content(c, type, cmp, key, value);
}

/* A rule change: the policy must be ACTIVE; LB, listener and policy get locked. */
static int lock_policy(struct ctx *c, const char *policy_id, const char **lb)
{
    struct bl_store_row p;
    int rc;

    if (load(c, &bl_res_l7policy, policy_id, &p) < 0)
        return -ENOENT;
    *lb = p.lb_id;
    if (!c->graph && strcmp(p.provisioning_status, "ACTIVE") != 0)
        return fault(c, 409, "L7Policy %s is immutable and cannot be updated.", policy_id);
    if ((rc = lock_lb(c, p.lb_id)) < 0 || (rc = lock(c, p.parent_id)) < 0)
        return rc;
    return lock(c, policy_id);
}

static int count_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    (void)c;
    (void)row;
    (*(size_t *)arg)++;
    return 0;
}

static int rule_create(struct ctx *c, json_t *obj, struct bl_store_row *row)
{
    const char *lb = NULL;
    size_t n = 0;
    int rc;

    json_object_del(obj, "project_id");
    json_object_del(obj, "tenant_id");
    if ((rc = check_rule(c, obj)) < 0)
        return rc;
    each_row(c, "l7rule", NULL, row->parent_id, count_cb, &n);
    if (n >= MAX_RULES)
        return fault(c, 409, "Too many rules on L7 policy %s", row->parent_id);
    rc = lock_policy(c, row->parent_id, &lb);
    row->lb_id = lb;
    return rc;
}

static int rule_update(struct ctx *c, json_t *obj, const struct bl_store_row *row)
{
    const char *type = json_string_value(json_object_get(obj, "type")), *lb;
    int rc = check_rule(c, obj);

    /* Octavia's repository drops the key of the types that do not use one. */
    if (strcmp(type, "HOST_NAME") == 0 || strcmp(type, "PATH") == 0 ||
        strcmp(type, "FILE_TYPE") == 0)
        json_object_set_new(obj, "key", json_null());
    return rc ? rc : lock_policy(c, row->parent_id, &lb);
}

static int rule_remove(struct ctx *c, const struct bl_store_row *row)
{
    const char *lb;
    return lock_policy(c, row->parent_id, &lb);
}

static const struct resource_ops rule_ops = {
    .create = rule_create, .update = rule_update, .remove = rule_remove};

const struct resource bl_res_l7rule = {"l7rule",       "rule",    "rules", "L7 Rule", "rule_",
                                       bl_spec_l7rule, &rule_ops, NULL,    NULL};

/* ---- graph create -------------------------------------------------------------------------------
 */

int bl_api_l7_graph(struct ctx *c, json_t *policies, const char *listener_id,
                    int (*pool_ref)(struct ctx *c, json_t *spec, void *arg, char id[37]), void *arg)
{
    json_t *spec;
    size_t i;
    int rc = 0;

    json_array_foreach(policies, i, spec)
    {
        json_t *p, *rp;
        char id[37], pool[37];
        if (!json_is_object(spec))
            return fault(c, 400,
                         "Invalid input for field/attribute l7policies. Value should be a "
                         "list of objects");
        p = json_deep_copy(spec);
        rp = json_object_get(p, "redirect_pool");
        if (json_is_object(rp) && (rc = pool_ref(c, rp, arg, pool)) == 0)
            json_object_set_new(p, "redirect_pool_id", json_string(pool));
        json_object_del(p, "redirect_pool");
        json_object_set_new(p, "listener_id", json_string(listener_id));
        bl_uuid_new(id);
        if (rc == 0)
            rc = bl_api_create_row(c, &bl_res_l7policy, p, NULL, id);
        json_decref(p);
        if (rc != 0)
            return rc;
    }
    return 0;
}
