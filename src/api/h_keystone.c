/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Keystone v3 subset under /identity/v3 (api/auth.h): the version
 * document, password authentication to a project-scoped token (the token in
 * X-Subject-Token, the catalog pointing at this very server), token
 * validation, and the role look-ups tempest makes for its logs.
 */
#include "api/internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void iso(time_t t, char out[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

static json_t *roles_json(const struct bl_user *u)
{
    json_t *roles = json_array();
    char id[33];

    for (int i = 0; i < u->nroles; i++) {
        bl_auth_id("role", u->roles[i], id);
        json_array_append_new(roles, json_pack("{s:s, s:s}", "id", id, "name", u->roles[i]));
    }
    return roles;
}

static json_t *endpoint(const char *interface, const char *url)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", interface, "interface", interface,
                     "region", "RegionOne", "region_id", "RegionOne", "url", url);
}

static json_t *token_json(struct ctx *c, const struct bl_user *u)
{
    char now[32], exp[32], ident[320];
    const char *url = c->req->base_url;
    time_t t = time(NULL);
    json_t *eps = json_pack("[o, o, o]", endpoint("public", url), endpoint("internal", url),
                            endpoint("admin", url));
    json_t *neps = json_deep_copy(eps), *ieps;

    snprintf(ident, sizeof(ident), "%s/identity", url);
    ieps = json_pack("[o, o, o]", endpoint("public", ident), endpoint("internal", ident),
                     endpoint("admin", ident));
    iso(t, now);
    iso(t + 12 * 3600, exp);
    return json_pack(
        "{s:{s:s, s:s, s:[s], s:{s:s, s:s, s:{s:s, s:s}}, s:{s:s, s:s, s:{s:s, s:s}}, s:o, "
        "s:[{s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:o}]}}",
        "token", "expires_at", exp, "issued_at", now, "methods", "password", "user", "id", u->id,
        "name", u->name, "domain", "id", "default", "name", "Default", "project", "id",
        u->project_id, "name", u->project, "domain", "id", "default", "name", "Default", "roles",
        roles_json(u), "catalog", "type", "load-balancer", "name", "octavia", "id", "octavia",
        "endpoints", eps, "type", "network", "name", "neutron", "id", "neutron", "endpoints",
        neps, "type", "identity", "name", "keystone", "id", "keystone", "endpoints", ieps);
}

static void reply(struct ctx *c, int status, json_t *doc)
{
    c->resp->status = status;
    c->resp->body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
}

static void unauthorized(struct ctx *c)
{
    reply(c, 401, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 401, "title", "Unauthorized",
                            "message", "The request you have made requires authentication."));
}

/* POST /identity/v3/auth/tokens with the password method. */
static void issue(struct ctx *c)
{
    json_t *doc = json_loadb(c->req->body, c->req->body_len, 0, NULL);
    json_t *auth = json_object_get(doc, "auth"), *user;
    json_t *proj = json_object_get(json_object_get(auth, "scope"), "project");
    const char *name, *password, *project;
    const struct bl_user *u;
    char token[65];

    user = json_object_get(json_object_get(json_object_get(auth, "identity"), "password"), "user");
    name = json_string_value(json_object_get(user, "name"));
    password = json_string_value(json_object_get(user, "password"));
    project = json_string_value(json_object_get(proj, "name"));
    if (project == NULL)
        project = json_string_value(json_object_get(proj, "id"));
    u = name && password ? bl_auth_login(c->api->auth, name, password, project, token) : NULL;
    if (u == NULL) {
        unauthorized(c);
    } else {
        snprintf(c->resp->header, sizeof(c->resp->header), "X-Subject-Token: %s", token);
        reply(c, 201, token_json(c, u));
    }
    json_decref(doc);
}

bool bl_api_keystone(struct ctx *c, char **seg, int n)
{
    const struct bl_user *u;
    bool get = strcmp(c->req->method, "GET") == 0;

    if (n < 2 || strcmp(seg[0], "identity") != 0 || strcmp(seg[1], "v3") != 0)
        return false;
    if (n == 2 && get) {
        char href[300];
        snprintf(href, sizeof(href), "%s/identity/v3/", c->req->base_url);
        reply(c, 200, json_pack("{s:{s:s, s:s, s:s, s:[{s:s, s:s}]}}", "version", "id", "v3.14",
                                "status", "stable", "updated", "2020-04-07T00:00:00Z", "links",
                                "rel", "self", "href", href));
    } else if (n == 4 && strcmp(seg[2], "auth") == 0 && strcmp(seg[3], "tokens") == 0 &&
               strcmp(c->req->method, "POST") == 0) {
        issue(c);
    } else if ((u = bl_auth_user(c->api->auth, c->req->auth_token)) == NULL) {
        unauthorized(c);
    } else if (n == 4 && strcmp(seg[2], "auth") == 0 && strcmp(seg[3], "tokens") == 0 && get) {
        const struct bl_user *s = bl_auth_user(c->api->auth, c->req->subject_token);
        if (s == NULL) {
            reply(c, 404, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 404, "title",
                                    "Not Found", "message", "Could not find token."));
        } else {
            snprintf(c->resp->header, sizeof(c->resp->header), "X-Subject-Token: %s",
                     c->req->subject_token);
            reply(c, 200, token_json(c, s));
        }
    } else if (n == 3 && strcmp(seg[2], "role_assignments") == 0 && get) {
        json_t *list = json_array(), *roles = roles_json(u), *r;
        size_t i;
        json_array_foreach(roles, i, r)
            json_array_append_new(list, json_pack("{s:{s:O}, s:{s:s}, s:{s:{s:s}}}", "role", "id",
                                                  json_object_get(r, "id"), "user", "id", u->id,
                                                  "scope", "project", "id", u->project_id));
        json_decref(roles);
        reply(c, 200, json_pack("{s:o}", "role_assignments", list));
    } else if (n == 4 && strcmp(seg[2], "roles") == 0 && get) {
        const char *name = bl_auth_role_name(c->api->auth, seg[3]);
        if (name)
            reply(c, 200, json_pack("{s:{s:s, s:s}}", "role", "id", seg[3], "name", name));
        else
            reply(c, 404, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 404, "title",
                                    "Not Found", "message", "Could not find role."));
    } else {
        reply(c, 404, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 404, "title",
                                "Not Found", "message", "Not implemented by ballast."));
    }
    return true;
}
