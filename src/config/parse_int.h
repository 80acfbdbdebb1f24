/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What parse.c shares with the files that parse one part of the declarative
 * file (parse_tls.c): the parse context, JSON paths for error messages, and
 * the field readers. Each reader returns 0 or -EINVAL with the error set,
 * and treats null or absent as "use the default". Internal to config/.
 */
#ifndef BL_CONFIG_PARSE_INT_H
#define BL_CONFIG_PARSE_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "config/model.h"
#include "core/err.h"

/* The short names stay in the code; the linker sees prefixed ones. */
#define path_key bl_parse_path_key
#define path_index bl_parse_path_index
#define fail bl_parse_fail
#define check_keys bl_parse_check_keys
#define get_str bl_parse_get_str
#define get_bool bl_parse_get_bool
#define get_enum bl_parse_get_enum
#define json_set bl_parse_json_set
#define parse_listener_tls bl_parse_listener_tls
#define parse_pool_tls bl_parse_pool_tls

#define PATH_MAX_LEN 256

struct ctx {
    struct bl_arena *arena;
    struct bl_err *err;
};

/* A JSON path such as "loadbalancers[0].listeners[1]". */
struct path {
    char s[PATH_MAX_LEN];
};

void path_key(struct path *out, const struct path *base, const char *key);
void path_index(struct path *out, const struct path *base, const char *key, size_t i);

/* Sets the error "<path>.<key>: <message>" (key may be NULL); returns -EINVAL. */
int fail(struct ctx *c, const struct path *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Refuses keys of `obj` not in the NULL-terminated `known`. */
int check_keys(struct ctx *c, const struct path *p, json_t *obj, const char *const *known);

/* A string of at most 255 characters, copied to the arena. */
int get_str(struct ctx *c, const struct path *p, json_t *obj, const char *key, const char **out,
            const char *def);
int get_bool(struct ctx *c, const struct path *p, json_t *obj, const char *key, bool *out,
             bool def);

/* A mandatory string that must be one of `allowed`; its index goes to `out`. */
int get_enum(struct ctx *c, const struct path *p, json_t *obj, const char *key,
             const char *const *allowed, int *out);

/* True when `key` is present and not null. */
bool json_set(json_t *o, const char *key);

/* parse_tls.c: the TLS fields of a listener (after its protocol) and of a pool. */
int parse_listener_tls(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_listener *l);
int parse_pool_tls(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_pool *pool);

#endif
