/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the API's resource files share: the request context, the resource
 * table entry, error helpers and the status-locking rules. Internal to api/.
 */
#ifndef BL_API_INTERNAL_H
#define BL_API_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/fields.h"
#include "api/networks.h"
#include "api/resources.h"
#include "api/vips.h"

struct bl_api {
    const struct bl_networks *nw;
    struct bl_auth *auth;         /* NULL = noauth: every caller is an admin */
    const char *default_provider; /* for load balancers created without one */
    bool noop_next_request;       /* --noop-settle next-request (bl_api_set_noop_settle) */
    struct bl_loop *loop;
    struct bl_store *st;
    struct bl_agent *agent;
    struct bl_defer sync_d; /* agent sync queued after writes */
};

/* One request being answered. */
struct ctx {
    struct bl_api *api;
    const struct bl_api_req *req;
    struct bl_api_resp *resp;
    struct bl_arena *arena; /* freed when the request is answered */
    const char *project;    /* project of new objects */
    char now[32];           /* ISO-8601 time of the request */
    json_t *graph;          /* a fully-populated LB create: {"listeners", "pools"} to make */
    struct bl_grant grant;  /* what the caller may do (api/auth.h) */
    const char *touched_lb; /* the load balancer this write changes (checked before commit) */
    json_t *l7rules;        /* rules of the L7 policy being created (made once it is stored) */
    struct bl_vip_change vip_added; /* put on an interface by this request (api/vips.h) */
    struct bl_vip_change vip_freed; /* to take off once this request's delete commits */
};

/* 403 unless the caller may change objects of `project` (NULL = its own). */
int may_write(struct ctx *c, const char *project);

/* h_keystone.c: answers /identity/v3/...; false if the path is not there. */
bool bl_api_keystone(struct ctx *c, char **seg, int n);

struct resource;

/* Kind-specific behaviour; each returns 0 or a negative errno after fault(). */
struct resource_ops {
    /* Checks a create body (fields already applied into `obj`) and fills the row's
     * lb_id / parent_id; may write other rows (locks). Inside the transaction. */
    int (*create)(struct ctx *c, json_t *obj, struct bl_store_row *row);
    /* Checks an update; `obj` is the merged body. */
    int (*update)(struct ctx *c, json_t *obj, const struct bl_store_row *row);
    /* Checks a delete and marks what else must go or be locked. */
    int (*remove)(struct ctx *c, const struct bl_store_row *row);
    /* Adds computed fields (relations) to a rendered object. */
    void (*decorate)(struct ctx *c, json_t *obj, const struct bl_store_row *row);
    /* After the row is inserted, same transaction (the LB's graph children); may be NULL. */
    int (*created)(struct ctx *c, const struct bl_store_row *row);
};

struct resource {
    const char *kind;     /* store kind */
    const char *singular; /* wrapper key: "loadbalancer" */
    const char *plural;   /* list key: "loadbalancers" */
    const char *title;    /* for messages: "Load Balancer" */
    const char *arg;      /* wsme argument name: "load_balancer" */
    const struct bl_field *spec;
    const struct resource_ops *ops;
    const char *links; /* the list's links key when not "<plural>_links" */
    const char *default_sort; /* sort key when the query gives none; NULL = creation order */
};

extern const struct resource bl_res_loadbalancer, bl_res_listener, bl_res_pool, bl_res_member,
    bl_res_healthmonitor, bl_res_l7policy, bl_res_l7rule;

/* Answers an Octavia fault {"faultcode", "faultstring", "debuginfo"}; returns -EINVAL. */
int fault(struct ctx *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Answers the web framework's error {"code", "title", "description"}, as Octavia
 * does for unknown paths and methods and a few query errors; returns -EINVAL. */
int http_error(struct ctx *c, int status, const char *title, const char *description);

/* Reads an object (any kind when `kind` is NULL); answers 404 "<Title> <id> not found." */
int load(struct ctx *c, const struct resource *r, const char *id, struct bl_store_row *row);

/* The load balancer must be ACTIVE for a child change; locks it PENDING_UPDATE. */
int lock_lb(struct ctx *c, const char *lb_id);

/* Sets PENDING_UPDATE on an object that a change touches (pool, listener). */
int lock(struct ctx *c, const char *id);

/* Validates `in` against `r`, runs its create checks and inserts it as `id`. */
int bl_api_create_row(struct ctx *c, const struct resource *r, json_t *in, const char *parent,
                      const char *id);

/* The object as Octavia shows it (new reference). */
json_t *render(struct ctx *c, const struct resource *r, const struct bl_store_row *row);

/* h_graph.c: creates the children of a fully-populated LB create (c->graph). */
int bl_api_graph_create(struct ctx *c, const struct bl_store_row *lb);

/* h_graph.c: replaces the {"id"} lists of a created LB by the full children. */
void bl_api_graph_expand(struct ctx *c, json_t *lb);

/* h_l7.c: a listener's L7 policies by position: [{"id"}], or (full) the
 * rendered policies with their rendered rules (graph create answer). */
json_t *bl_api_l7_list(struct ctx *c, const char *listener_id, bool full);

/* h_l7.c: 409 when a live L7 policy redirects to `pool_id`. */
int bl_api_l7_pool_in_use(struct ctx *c, const char *lb_id, const char *pool_id);

/* h_l7.c: which pools a listener reaches through its L7 policies (in position
 * order), or which listeners reach a pool that way (give `listener_id` or
 * `pool_id`): as in Octavia, enabled REDIRECT_TO_POOL policies with at least
 * one rule count. Appends {"id": ...} to `ids` unless already there. */
void bl_api_l7_redirects(struct ctx *c, const char *lb_id, const char *listener_id,
                         const char *pool_id, json_t *ids);

/* h_l7.c: the graph create's policies of a new listener; `pool_ref` resolves a
 * redirect_pool ({"name"} or a full spec) to a pool id as default_pool does. */
int bl_api_l7_graph(struct ctx *c, json_t *policies, const char *listener_id,
                    int (*pool_ref)(struct ctx *c, json_t *spec, void *arg, char id[37]),
                    void *arg);

/* h_pool.c: PUT /pools/{id}/members (batch), answered. */
void bl_api_members_batch(struct ctx *c, const char *pool_id);

/* Runs `fn` in one store transaction, scheduling the agent after a commit. */
int bl_api_in_txn(struct ctx *c, int (*fn)(struct ctx *c, void *arg), void *arg);

/* Parses a row's body (new reference). */
json_t *row_body(const struct bl_store_row *row);

/* Replaces a row's body, stamping updated_at. */
int rewrite(struct ctx *c, const struct bl_store_row *row, json_t *body, const char *prov);

/* Collects the ids of `kind` rows under lb / parent into a JSON array of {"id": ...}. */
json_t *id_list(struct ctx *c, const char *kind, const char *lb, const char *parent);

/* Calls `cb` for each row of `kind` under lb / parent (rows copied: nesting is safe). */
int each_row(struct ctx *c, const char *kind, const char *lb, const char *parent,
             int (*cb)(struct ctx *c, const struct bl_store_row *row, void *arg), void *arg);

/* Helpers shared across resource files. */
bool bl_api_protos_compatible(const char *listener, const char *pool);
/* h_listener.c: a pool reference (default_pool_id, redirect_pool_id; NULL = none) must
 * name a pool of `lb_id` (404) whose protocol suits a listener of `proto` (400). */
int bl_api_check_pool_ref(struct ctx *c, const char *pid, const char *lb_id, const char *proto);
void bl_api_listener_stats(struct ctx *c, const char *listener_id, json_t *acc);
json_t *bl_api_status_tree(struct ctx *c, const struct bl_store_row *lb);

/* Providers: "ballast" runs load balancers in this process; "noop_driver" stores
 * them and settles their status without running anything, with a no-op network
 * that accepts any subnet (Octavia's test set-up, which tempest uses). */
#define BL_PROVIDER_BALLAST "ballast"
#define BL_PROVIDER_NOOP "noop_driver"

/* tls_fields.c: tls_ciphers characters and alpn_protocols values (any object),
 * then, where TLS is on, the version and ALPN lists and Octavia's defaults. */
int bl_api_check_tls_types(struct ctx *c, json_t *obj);
int bl_api_check_tls_lists(struct ctx *c, json_t *obj);

/* True when the load balancer `lb_id` belongs to the no-op provider. */
bool bl_api_lb_is_noop(struct ctx *c, const char *lb_id);

/* h_admin.c: flavors, flavor profiles, availability zones (+ profiles), quotas,
 * provider capabilities under /v2/lbaas; false if `seg` is none of them. */
bool bl_api_admin_route(struct ctx *c, char **seg, int n);

/* h_admin.c: answers a list of {name, description} (providers, capabilities). */
void bl_api_list_named(struct ctx *c, const char *key, json_t *all);

/* h_admin.c: /v2/octavia/amphorae (ballast has none). */
bool bl_api_amphorae_route(struct ctx *c, char **seg, int n);

/* h_admin.c: 403 when the caller's project has used its quota of `kind`. */
int bl_api_quota_check(struct ctx *c, const char *kind);

/* h_neutron.c: answers GET /v2.0/{subnets,networks,ports,qos/policies}; false if not one. */
bool bl_api_neutron(struct ctx *c, char **seg, int n);

/* listing.c: answers a collection GET over `all` (rendered objects, not consumed). */
void bl_api_list_reply(struct ctx *c, const struct resource *r, json_t *all);

/* listing.c: keeps only the `fields=` keys of `*obj` when the query has any. */
void bl_api_select_fields(struct ctx *c, json_t **obj);

#endif
