/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the users file of the Keystone subset (api/auth.c):
 * any bytes must load or fail with a message. What loads must work as
 * ballastd uses it: each user, read back from the same JSON, logs in with
 * its password under its project's name and under its id, the token finds
 * that user again, a wrong password or project gets nothing, each of its
 * roles is found by its id, and the grant is coherent (writing everywhere
 * implies the rest).
 * `make fuzz` builds it with clang; `make unit` replays the corpus.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
    if (!cond)
        __builtin_trap();
}

static bool is_id(const char *s)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return n == 32;
}

static void check_user(struct bl_auth *a, const char *name, json_t *u)
{
    const char *pw = json_string_value(json_object_get(u, "password"));
    const char *project = json_string_value(json_object_get(u, "project"));
    const struct bl_user *got, *again;
    struct bl_grant g;
    char token[65], token2[65];

    got = bl_auth_login(a, name, pw, project, token);
    check(got != NULL && strcmp(got->name, name) == 0 && strcmp(got->project, project) == 0);
    check(is_id(got->id) && is_id(got->project_id) && strlen(token) == 64);
    check(bl_auth_user(a, token) == got);
    check(bl_auth_login(a, name, pw, got->project_id, token2) == got);
    check(strcmp(token, token2) != 0 && bl_auth_user(a, token2) == got);
    check(bl_auth_login(a, name, pw, NULL, token2) == got);
    check(bl_auth_login(a, name, "\x01wrong", project, token2) == NULL ||
          strcmp(pw, "\x01wrong") == 0);
    check(got->nroles >= 0 && got->nroles <= BL_AUTH_MAX_ROLES);
    for (int i = 0; i < got->nroles; i++) {
        char rid[33];
        bl_auth_id("role", got->roles[i], rid);
        check(bl_auth_role_name(a, rid) != NULL &&
              strcmp(bl_auth_role_name(a, rid), got->roles[i]) == 0);
    }
    g = bl_auth_grant(got);
    check(strcmp(g.project_id, got->project_id) == 0);
    check(!g.write_all || (g.write_own && g.read_all));
    again = bl_auth_user(a, token);
    check(again == got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bl_err err = {0};
    struct bl_auth *a = NULL;
    json_t *doc, *u;
    const char *name;

    if (bl_auth_parse((const char *)data, size, "fuzz", &a, &err) < 0) {
        check(err.msg[0] != '\0');
        return 0;
    }
    check(bl_auth_user(a, "") == NULL && bl_auth_user(a, NULL) == NULL);
    doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    check(doc != NULL);
    json_object_foreach(json_object_get(doc, "users"), name, u) {
        check_user(a, name, u);
    }
    json_decref(doc);
    bl_auth_free(a);
    return 0;
}
