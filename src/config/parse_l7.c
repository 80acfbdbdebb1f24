/* SPDX-License-Identifier: Apache-2.0 */
/*
 * L7 policies and rules in the declarative file (a listener's "l7policies"),
 * validated with Octavia's rules (octavia/common/validate.py: l7rule_data,
 * sanitize_l7policy_api_args) so that the API and the file refuse the same
 * things: the field an action needs must be there and the others absent, a
 * REGEX must compile (PCRE2, as the data plane will run it), HEADER/COOKIE
 * need a token key, the SSL_* types take EQUAL_TO only, at most 50 rules.
 * Policies end up sorted by position and renumbered 1..n, as Octavia keeps
 * them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/l7syntax.h"
#include "config/parse_int.h"
#include "config/regex.h"
#include "core/arena.h"

#define MAX_RULES 50              /* Octavia's MAX_L7RULES_PER_L7POLICY */
#define MAX_POSITION 2147483647LL /* Octavia's MAX_POLICY_POSITION */

static const char *const policy_keys[] = {"id",
                                          "name",
                                          "description",
                                          "action",
                                          "position",
                                          "redirect_pool_id",
                                          "redirect_pool",
                                          "redirect_url",
                                          "redirect_prefix",
                                          "redirect_http_code",
                                          "admin_state_up",
                                          "rules",
                                          "listener_id",
                                          BL_PJ_META_KEYS,
                                          NULL};

static const char *const rule_keys[] = {"id",     "type",           "compare_type",  "key", "value",
                                        "invert", "admin_state_up", BL_PJ_META_KEYS, NULL};

bool bl_l7_is_token(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s)))
            return false;
    }
    return true;
}

/* Visible ASCII, no spaces (Octavia's header value / cookie value classes,
 * which differ only in a few punctuation marks: `extra_bad` lists those). */
static bool is_plain_value(const char *s, const char *extra_bad)
{
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || strchr(extra_bad, *s))
            return false;
    }
    return true;
}

bool bl_l7_is_header_value(const char *s)
{
    size_t n = strlen(s);

    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        for (size_t i = 1; i + 1 < n; i++) {
            unsigned char ch = (unsigned char)s[i];
            if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
                return false;
        }
        return true;
    }
    return is_plain_value(s, "");
}

bool bl_l7_is_cookie_value(const char *s)
{
    return is_plain_value(s, "\";\\");
}

bool bl_l7_is_dn_key(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return false;
    for (s++; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-'))
            return false;
    }
    return true;
}

static int check_regex(struct bl_pj *c, const struct bl_pj_path *p, const struct bl_cfg_l7rule *r)
{
    char why[200];
    pcre2_code *re = bl_regex_compile(r->value, r->type == BL_L7R_HOST_NAME, why, sizeof(why));

    if (re == NULL)
        return bl_pj_fail(c, p, "value", "'%s' is not a valid regular expression: %s", r->value,
                          why);
    pcre2_code_free(re);
    return 0;
}

/* Key and value of the request-content types (HOST_NAME .. COOKIE). */
static int check_content_rule(struct bl_pj *c, const struct bl_pj_path *p,
                              struct bl_cfg_l7rule *r)
{
    bool keyed = r->type == BL_L7R_HEADER || r->type == BL_L7R_COOKIE;

    if (keyed && (r->key == NULL || !bl_l7_is_token(r->key)))
        return bl_pj_fail(c, p, "key", "%s rules need a key that is an HTTP token (a %s name)",
                          bl_l7rule_type_names[r->type],
                          r->type == BL_L7R_HEADER ? "header" : "cookie");
    if (!keyed)
        r->key = NULL; /* Octavia accepts it and ignores it */
    if (r->type == BL_L7R_FILE_TYPE && r->compare != BL_L7C_EQUAL_TO && r->compare != BL_L7C_REGEX)
        return bl_pj_fail(c, p, "compare_type", "FILE_TYPE rules take EQUAL_TO or REGEX");
    if (r->compare == BL_L7C_REGEX)
        return check_regex(c, p, r);
    if (r->type == BL_L7R_COOKIE ? !bl_l7_is_cookie_value(r->value)
                                 : !bl_l7_is_header_value(r->value))
        return bl_pj_fail(c, p, "value", "'%s' holds characters not allowed in a %s value",
                          r->value, r->type == BL_L7R_COOKIE ? "cookie" : "header");
    return 0;
}

static int check_ssl_rule(struct bl_pj *c, const struct bl_pj_path *p, struct bl_cfg_l7rule *r)
{
    const char *name = bl_l7rule_type_names[r->type];

    if (r->type == BL_L7R_SSL_DN_FIELD) {
        if (r->key == NULL || !bl_l7_is_dn_key(r->key))
            return bl_pj_fail(c, p, "key",
                              "SSL_DN_FIELD rules need a distinguished name field "
                              "such as CN, O, OU or emailAddress");
        return r->compare == BL_L7C_REGEX ? check_regex(c, p, r) : 0;
    }
    if (r->key != NULL)
        return bl_pj_fail(c, p, "key", "is not used by %s rules", name);
    if (r->compare != BL_L7C_EQUAL_TO)
        return bl_pj_fail(c, p, "compare_type", "%s rules take EQUAL_TO only", name);
    if (r->type == BL_L7R_SSL_CONN_HAS_CERT && strcasecmp(r->value, "true") != 0)
        return bl_pj_fail(c, p, "value", "SSL_CONN_HAS_CERT rules take the value \"true\"");
    if (r->type == BL_L7R_SSL_VERIFY_RESULT) {
        char *end;
        r->verify = strtol(r->value, &end, 10);
        if (r->value[0] < '0' || r->value[0] > '9' || *end != '\0' || r->verify < 0)
            return bl_pj_fail(c, p, "value",
                              "SSL_VERIFY_RESULT rules take a number >= 0 "
                              "(an X509 verification result, 0 = OK)");
    }
    return 0;
}

static int parse_rule(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
                      struct bl_cfg_l7rule *r)
{
    int type, cmp;

    if (!json_is_object(o))
        return bl_pj_fail(c, p, NULL, "must be an object");
    if (bl_pj_keys(c, p, o, rule_keys) || bl_pj_str(c, p, o, "id", &r->id, "") ||
        bl_pj_enum(c, p, o, "type", bl_l7rule_type_names, &type) ||
        bl_pj_enum(c, p, o, "compare_type", bl_l7rule_compare_names, &cmp) ||
        bl_pj_str(c, p, o, "key", &r->key, NULL) || bl_pj_str(c, p, o, "value", &r->value, NULL) ||
        bl_pj_bool(c, p, o, "invert", &r->invert, false) ||
        bl_pj_bool(c, p, o, "admin_state_up", &r->admin_up, true))
        return -EINVAL;
    r->type = (enum bl_l7rule_type)type;
    r->compare = (enum bl_l7rule_compare)cmp;
    if (r->value == NULL || r->value[0] == '\0')
        return bl_pj_fail(c, p, "value", "is required");
    if (strpbrk(r->value, "\r\n") != NULL)
        return bl_pj_fail(c, p, "value", "must not hold CR or LF");
    if (r->type >= BL_L7R_SSL_CONN_HAS_CERT)
        return check_ssl_rule(c, p, r);
    return check_content_rule(c, p, r);
}

bool bl_l7_is_url(const char *s)
{
    const char *host;

    if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else
        return false;
    if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
        return false;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= 0x20 || ch >= 0x7f)
            return false;
    }
    return true;
}

/* redirect_pool_id, or redirect_pool as a listener's default_pool; only a
 * pool of this load balancer. */
static int parse_redirect_pool(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
                               struct bl_cfg_lb *lb, struct bl_cfg_l7policy *pol)
{
    if (bl_pj_set(o, "redirect_pool_id") && bl_pj_set(o, "redirect_pool"))
        return bl_pj_fail(c, p, "redirect_pool",
                          "give redirect_pool_id or redirect_pool, not both");
    if (bl_pj_pool_ref(c, p, o, "redirect_pool_id", "redirect_pool", lb, &pol->redirect_pool))
        return -EINVAL;
    if (pol->redirect_pool < 0)
        return bl_pj_fail(c, p, "redirect_pool_id", "is required for REDIRECT_TO_POOL");
    return 0;
}

/* The one target the action uses must be given; the others must not be. */
static int parse_target(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
                        struct bl_cfg_lb *lb, struct bl_cfg_l7policy *pol)
{
    static const char *const targets[] = {NULL, "redirect_url", "redirect_pool_id",
                                          "redirect_prefix"};
    const char *name = bl_l7policy_action_names[pol->action];
    const char *url = NULL;
    int64_t code;

    for (int a = 1; a < 4; a++) {
        if (a != (int)pol->action && bl_pj_set(o, targets[a]))
            return bl_pj_fail(c, p, targets[a], "is not used by action %s", name);
    }
    if (pol->action != BL_L7P_REDIRECT_TO_POOL && bl_pj_set(o, "redirect_pool"))
        return bl_pj_fail(c, p, "redirect_pool", "is not used by action %s", name);
    if (pol->action == BL_L7P_REDIRECT_TO_POOL)
        return parse_redirect_pool(c, p, o, lb, pol);
    if (pol->action == BL_L7P_REJECT)
        return 0;
    if (bl_pj_str(c, p, o, targets[pol->action], &url, NULL) ||
        bl_pj_int(c, p, o, "redirect_http_code", &code, 302, 301, 308))
        return -EINVAL;
    if (url == NULL)
        return bl_pj_fail(c, p, targets[pol->action], "is required for %s", name);
    if (!bl_l7_is_url(url))
        return bl_pj_fail(c, p, targets[pol->action], "'%s' is not an http or https URL", url);
    if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308)
        return bl_pj_fail(c, p, "redirect_http_code", "must be one of 301, 302, 303, 307, 308");
    pol->redirect_http_code = (uint16_t)code;
    if (pol->action == BL_L7P_REDIRECT_TO_URL)
        pol->redirect_url = url;
    else
        pol->redirect_prefix = url;
    return 0;
}

static int parse_rules(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr,
                       struct bl_cfg_l7policy *pol)
{
    struct bl_pj_path rp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, "rules", "must be a list");
    if (json_array_size(arr) > MAX_RULES)
        return bl_pj_fail(c, p, "rules", "at most %d rules per policy", MAX_RULES);
    pol->nrules = (uint32_t)json_array_size(arr);
    pol->rules = bl_arena_alloc(c->arena, (pol->nrules ? pol->nrules : 1) * sizeof(*pol->rules));
    json_array_foreach(arr, i, v)
    {
        bl_pj_index(&rp, p, "rules", i);
        if (parse_rule(c, &rp, v, &pol->rules[i]))
            return -EINVAL;
    }
    return 0;
}

static int parse_policy(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
                        struct bl_cfg_lb *lb, const struct bl_cfg_listener *l,
                        struct bl_cfg_l7policy *pol)
{
    int64_t pos;
    int action;

    if (!json_is_object(o))
        return bl_pj_fail(c, p, NULL, "must be an object");
    pol->redirect_pool = -1;
    if (bl_pj_keys(c, p, o, policy_keys) || bl_pj_str(c, p, o, "id", &pol->id, "") ||
        bl_pj_str(c, p, o, "name", &pol->name, "") ||
        bl_pj_enum(c, p, o, "action", bl_l7policy_action_names, &action) ||
        bl_pj_int(c, p, o, "position", &pos, MAX_POSITION, 1, MAX_POSITION) ||
        bl_pj_bool(c, p, o, "admin_state_up", &pol->admin_up, true))
        return -EINVAL;
    pol->action = (enum bl_l7policy_action)action;
    pol->position = (uint32_t)pos;
    if (parse_target(c, p, o, lb, pol) || parse_rules(c, p, json_object_get(o, "rules"), pol))
        return -EINVAL;
    if (pol->redirect_pool >= 0 &&
        !bl_pj_protos_compatible(l->proto, lb->pools[pol->redirect_pool].proto))
        return bl_pj_fail(c, p, "redirect_pool",
                          "the pool protocol '%s' is invalid while the "
                          "listener protocol is '%s'",
                          bl_proto_name(lb->pools[pol->redirect_pool].proto),
                          bl_proto_name(l->proto));
    return 0;
}

/* Stable: equal positions keep the order of the file. */
static void sort_policies(struct bl_cfg_l7policy *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        struct bl_cfg_l7policy x = v[i];
        uint32_t k = i;
        for (; k > 0 && v[k - 1].position > x.position; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
    for (uint32_t i = 0; i < n; i++)
        v[i].position = i + 1;
}

int bl_pj_l7policies(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr, struct bl_cfg_lb *lb,
                     struct bl_cfg_listener *l)
{
    struct bl_pj_path pp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr) || (json_is_array(arr) && json_array_size(arr) == 0))
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, "l7policies", "must be a list");
    if (l->proto != BL_PROTO_HTTP && l->proto != BL_PROTO_TERMINATED_HTTPS)
        return bl_pj_fail(c, p, "l7policies",
                          "%s listeners do not support L7 policies (only "
                          "HTTP and TERMINATED_HTTPS do)",
                          bl_proto_name(l->proto));
    l->nl7policies = (uint32_t)json_array_size(arr);
    l->l7policies = bl_arena_alloc(c->arena, l->nl7policies * sizeof(*l->l7policies));
    json_array_foreach(arr, i, v)
    {
        bl_pj_index(&pp, p, "l7policies", i);
        if (parse_policy(c, &pp, v, lb, l, &l->l7policies[i]))
            return -EINVAL;
    }
    sort_policies(l->l7policies, l->nl7policies);
    return 0;
}
