/* SPDX-License-Identifier: Apache-2.0 */
#include "api/auth.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "core/hash.h"
#include "core/random.h"
#include "core/xalloc.h"

#define TOKEN_TTL_S (12 * 3600)
#define MAX_TOKENS 4096 /* oldest tokens are forgotten first */

struct token {
    char id[65];
    size_t user;
    time_t expires;
};

struct bl_auth {
    struct bl_user *users;
    size_t nusers;
    struct token *tokens; /* ring of MAX_TOKENS */
    size_t next;
};

void bl_auth_id(const char *kind, const char *name, char out[33])
{
    char buf[160];

    snprintf(buf, sizeof(buf), "%s:%s", kind, name);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)bl_hash_str(buf),
             (unsigned long long)bl_hash_mix64(bl_hash_str(buf) ^ 0x2545F4914F6CDD1DULL));
}

static int load_user(const char *name, json_t *u, struct bl_user *out, struct bl_err *err)
{
    json_t *roles = json_object_get(u, "roles"), *r;
    const char *pw = json_string_value(json_object_get(u, "password"));
    const char *project = json_string_value(json_object_get(u, "project"));
    size_t i;

    memset(out, 0, sizeof(*out));
    if (!pw || !project || strlen(name) >= sizeof(out->name) ||
        strlen(pw) >= sizeof(out->password) || strlen(project) >= sizeof(out->project))
        return bl_err_set(err, -EINVAL, "users.%s: needs \"password\" and \"project\" strings",
                          name);
    snprintf(out->name, sizeof(out->name), "%s", name);
    snprintf(out->password, sizeof(out->password), "%s", pw);
    snprintf(out->project, sizeof(out->project), "%s", project);
    bl_auth_id("user", name, out->id);
    bl_auth_id("project", project, out->project_id);
    json_array_foreach(roles, i, r) {
        if (!json_is_string(r) || i >= BL_AUTH_MAX_ROLES || json_string_length(r) >= 48)
            return bl_err_set(err, -EINVAL, "users.%s.roles[%zu]: must be a short string", name,
                              i);
        snprintf(out->roles[out->nroles++], 48, "%s", json_string_value(r));
    }
    return 0;
}

int bl_auth_parse(const char *text, size_t len, const char *fname, struct bl_auth **out,
                  struct bl_err *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *users, *u;
    struct bl_auth *a;
    const char *name;
    int rc = 0;

    if (doc == NULL)
        return bl_err_set(err, -EINVAL, "%s: line %d: %s", fname, jerr.line, jerr.text);
    users = json_object_get(doc, "users");
    if (!json_is_object(users)) {
        json_decref(doc);
        return bl_err_set(err, -EINVAL, "%s: expected {\"users\": {...}}", fname);
    }
    a = bl_xcalloc(1, sizeof(*a));
    a->users = bl_xcalloc(json_object_size(users) + 1, sizeof(*a->users));
    a->tokens = bl_xcalloc(MAX_TOKENS, sizeof(*a->tokens));
    json_object_foreach(users, name, u) {
        if (rc == 0)
            rc = load_user(name, u, &a->users[a->nusers++], err);
    }
    json_decref(doc);
    if (rc < 0) {
        bl_auth_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int bl_auth_load(const char *path, struct bl_auth **out, struct bl_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = bl_read_file(path, &text, &len, err);

    if (rc == 0)
        rc = bl_auth_parse(text, len, path, out, err);
    free(text);
    return rc;
}

void bl_auth_free(struct bl_auth *a)
{
    if (a == NULL)
        return;
    free(a->users);
    free(a->tokens);
    free(a);
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char b[32];

    bl_random_bytes(b, nbytes);
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

const struct bl_user *bl_auth_login(struct bl_auth *a, const char *user, const char *password,
                                    const char *project, char token[65])
{
    for (size_t i = 0; i < a->nusers; i++) {
        const struct bl_user *u = &a->users[i];
        struct token *t;
        if (strcmp(u->name, user) != 0 || strcmp(u->password, password) != 0)
            continue;
        if (project && strcmp(u->project, project) != 0 && strcmp(u->project_id, project) != 0)
            return NULL;
        t = &a->tokens[a->next++ % MAX_TOKENS];
        random_hex(t->id, 32);
        t->user = i;
        t->expires = time(NULL) + TOKEN_TTL_S;
        memcpy(token, t->id, 65);
        return u;
    }
    return NULL;
}

const struct bl_user *bl_auth_user(struct bl_auth *a, const char *token)
{
    time_t now = time(NULL);

    for (size_t i = 0; token && i < MAX_TOKENS; i++) {
        const struct token *t = &a->tokens[i];
        if (t->id[0] && strcmp(t->id, token) == 0 && t->expires > now)
            return &a->users[t->user];
    }
    return NULL;
}

const char *bl_auth_role_name(const struct bl_auth *a, const char *id)
{
    char rid[33];

    for (size_t i = 0; i < a->nusers; i++) {
        for (int k = 0; k < a->users[i].nroles; k++) {
            bl_auth_id("role", a->users[i].roles[k], rid);
            if (strcmp(rid, id) == 0)
                return a->users[i].roles[k];
        }
    }
    return NULL;
}

static bool has(const struct bl_user *u, const char *role)
{
    for (int i = 0; i < u->nroles; i++) {
        if (strcmp(u->roles[i], role) == 0)
            return true;
    }
    return false;
}

struct bl_grant bl_auth_grant(const struct bl_user *u)
{
    struct bl_grant g = {u->project_id, false, false, false};

    if (has(u, "admin") || has(u, "load-balancer_admin")) {
        g.read_all = g.write_all = g.write_own = true;
        return g;
    }
    g.read_all = has(u, "load-balancer_global_observer");
    g.write_own = has(u, "load-balancer_member") || has(u, "member");
    return g;
}
