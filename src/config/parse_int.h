/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the parser's files share (internal to config/): the parse context, JSON
 * paths for error messages, and the field readers. Each reader returns 0 or
 * -EINVAL after writing "<path>.<key>: <problem>" into the context's error;
 * a null or absent field means "use the default".
 *   parse.c          load balancers, listeners, pools, members; the entry points
 *   parse_util.c     the readers below
 *   parse_monitor.c  health monitors
 *   parse_l7.c       L7 policies and rules
 */
#ifndef BL_CONFIG_PARSE_INT_H
#define BL_CONFIG_PARSE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/model.h"
#include "core/err.h"

#define BL_PJ_PATH_MAX 256

/* What the API adds to every object it renders: accepted, ignored. */
#define BL_PJ_META_KEYS                                                                            \
    "tags", "project_id", "tenant_id", "provisioning_status", "operating_status", "created_at",    \
        "updated_at"

struct bl_pj {
    struct bl_arena *arena; /* the configuration's */
    struct bl_err *err;
};

/* A JSON path such as "loadbalancers[0].listeners[1]". */
struct bl_pj_path {
    char s[BL_PJ_PATH_MAX];
};

/* out = base.key / base.key[i] */
void bl_pj_key(struct bl_pj_path *out, const struct bl_pj_path *base, const char *key);
void bl_pj_index(struct bl_pj_path *out, const struct bl_pj_path *base, const char *key, size_t i);

/* Sets "<p>.<key>: <message>" (key may be NULL); returns -EINVAL. */
__attribute__((format(printf, 4, 5))) int bl_pj_fail(struct bl_pj *c, const struct bl_pj_path *p,
                                                     const char *key, const char *fmt, ...);

/* Refuses any key of `obj` not in the NULL-terminated `known`. */
int bl_pj_keys(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *const *known);
/* A string of at most 255 characters, copied into the arena. */
int bl_pj_str(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
              const char **out, const char *def);
int bl_pj_int(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
              int64_t *out, int64_t def, int64_t min, int64_t max);
int bl_pj_bool(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key, bool *out,
               bool def);
/* A mandatory string, one of `allowed` (NULL-terminated); its index goes to `out`. */
int bl_pj_enum(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
               const char *const *allowed, int *out);
int bl_pj_proto(struct bl_pj *c, const struct bl_pj_path *p, json_t *obj, const char *key,
                enum bl_proto *out);
/* True when `key` is present and not null. */
bool bl_pj_set(json_t *o, const char *key);

/* parse_monitor.c: a pool's health monitor. */
int bl_pj_monitor(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_monitor *hm,
                  enum bl_proto pool_proto);

/*
 * parse.c: a reference to a pool of `lb` (default_pool, redirect_pool): the
 * id in `o[id_key]`, or `o[obj_key]`: {"name"} naming one of lb.pools, or a
 * full pool spec added to them. `*index` is the pool's, -1 when neither key
 * is given.
 */
int bl_pj_pool_ref(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, const char *id_key,
                   const char *obj_key, struct bl_cfg_lb *lb, int *index);
/* parse.c: Octavia's table of allowed listener/pool protocol pairs. */
bool bl_pj_protos_compatible(enum bl_proto listener, enum bl_proto pool);

/* parse_l7.c: the listener's "l7policies" (already-parsed fields of `l` are known). */
int bl_pj_l7policies(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr, struct bl_cfg_lb *lb,
                     struct bl_cfg_listener *l);

/* parse_tls.c: the TLS fields of a listener (after its protocol) and of a pool. */
int bl_pj_listener_tls(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
                       struct bl_cfg_listener *l);
int bl_pj_pool_tls(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_pool *pool);

#endif
