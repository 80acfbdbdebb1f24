/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where to send requests and with which token, read the way the OpenStack
 * client reads it, so a user switching clients changes nothing: a cloud from
 * clouds.yaml (OS_CLOUD / --os-cloud), overridden by OS_* variables,
 * overridden by --os-* flags. ballast's own --os-url / BALLAST_URL and
 * --os-token / BALLAST_TOKEN skip the catalog; with neither an endpoint nor
 * Keystone configured, the default is http://127.0.0.1:9876 without a token.
 * With OS_AUTH_URL, a Keystone v3 password (or token) authentication gives
 * the token and, from the catalog, the load-balancer and network endpoints.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/xalloc.h"

#define DEFAULT_URL "http://127.0.0.1:9876"

static const char *const env_map[][2] = {
    {"BALLAST_URL", "url"},
    {"BALLAST_TOKEN", "token"},
    {"OS_AUTH_TYPE", "auth_type"},
    {"OS_AUTH_URL", "auth_url"},
    {"OS_ENDPOINT", "endpoint"},
    {"OS_URL", "os_url"},
    {"OS_TOKEN", "os_token"},
    {"OS_USERNAME", "username"},
    {"OS_USER_ID", "user_id"},
    {"OS_PASSWORD", "password"},
    {"OS_TENANT_NAME", "project_name"},
    {"OS_PROJECT_NAME", "project_name"},
    {"OS_TENANT_ID", "project_id"},
    {"OS_PROJECT_ID", "project_id"},
    {"OS_USER_DOMAIN_NAME", "user_domain_name"},
    {"OS_USER_DOMAIN_ID", "user_domain_id"},
    {"OS_PROJECT_DOMAIN_NAME", "project_domain_name"},
    {"OS_PROJECT_DOMAIN_ID", "project_domain_id"},
    {"OS_DEFAULT_DOMAIN", "default_domain"},
    {"OS_REGION_NAME", "region_name"},
    {"OS_INTERFACE", "interface"},
};

static char *trimmed(const char *url)
{
    char *s = bl_xstrdup(url);
    size_t n = strlen(s);

    while (n && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

static const char *get(json_t *cfg, const char *k)
{
    const char *v = json_string_value(json_object_get(cfg, k));
    return v && *v ? v : NULL;
}

static void set_str(json_t *cfg, const char *k, json_t *v)
{
    if (json_is_string(v))
        json_object_set(cfg, k, v);
    else if (json_is_number(v) || json_is_boolean(v))
        json_object_set_new(cfg, k, json_string(json_is_true(v) ? "true" : "1"));
}

/* The first clouds.yaml that exists, as the OpenStack SDK looks for it. */
static json_t *load_clouds(const char *file)
{
    char path[3][1024], err[256];
    const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
    const char *env = getenv("OS_CLIENT_CONFIG_FILE");

    snprintf(path[0], sizeof(path[0]), "%s", file);
    if (xdg)
        snprintf(path[1], sizeof(path[1]), "%s/openstack/%s", xdg, file);
    else
        snprintf(path[1], sizeof(path[1]), "%s/.config/openstack/%s", home ? home : "", file);
    snprintf(path[2], sizeof(path[2]), "/etc/openstack/%s", file);
    if (env && strcmp(file, "clouds.yaml") == 0)
        return bl_cli_yaml_load(env, err, sizeof(err));
    for (int i = 0; i < 3; i++) {
        json_t *doc = bl_cli_yaml_load(path[i], err, sizeof(err));
        if (doc)
            return doc;
        if (err[0])
            fprintf(stderr, "ballast: %s\n", err);
    }
    return NULL;
}

/* Settings of cloud `name` (clouds.yaml merged with secure.yaml) into cfg. */
static int from_cloud(const char *name, json_t *cfg)
{
    json_t *clouds = load_clouds("clouds.yaml"), *secure = load_clouds("secure.yaml");
    json_t *cloud = json_object_get(json_object_get(clouds, "clouds"), name);
    json_t *extra = json_object_get(json_object_get(secure, "clouds"), name), *v;
    const char *k;

    if (!json_is_object(cloud)) {
        fprintf(stderr, "Cloud %s was not found.\n", name);
        json_decref(clouds);
        json_decref(secure);
        return BL_CLI_USAGE;
    }
    cloud = json_deep_copy(cloud);
    if (json_is_object(extra))
        json_object_update_recursive(cloud, extra);
    json_object_foreach(cloud, k, v)
    {
        if (strcmp(k, "auth") == 0) {
            const char *ak;
            json_t *av;
            json_object_foreach(v, ak, av) set_str(cfg, strcmp(ak, "token") ? ak : "os_token", av);
        } else {
            set_str(cfg, k, v);
        }
    }
    json_decref(cloud);
    json_decref(clouds);
    json_decref(secure);
    return BL_CLI_OK;
}

static json_t *scope(json_t *cfg)
{
    const char *pid = get(cfg, "project_id"), *pname = get(cfg, "project_name");
    const char *did = get(cfg, "project_domain_id"), *dname = get(cfg, "project_domain_name");

    if (pid)
        return json_pack("{s:{s:s}}", "project", "id", pid);
    if (!pname)
        return NULL;
    if (!did && !dname)
        dname = get(cfg, "default_domain") ? get(cfg, "default_domain") : "Default";
    return json_pack("{s:{s:s, s:o}}", "project", "name", pname, "domain",
                     did ? json_pack("{s:s}", "id", did) : json_pack("{s:s}", "name", dname));
}

static json_t *auth_body(json_t *cfg)
{
    const char *tok = get(cfg, "os_token"), *uid = get(cfg, "user_id");
    const char *did = get(cfg, "user_domain_id"), *dname = get(cfg, "user_domain_name");
    json_t *ident, *user, *sc;

    if (tok && !get(cfg, "password")) {
        ident = json_pack("{s:[s], s:{s:s}}", "methods", "token", "token", "id", tok);
    } else {
        if (uid) {
            user = json_pack("{s:s}", "id", uid);
        } else {
            if (!did && !dname)
                dname = get(cfg, "default_domain") ? get(cfg, "default_domain") : "Default";
            user = json_pack(
                "{s:s, s:o}", "name", get(cfg, "username") ? get(cfg, "username") : "", "domain",
                did ? json_pack("{s:s}", "id", did) : json_pack("{s:s}", "name", dname));
        }
        json_object_set_new(user, "password",
                            json_string(get(cfg, "password") ? get(cfg, "password") : ""));
        ident = json_pack("{s:[s], s:{s:o}}", "methods", "password", "password", "user", user);
    }
    sc = scope(cfg);
    return sc ? json_pack("{s:{s:o, s:o}}", "auth", "identity", ident, "scope", sc)
              : json_pack("{s:{s:o}}", "auth", "identity", ident);
}

/* The URL of service `type` in the catalog, for the configured interface and region. */
static char *from_catalog(json_t *catalog, const char *type, json_t *cfg)
{
    const char *iface = get(cfg, "interface") ? get(cfg, "interface") : "public";
    const char *region = get(cfg, "region_name");
    size_t i, k;
    json_t *svc, *ep;

    json_array_foreach(catalog, i, svc)
    {
        if (!json_is_string(json_object_get(svc, "type")) ||
            strcmp(json_string_value(json_object_get(svc, "type")), type) != 0)
            continue;
        json_array_foreach(json_object_get(svc, "endpoints"), k, ep)
        {
            const char *ei = json_string_value(json_object_get(ep, "interface"));
            const char *er = json_string_value(json_object_get(ep, "region_id"));
            const char *url = json_string_value(json_object_get(ep, "url"));
            if (!er)
                er = json_string_value(json_object_get(ep, "region"));
            if (url && ei && strncmp(iface, ei, strlen(ei)) == 0 &&
                (!region || (er && strcmp(er, region) == 0)))
                return trimmed(url);
        }
    }
    return NULL;
}

static int keystone(struct bl_cli_conn *c, json_t *cfg, json_t **catalog)
{
    const char *base = get(cfg, "auth_url");
    size_t n = strlen(base);
    char url[2048], token[4096] = "";
    struct bl_cli_resp r;
    json_t *body = auth_body(cfg);
    int rc;

    while (n && base[n - 1] == '/')
        n--;
    snprintf(url, sizeof(url), "%.*s%s/auth/tokens", (int)n, base,
             n >= 3 && strncmp(base + n - 3, "/v3", 3) == 0 ? "" : "/v3");
    rc = bl_cli_call(c, "POST", url, body, &r, token, sizeof(token), "X-Subject-Token");
    json_decref(body);
    if (rc < 0) {
        fprintf(stderr, "Unable to establish connection to %s: %s\n", url, r.errbuf);
        return BL_CLI_API;
    }
    if (r.status != 201 && r.status != 200) {
        rc = bl_cli_api_error(&r);
        bl_cli_resp_free(&r);
        return rc;
    }
    c->token = bl_xstrdup(token);
    *catalog = json_incref(json_object_get(json_object_get(r.body, "token"), "catalog"));
    bl_cli_resp_free(&r);
    return BL_CLI_OK;
}

/* Fills c->url[] and c->token from flags (already in `flags`), env and clouds.yaml. */
int bl_cli_auth(struct bl_cli_conn *c, json_t *flags)
{
    json_t *cfg = json_object(), *catalog = NULL;
    const char *cloud = get(flags, "cloud") ? get(flags, "cloud") : getenv("OS_CLOUD");
    const char *type, *url;
    int rc = BL_CLI_OK;

    if (cloud && *cloud && (rc = from_cloud(cloud, cfg)) != BL_CLI_OK)
        goto out;
    for (size_t i = 0; i < sizeof(env_map) / sizeof(*env_map); i++)
        if (getenv(env_map[i][0]) && *getenv(env_map[i][0]))
            json_object_set_new(cfg, env_map[i][1], json_string(getenv(env_map[i][0])));
    json_object_update(cfg, flags);
    type = get(cfg, "auth_type") ? get(cfg, "auth_type") : "password";
    bool direct = strcmp(type, "none") == 0 || strcmp(type, "noauth") == 0 ||
                  strcmp(type, "token_endpoint") == 0 || strcmp(type, "admin_token") == 0;
    url = get(cfg, "url");
    if (!url && direct)
        url = get(cfg, "endpoint") ? get(cfg, "endpoint") : get(cfg, "os_url");
    if (!get(cfg, "token") && direct && get(cfg, "os_token"))
        json_object_set(cfg, "token", json_object_get(cfg, "os_token"));
    if (get(cfg, "token")) {
        c->token = bl_xstrdup(get(cfg, "token"));
    } else if (get(cfg, "auth_url") && !direct) {
        if ((rc = keystone(c, cfg, &catalog)) != BL_CLI_OK)
            goto out;
    }
    c->url[BL_SVC_LB] = url ? trimmed(url) : from_catalog(catalog, "load-balancer", cfg);
    if (!c->url[BL_SVC_LB] && catalog) {
        fprintf(stderr, "No load-balancer endpoint in the service catalog\n");
        rc = BL_CLI_API;
        goto out;
    }
    if (!c->url[BL_SVC_LB])
        c->url[BL_SVC_LB] = bl_xstrdup(DEFAULT_URL);
    c->url[BL_SVC_NET] = from_catalog(catalog, "network", cfg);
    if (!c->url[BL_SVC_NET])
        c->url[BL_SVC_NET] = bl_xstrdup(c->url[BL_SVC_LB]);
out:
    json_decref(cfg);
    json_decref(catalog);
    return rc;
}
