/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authentication for the API: a minimal Keystone v3 (password auth →
 * project-scoped token with roles, token validation, role look-ups) backed by
 * a users file, enough for the openstack client and Octavia's tempest suite
 * to run against ballast alone. Tokens are random, kept in memory, and
 * expire after 12 hours; a restart invalidates them (clients re-authenticate).
 *
 * The users file (`ballastd --users FILE`):
 *   {"users": {"alice": {"password": "pw", "project": "demo",
 *                        "roles": ["load-balancer_member"]}, ...}}
 * A project's id is derived from its name (32 hex digits, as Keystone's look).
 *
 * Roles, as Octavia's default policy reads them: admin and
 * load-balancer_admin see and change everything; load-balancer_member and
 * member change their own project; load-balancer_observer and reader read
 * their own project; load-balancer_global_observer reads every project.
 */
#ifndef BL_API_AUTH_H
#define BL_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define BL_AUTH_MAX_ROLES 8

struct bl_user {
    char name[64];
    char id[33];
    char password[128];
    char project[64];
    char project_id[33];
    char roles[BL_AUTH_MAX_ROLES][48];
    int nroles;
};

/* What a request may do, from its token's roles. */
struct bl_grant {
    const char *project_id; /* the caller's project */
    bool read_all;          /* may see every project */
    bool write_own;         /* may change its own project */
    bool write_all;         /* may change every project */
};

struct bl_auth;

/* Loads the users file. Returns 0 or -errno with `err` naming the file and entry. */
int bl_auth_load(const char *path, struct bl_auth **out, struct bl_err *err);

/* The same from the file's text, text[0..len); `name` names it in messages. */
int bl_auth_parse(const char *text, size_t len, const char *name, struct bl_auth **out,
                  struct bl_err *err);

void bl_auth_free(struct bl_auth *a);

/* Checks a name/password; issues a token (65 bytes with NUL) for `project` (a name). */
const struct bl_user *bl_auth_login(struct bl_auth *a, const char *user, const char *password,
                                    const char *project, char token[65]);

/* The user a token belongs to, or NULL when unknown or expired. */
const struct bl_user *bl_auth_user(struct bl_auth *a, const char *token);

/* What `u` may do. */
struct bl_grant bl_auth_grant(const struct bl_user *u);

/* The name of the role whose id is `id`, among the users' roles; NULL if none. */
const char *bl_auth_role_name(const struct bl_auth *a, const char *id);

/* A stable 32-hex-digit id for a name (projects, users, roles). */
void bl_auth_id(const char *kind, const char *name, char out[33]);

#endif
