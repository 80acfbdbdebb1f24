/* SPDX-License-Identifier: Apache-2.0 */
#include "api/service.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "health/health.h"
#include "api/internal.h"
#include "api/networks.h"
#include "core/log.h"
#include "core/xalloc.h"

struct bl_api_service {
    struct bl_health_checker *health;
    struct bl_networks nw;
    struct bl_auth *auth;
    struct bl_store *st;
    struct bl_agent *agent;
    struct bl_api *api;
    struct bl_api_server *server;
};

/* "127.0.0.1:9876" or "[::1]:9876" -> address. */
static int parse_listen(const char *s, struct bl_addr *a)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    size_t n;
    char *end;
    long port;

    if (colon == NULL)
        return -EINVAL;
    n = (size_t)(colon - s);
    if (n >= sizeof(host))
        return -EINVAL;
    if (s[0] == '[' && n >= 2 && s[n - 1] == ']') {
        memcpy(host, s + 1, n - 2);
        host[n - 2] = '\0';
    } else {
        memcpy(host, s, n);
        host[n] = '\0';
    }
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535)
        return -EINVAL;
    return bl_addr_parse(a, host, (uint16_t)port);
}

struct member_match {
    const char *addr; /* "address:port" as the checker names it */
    char id[40];
    char lb_id[40];
    char status[16]; /* its operating_status now */
};

static int match_cb(void *ctx, const struct bl_store_row *r)
{
    struct member_match *m = ctx;
    json_t *b = json_loads(r->body, 0, NULL);
    char key[128];
    struct bl_addr a;

    if (b &&
        bl_addr_parse(&a, json_string_value(json_object_get(b, "address")) ?: "",
                      (uint16_t)json_integer_value(json_object_get(b, "protocol_port"))) == 0 &&
        strcmp(bl_addr_str(&a, key), m->addr) == 0) {
        snprintf(m->id, sizeof(m->id), "%s", r->id);
        snprintf(m->lb_id, sizeof(m->lb_id), "%s", r->lb_id ? r->lb_id : "");
        snprintf(m->status, sizeof(m->status), "%s", r->operating_status);
    }
    json_decref(b);
    return 0;
}

/* The member `member` ("address:port") of the API pool keyed `pool_key`
 * ("pool:<id>", config/parse.c), as the store holds it; m->id is "" when none. */
static void find_member(struct bl_api_service *s, const char *pool_key, const char *member,
                        struct member_match *m)
{
    *m = (struct member_match){.addr = member};
    if (strncmp(pool_key, "pool:", 5) == 0)
        bl_store_list(s->st, "member", NULL, pool_key + 5, match_cb, m, NULL);
}

/* The checker's verdict becomes the member's operating_status in the store,
 * and its pool's, listeners' and load balancer's roll-up with it, in one
 * transaction. */
static void on_health(void *ctx, const char *pool_key, const char *member, enum bl_opstatus status,
                      const char *reason)
{
    struct bl_api_service *s = ctx;
    struct bl_err err = {0};
    struct member_match m;

    (void)reason;
    find_member(s, pool_key, member, &m);
    /* The checker reports every member once when it starts tracking it (and
     * so after each restart): write only what changes. */
    if (m.id[0] == '\0' || strcmp(m.status, bl_opstatus_name(status)) == 0 ||
        bl_store_begin(s->st, NULL) < 0)
        return;
    if (bl_store_set_status(s->st, m.id, NULL, bl_opstatus_name(status), &err) < 0 ||
        bl_agent_rollup(s->agent, m.lb_id, &err) < 0 || bl_store_commit(s->st, &err) < 0) {
        bl_log(BL_LOG_ERROR, "member %s: cannot store its status: %s", member, err.msg);
        bl_store_rollback(s->st);
    }
}

/* What the store last said of a member the checker starts on (a restart). */
static int seed(void *ctx, const char *pool_key, const char *member)
{
    struct member_match m;

    find_member(ctx, pool_key, member, &m);
    return m.id[0] && strcmp(m.status, bl_opstatus_name(BL_OP_ERROR)) == 0 ? BL_OP_ERROR : -1;
}

/* Start-up: what the health checker concludes from the store's member
 * statuses, rolled up where the store disagrees (it rarely does). */
static int first_rollup(struct bl_api_service *s, struct bl_err *err)
{
    int rc = bl_store_begin(s->st, err);

    if (rc == 0)
        rc = bl_agent_rollup_all(s->agent, err);
    if (rc >= 0)
        return bl_store_commit(s->st, err);
    bl_store_rollback(s->st);
    return rc;
}

static void follow(void *ctx, struct bl_snapshot *snap)
{
    bl_health_apply(((struct bl_api_service *)ctx)->health, snap);
}

int bl_api_service_start(struct bl_loop *loop, const struct bl_api_service_opts *o,
                         struct bl_api_service **out, struct bl_err *err)
{
    struct bl_api_service *s = bl_xcalloc(1, sizeof(*s));
    struct bl_addr addr;
    int rc;

    if (parse_listen(o->listen, &addr) < 0) {
        free(s);
        return bl_err_set(err, -EINVAL, "--api: '%s' is not HOST:PORT", o->listen);
    }
    if (o->default_provider && strcmp(o->default_provider, BL_PROVIDER_BALLAST) != 0 &&
        strcmp(o->default_provider, BL_PROVIDER_NOOP) != 0) {
        free(s);
        return bl_err_set(err, -EINVAL, "--default-provider: '%s' is not one of %s, %s",
                          o->default_provider, BL_PROVIDER_BALLAST, BL_PROVIDER_NOOP);
    }
    rc = bl_networks_load(o->networks, &s->nw, err);
    if (rc == 0 && o->users)
        rc = bl_auth_load(o->users, &s->auth, err);
    if (rc == 0)
        rc = bl_store_open(o->db_path, &s->st, err);
    /* Before the agent settles PENDING_DELETE rows away: their VIPs go too. */
    if (rc == 0)
        rc = bl_api_vips_restore(s->st, &s->nw, err);
    /* The data plane is rebuilt from the store before the API answers. */
    if (rc == 0)
        rc = bl_agent_start(s->st, o->nworkers, o->certs_dir, &s->agent, err);
    if (rc == 0)
        rc = bl_health_start(loop, on_health, s, &s->health);
    if (rc == 0) {
        bl_health_set_seed(s->health, seed);
        bl_agent_on_apply(s->agent, follow, s);
        rc = first_rollup(s, err);
    }
    if (rc == 0) {
        s->api = bl_api_create(loop, s->st, s->agent, &s->nw);
        if (o->default_provider)
            bl_api_set_default_provider(s->api, o->default_provider);
        if (s->auth)
            bl_api_set_auth(s->api, s->auth);
        bl_api_set_noop_settle(s->api, o->noop_next_request);
        rc = bl_api_server_start(loop, &addr, bl_api_handle, s->api, &s->server, err);
    }
    if (rc < 0) {
        bl_api_service_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

struct bl_dataplane *bl_api_service_dataplane(struct bl_api_service *s)
{
    return bl_agent_dataplane(s->agent);
}

void bl_api_service_stop(struct bl_api_service *s)
{
    if (s == NULL)
        return;
    bl_api_server_stop(s->server);
    bl_api_destroy(s->api);
    bl_health_stop(s->health);
    bl_agent_stop(s->agent);
    bl_store_close(s->st);
    bl_networks_free(&s->nw);
    bl_auth_free(s->auth);
    free(s);
}
