/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operator resources: flavor profiles, flavors, availability zone
 * profiles and availability zones (plain objects: no provisioning status,
 * applied at once), quotas, provider capabilities and the (empty) amphora
 * list. They change nothing in the data plane, so they never wake the agent.
 */
#include "api/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C BL_F_CREATE
#define U BL_F_UPDATE
#define R BL_F_REQUIRED

static const struct bl_field spec_flavorprofile[] = {
    {"name", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {"provider_name", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {"flavor_data", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

static const struct bl_field spec_flavor[] = {
    {"name", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {"description", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"enabled", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"flavor_profile_id", BL_F_UUID, C | R, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

static const struct bl_field spec_azprofile[] = {
    {"name", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {"provider_name", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {"availability_zone_data", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

static const struct bl_field spec_az[] = {
    {"name", BL_F_STRING, C | R, NULL, 0, 0, NULL},
    {"description", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"enabled", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"availability_zone_profile_id", BL_F_UUID, C | R, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

struct plain {
    const char *kind, *singular, *plural, *links, *title;
    const struct bl_field *spec;
    bool by_name;          /* availability zones are addressed by name */
    const char *data_key;  /* a field that must hold a JSON object as a string */
    const char *parent_key; /* a field naming another plain object that must exist */
    const struct plain *parent;
};

static const struct plain flavorprofile = {"flavorprofile", "flavorprofile", "flavorprofiles",
                                           "flavorprofile_links", "Flavor profile",
                                           spec_flavorprofile, false, "flavor_data", NULL, NULL};
static const struct plain flavor = {"flavor", "flavor", "flavors", "flavors_links", "Flavor",
                                    spec_flavor, false, NULL, "flavor_profile_id",
                                    &flavorprofile};
static const struct plain azprofile = {
    "azprofile", "availability_zone_profile", "availability_zone_profiles",
    "availability_zone_profile_links", "Availability Zone Profile", spec_azprofile, false,
    "availability_zone_data", NULL, NULL};
static const struct plain az = {"availability_zone", "availability_zone", "availability_zones",
                                "availability_zones_links", "Availability Zone", spec_az, true,
                                NULL, "availability_zone_profile_id", &azprofile};

static void reply(struct ctx *c, int status, json_t *doc)
{
    c->resp->status = status;
    c->resp->body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
}

static json_t *show_obj(const struct plain *p, const struct bl_store_row *row)
{
    json_t *o = row_body(row);

    if (!p->by_name)
        json_object_set_new(o, "id", json_string(row->id));
    return o;
}

static const char *store_id(struct ctx *c, const struct plain *p, const char *key)
{
    char buf[300];

    if (!p->by_name)
        return key;
    snprintf(buf, sizeof(buf), "az:%s", key);
    return bl_arena_strdup(c->arena, buf);
}

static int load_plain(struct ctx *c, const struct plain *p, const char *key,
                      struct bl_store_row *row)
{
    if (bl_store_get(c->api->st, p->kind, store_id(c, p, key), c->arena, row, NULL) < 0)
        return fault(c, 404, "%s %s not found.", p->title, key);
    return 0;
}

static int check_plain(struct ctx *c, const struct plain *p, json_t *obj)
{
    struct bl_store_row row;
    json_t *data;

    if (p->data_key) {
        data = json_loads(json_string_value(json_object_get(obj, p->data_key)), 0, NULL);
        if (!json_is_object(data)) {
            json_decref(data);
            return fault(c, 400, "Validation failure: %s must be a JSON object in a string.",
                         p->data_key);
        }
        json_decref(data);
    }
    if (p->parent_key && json_is_string(json_object_get(obj, p->parent_key)) &&
        bl_store_get(c->api->st, p->parent->kind,
                     json_string_value(json_object_get(obj, p->parent_key)), c->arena, &row,
                     NULL) < 0)
        return fault(c, 400, "Validation failure: %s %s not found.", p->parent->title,
                     json_string_value(json_object_get(obj, p->parent_key)));
    return 0;
}

static json_t *unwrap_plain(struct ctx *c, const struct plain *p)
{
    json_t *doc = c->req->body_len ? json_loadb(c->req->body, c->req->body_len, 0, NULL) : NULL;
    json_t *in = json_object_get(doc, p->singular);

    if (doc == NULL)
        fault(c, 400, c->req->body_len ? "Request is not in valid JSON format"
                                       : "Missing argument: \"%s\"", p->singular);
    else if (!json_is_object(in))
        fault(c, 400, "Unknown attribute for argument %s: %s", p->singular,
              json_object_size(doc) ? json_object_iter_key(json_object_iter(doc)) : "(none)");
    else
        json_incref(in);
    json_decref(doc);
    return json_is_object(in) ? in : NULL;
}

static int write_plain(struct ctx *c, const struct plain *p, const char *key, json_t *in,
                       bool create)
{
    struct bl_store_row row = {.kind = p->kind, .project_id = c->project,
                               .provisioning_status = "ACTIVE", .operating_status = "ONLINE",
                               .created_at = c->now};
    struct bl_err err = {0};
    json_t *obj = create ? json_object() : NULL;
    char arg[96], id[37], *text;
    int rc;

    snprintf(arg, sizeof(arg), "%s.%s", p->singular, p->singular);
    if (!create && load_plain(c, p, key, &row) < 0)
        return -ENOENT;
    if (!create)
        obj = row_body(&row);
    rc = bl_fields_apply(p->spec, create, arg, in, obj, &err);
    if (rc < 0)
        rc = fault(c, 400, "%s", err.msg);
    if (rc == 0)
        rc = check_plain(c, p, obj);
    if (rc == 0 && create) {
        bl_uuid_new(id);
        row.id = p->by_name ? store_id(c, p, json_string_value(json_object_get(obj, "name"))) : id;
    }
    if (rc == 0 && bl_store_begin(c->api->st, NULL) == 0) {
        text = json_dumps(obj, JSON_COMPACT);
        row.body = text;
        row.updated_at = create ? NULL : c->now;
        rc = create ? bl_store_insert(c->api->st, &row, &err) : bl_store_update(c->api->st, &row, &err);
        free(text);
        if (rc == -EEXIST)
            rc = fault(c, 409, "A %s named %s already exists.", p->title,
                       json_string_value(json_object_get(obj, "name")));
        else if (rc < 0)
            rc = fault(c, 500, "%s", err.msg);
        if (rc == 0 && bl_store_commit(c->api->st, NULL) < 0)
            rc = fault(c, 500, "cannot commit");
        if (rc != 0)
            bl_store_rollback(c->api->st);
    }
    if (rc == 0 && load_plain(c, p, p->by_name && create
                                           ? json_string_value(json_object_get(obj, "name"))
                                           : create ? row.id : key, &row) == 0)
        reply(c, create ? 201 : 200, json_pack("{s:o}", p->singular, show_obj(p, &row)));
    json_decref(obj);
    return rc;
}

struct in_use {
    const char *key, *id;
    bool used;
};

static int use_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct in_use *u = arg;
    json_t *b = row_body(row);

    (void)c;
    if (json_is_string(json_object_get(b, u->key)) &&
        strcmp(json_string_value(json_object_get(b, u->key)), u->id) == 0)
        u->used = true;
    json_decref(b);
    return 0;
}

static void delete_plain(struct ctx *c, const struct plain *p, const char *key)
{
    struct bl_store_row row;
    struct in_use u = {NULL, NULL, false};

    if (load_plain(c, p, key, &row) < 0)
        return;
    /* A profile a flavor or zone refers to, or a flavor/zone a load balancer uses, stays. */
    if (p == &flavorprofile || p == &azprofile) {
        u = (struct in_use){p == &flavorprofile ? "flavor_profile_id"
                                                : "availability_zone_profile_id",
                            row.id, false};
        each_row(c, p == &flavorprofile ? flavor.kind : az.kind, NULL, NULL, use_cb, &u);
    } else {
        u = (struct in_use){p == &flavor ? "flavor_id" : "availability_zone", key, false};
        each_row(c, "loadbalancer", NULL, NULL, use_cb, &u);
    }
    if (u.used) {
        fault(c, 409, "%s %s is in use.", p->title, key);
        return;
    }
    if (bl_store_begin(c->api->st, NULL) < 0 || bl_store_delete(c->api->st, row.id, NULL) < 0 ||
        bl_store_commit(c->api->st, NULL) < 0) {
        bl_store_rollback(c->api->st);
        fault(c, 500, "cannot delete %s", key);
        return;
    }
    reply(c, 204, NULL);
}

static int list_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    const struct plain *p = ((const struct plain **)arg)[0];
    json_t *all = ((json_t **)arg)[1];

    (void)c;
    json_array_append_new(all, show_obj(p, row));
    return 0;
}

/* Plain objects list like the others: filters, sorting, pagination, fields=. */
static void list_plain(struct ctx *c, const struct plain *p)
{
    /* Octavia lists these by id (zones by name) unless told otherwise. */
    struct resource r = {.kind = p->kind, .singular = p->singular, .plural = p->plural,
                         .title = p->title, .arg = p->singular, .spec = p->spec,
                         .links = p->links, .default_sort = p->by_name ? "name" : "id"};
    json_t *all = json_array();
    void *arg[2] = {(void *)p, all};

    each_row(c, p->kind, NULL, NULL, list_cb, arg);
    bl_api_list_reply(c, &r, all);
    json_decref(all);
}

static void route_plain(struct ctx *c, const struct plain *p, char **seg, int n)
{
    const char *m = c->req->method;
    json_t *in;

    if (n == 0 && strcmp(m, "GET") == 0) {
        list_plain(c, p);
    } else if (n == 1 && strcmp(m, "GET") == 0) {
        struct bl_store_row row;
        if (load_plain(c, p, seg[0], &row) == 0)
            reply(c, 200, json_pack("{s:o}", p->singular, show_obj(p, &row)));
    } else if (n == 1 && strcmp(m, "DELETE") == 0) {
        delete_plain(c, p, seg[0]);
    } else if ((n == 0 && strcmp(m, "POST") == 0) || (n == 1 && strcmp(m, "PUT") == 0)) {
        if ((in = unwrap_plain(c, p)) != NULL) {
            write_plain(c, p, n ? seg[0] : NULL, in, n == 0);
            json_decref(in);
        }
    } else {
        reply(c, 405, json_pack("{s:i, s:s, s:s}", "code", 405, "title", "Method Not Allowed",
                                "description", ""));
    }
}

/* ---- quotas ---------------------------------------------------------------------------------- */

static const char *const quota_keys[] = {"load_balancer", "listener", "pool", "health_monitor",
                                         "member", "l7policy", "l7rule"};
#define NQUOTA (sizeof(quota_keys) / sizeof(quota_keys[0]))

/* The quota object, -1 (unlimited) where the project has no setting. */
static json_t *quota_of(struct ctx *c, const char *project, bool with_nulls)
{
    char id[300];
    struct bl_store_row row;
    json_t *set = NULL, *q = json_object();

    snprintf(id, sizeof(id), "quota:%s", project);
    if (bl_store_get(c->api->st, "quota", id, c->arena, &row, NULL) == 0)
        set = row_body(&row);
    for (size_t i = 0; i < NQUOTA; i++) {
        json_t *v = json_object_get(set, quota_keys[i]);
        if (v && !json_is_null(v))
            json_object_set(q, quota_keys[i], v);
        else
            json_object_set_new(q, quota_keys[i], with_nulls ? json_null() : json_integer(-1));
    }
    json_decref(set);
    return q;
}

/* Accepts both spellings (loadbalancer / load_balancer, healthmonitor / health_monitor). */
static int quota_put(struct ctx *c, const char *project)
{
    json_t *doc = c->req->body_len ? json_loadb(c->req->body, c->req->body_len, 0, NULL) : NULL;
    json_t *in = json_object_get(doc, "quota"), *cur = quota_of(c, project, true), *v;
    struct bl_store_row row = {.kind = "quota", .project_id = project,
                               .provisioning_status = "ACTIVE", .operating_status = "ONLINE",
                               .created_at = c->now};
    const char *key;
    char id[300], *text;
    int rc = 0;

    if (!json_is_object(in)) {
        json_decref(doc);
        json_decref(cur);
        return fault(c, 400, "Missing argument: \"quota\"");
    }
    json_object_foreach(in, key, v) {
        const char *k = strcmp(key, "loadbalancer") == 0    ? "load_balancer"
                        : strcmp(key, "healthmonitor") == 0 ? "health_monitor"
                                                            : key;
        size_t i;
        for (i = 0; i < NQUOTA && strcmp(quota_keys[i], k) != 0; i++)
            ;
        if (i == NQUOTA)
            rc = fault(c, 400, "Unknown attribute for argument quota: %s", key);
        else if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < -1))
            rc = fault(c, 400, "Invalid input for field/attribute %s. Value: '%s'. Value should "
                               "be greater or equal to -1", k, json_is_string(v) ? json_string_value(v) : "?");
        if (rc != 0)
            break;
        json_object_set(cur, k, v);
    }
    snprintf(id, sizeof(id), "quota:%s", project);
    row.id = id;
    if (rc == 0 && bl_store_begin(c->api->st, NULL) == 0) {
        struct bl_store_row old;
        text = json_dumps(cur, JSON_COMPACT);
        row.body = text;
        if (bl_store_get(c->api->st, "quota", id, c->arena, &old, NULL) == 0)
            rc = bl_store_update(c->api->st, &row, NULL);
        else
            rc = bl_store_insert(c->api->st, &row, NULL);
        free(text);
        if (rc == 0)
            rc = bl_store_commit(c->api->st, NULL);
        if (rc != 0) {
            bl_store_rollback(c->api->st);
            rc = fault(c, 500, "cannot store the quota");
        }
    }
    if (rc == 0)
        reply(c, 202, json_pack("{s:o}", "quota", quota_of(c, project, false)));
    json_decref(cur);
    json_decref(doc);
    return rc;
}

static int quota_list_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    json_t *q = quota_of(c, row->project_id, true);

    json_object_set(q, "loadbalancer", json_object_get(q, "load_balancer"));
    json_object_set(q, "healthmonitor", json_object_get(q, "health_monitor"));
    json_object_set_new(q, "project_id", json_string(row->project_id));
    json_object_set_new(q, "tenant_id", json_string(row->project_id));
    json_array_append_new(arg, q);
    return 0;
}

static void route_quotas(struct ctx *c, char **seg, int n)
{
    const char *m = c->req->method;
    char id[300];

    if (n == 0 && strcmp(m, "GET") == 0) {
        json_t *all = json_array();
        each_row(c, "quota", NULL, NULL, quota_list_cb, all);
        reply(c, 200, json_pack("{s:o, s:[]}", "quotas", all, "quotas_links"));
    } else if ((n == 1 && strcmp(seg[0], "defaults") == 0) ||
               (n == 2 && strcmp(seg[1], "default") == 0)) {
        /* The defaults are "unlimited" until ballast grows configurable defaults. */
        reply(c, 200, json_pack("{s:o}", "quota", quota_of(c, "\001none", false)));
    } else if (n == 1 && strcmp(m, "GET") == 0) {
        reply(c, 200, json_pack("{s:o}", "quota", quota_of(c, seg[0], false)));
    } else if (n == 1 && strcmp(m, "PUT") == 0) {
        quota_put(c, seg[0]);
    } else if (n == 1 && strcmp(m, "DELETE") == 0) {
        snprintf(id, sizeof(id), "quota:%s", seg[0]);
        if (bl_store_begin(c->api->st, NULL) == 0) {
            bl_store_delete(c->api->st, id, NULL);
            bl_store_commit(c->api->st, NULL);
        }
        reply(c, 202, NULL);
    } else {
        reply(c, 405, json_pack("{s:i, s:s, s:s}", "code", 405, "title", "Method Not Allowed",
                                "description", ""));
    }
}

struct count {
    const char *project;
    long n;
};

static int count_cb(struct ctx *c, const struct bl_store_row *row, void *arg)
{
    struct count *k = arg;

    (void)c;
    if (row->project_id && strcmp(row->project_id, k->project) == 0 &&
        strcmp(row->provisioning_status, "PENDING_DELETE") != 0)
        k->n++;
    return 0;
}

int bl_api_quota_check(struct ctx *c, const char *kind)
{
    static const char *const kinds[NQUOTA] = {"loadbalancer", "listener", "pool",
                                              "healthmonitor", "member", "l7policy", "l7rule"};
    static const char *const names[NQUOTA] = {"LoadBalancer", "Listener", "Pool",
                                              "HealthMonitor", "Member", "L7Policy", "L7Rule"};
    json_t *q;
    long limit;
    struct count k = {c->project, 0};
    size_t i;

    for (i = 0; i < NQUOTA && strcmp(kinds[i], kind) != 0; i++)
        ;
    if (i == NQUOTA)
        return 0;
    q = quota_of(c, c->project, false);
    limit = (long)json_integer_value(json_object_get(q, quota_keys[i]));
    json_decref(q);
    if (limit < 0)
        return 0;
    each_row(c, kind, NULL, NULL, count_cb, &k);
    if (k.n >= limit)
        return fault(c, 403, "Quota has been met for resources: %s", names[i]);
    return 0;
}

/* ---- routing ----------------------------------------------------------------------------- */

bool bl_api_admin_route(struct ctx *c, char **seg, int n)
{
    bool known = n >= 1 && (strcmp(seg[0], "flavorprofiles") == 0 ||
                            strcmp(seg[0], "flavors") == 0 ||
                            strcmp(seg[0], "availabilityzoneprofiles") == 0 ||
                            strcmp(seg[0], "availabilityzones") == 0 ||
                            strcmp(seg[0], "quotas") == 0);

    /* Operators only: reading profiles too, as Octavia's policy says. */
    if (known && (strcmp(c->req->method, "GET") != 0 || strstr(seg[0], "profiles")) &&
        !c->grant.write_all) {
        fault(c, 403, "Policy does not allow this request to be performed.");
        return true;
    }
    if (n >= 1 && strcmp(seg[0], "flavorprofiles") == 0)
        route_plain(c, &flavorprofile, seg + 1, n - 1);
    else if (n >= 1 && strcmp(seg[0], "flavors") == 0)
        route_plain(c, &flavor, seg + 1, n - 1);
    else if (n >= 1 && strcmp(seg[0], "availabilityzoneprofiles") == 0)
        route_plain(c, &azprofile, seg + 1, n - 1);
    else if (n >= 1 && strcmp(seg[0], "availabilityzones") == 0)
        route_plain(c, &az, seg + 1, n - 1);
    else if (n >= 1 && strcmp(seg[0], "quotas") == 0)
        route_quotas(c, seg + 1, n - 1);
    else if (n == 3 && strcmp(seg[0], "providers") == 0 &&
             (strcmp(seg[2], "flavor_capabilities") == 0 ||
              strcmp(seg[2], "availability_zone_capabilities") == 0)) {
        bool is_flavor = strcmp(seg[2], "flavor_capabilities") == 0;
        json_t *all = json_array();
        if (strcmp(seg[1], BL_PROVIDER_NOOP) == 0)
            /* What Octavia's no-op driver advertises, for its test set-up. */
            json_array_append_new(all, json_pack("{s:s, s:s}", "name",
                                                 is_flavor ? "some_topology" : "compute_zone",
                                                 "description",
                                                 is_flavor ? "The topology for the load balancer."
                                                           : "The compute availability zone."));
        if (strcmp(seg[1], BL_PROVIDER_BALLAST) != 0 && strcmp(seg[1], BL_PROVIDER_NOOP) != 0)
            fault(c, 400, "Provider '%s' is not enabled.", seg[1]);
        else
            bl_api_list_named(c, seg[2], all);
        json_decref(all);
    } else
        return false;
    return true;
}

/* Name/description lists (providers, capabilities) with fields= and filters. */
void bl_api_list_named(struct ctx *c, const char *key, json_t *all)
{
    static const struct bl_field spec[] = {
        {"name", BL_F_STRING, 0, NULL, 0, 0, NULL},
        {"description", BL_F_STRING, 0, NULL, 0, 0, NULL},
        {NULL, 0, 0, NULL, 0, 0, NULL},
    };
    char links[96];
    struct resource r = {.kind = key, .singular = key, .plural = key, .title = key, .arg = key,
                         .spec = spec, .links = links, .default_sort = "name"};

    snprintf(links, sizeof(links), "%s_links", key);
    bl_api_list_reply(c, &r, all);
    /* These lists carry no links key in Octavia. */
    if (c->resp->status == 200 && c->resp->body) {
        json_t *doc = json_loads(c->resp->body, 0, NULL);
        json_object_del(doc, links);
        free(c->resp->body);
        c->resp->body = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
    }
}

bool bl_api_amphorae_route(struct ctx *c, char **seg, int n)
{
    if (n == 1 && strcmp(c->req->method, "GET") == 0) {
        reply(c, 200, json_pack("{s:[], s:[]}", "amphorae", "amphorae_links"));
        return true;
    }
    if (n >= 2) {
        fault(c, 404, "Amphora %s not found.", seg[1]);
        return true;
    }
    return false;
}
