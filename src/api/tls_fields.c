/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLS fields of listeners and pools as Octavia's API checks them (the
 * messages were taken from its answers): tls_ciphers characters and
 * alpn_protocols values on every object (wsme type checks), the version and
 * ALPN lists where TLS is on, and Octavia's defaults filled in when a
 * TERMINATED_HTTPS listener or a tls_enabled pool leaves them null.
 */
#include "api/internal.h"

#include <string.h>

#include "net/tls.h"

static const char *const alpn_ok[] = {"http/1.1", "h2", "http/1.0", NULL};
static const char *const versions_ok[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", NULL};

static bool one_of(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++) {
        if (strcmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

/* The first of `list` not in `ok`, or NULL. */
static const char *first_bad(json_t *list, const char *const *ok)
{
    json_t *v;
    size_t i;

    json_array_foreach(list, i, v)
    {
        if (!one_of(json_string_value(v), ok))
            return json_string_value(v) ? json_string_value(v) : "";
    }
    return NULL;
}

/* Python's repr of a list of strings, as wsme prints the value. */
static void py_repr(json_t *list, char *out, size_t cap)
{
    size_t i, n = 0;
    json_t *v;

    n += (size_t)snprintf(out + n, cap - n, "[");
    json_array_foreach(list, i, v)
    {
        if (n < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s'%s'", i ? ", " : "",
                                  json_string_value(v) ? json_string_value(v) : "");
    }
    if (n < cap)
        snprintf(out + n, cap - n, "]");
}

int bl_api_check_tls_types(struct ctx *c, json_t *obj)
{
    const char *ciphers = json_string_value(json_object_get(obj, "tls_ciphers"));
    json_t *alpn = json_object_get(obj, "alpn_protocols");
    char repr[512];

    if (json_is_array(alpn) && first_bad(alpn, alpn_ok)) {
        py_repr(alpn, repr, sizeof(repr));
        return fault(c, 400,
                     "Invalid input for field/attribute alpn_protocols. Value: '%s'. "
                     "Value should be a valid ALPN protocol ID",
                     repr);
    }
    if (ciphers && (ciphers[0] == '\0' ||
                    strspn(ciphers, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-+!:@=_.") != strlen(ciphers)))
        return fault(c, 400,
                     "Validation failure: Invalid characters in cipher string. Only "
                     "alphanumeric, -, +, !, :, @, =, _, and . are allowed.");
    return 0;
}

static json_t *string_list(const char *const *v)
{
    json_t *a = json_array();
    for (int i = 0; v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

int bl_api_check_tls_lists(struct ctx *c, json_t *obj)
{
    static const char *const def_versions[] = {"TLSv1.2", "TLSv1.3", NULL};
    static const char *const def_alpn[] = {"h2", "http/1.1", "http/1.0", NULL};
    json_t *versions = json_object_get(obj, "tls_versions");
    json_t *alpn = json_object_get(obj, "alpn_protocols");
    const char *bad;

    if (json_is_array(versions) && json_array_size(versions) == 0)
        return fault(c, 400,
                     "Validation failure: Empty TLS version list. Either specify at "
                     "least one TLS version or remove this parameter to use the "
                     "default.");
    if (json_is_array(versions) && (bad = first_bad(versions, versions_ok)) != NULL)
        return fault(c, 400, "Validation failure: Invalid TLS versions: %s", bad);
    if (json_is_array(alpn) && json_array_size(alpn) == 0)
        return fault(c, 400,
                     "Validation failure: Empty ALPN protocol list. Either specify at "
                     "least one ALPN protocol or remove this parameter to use the "
                     "default.");
    /* Octavia stores its defaults in the object when TLS is on. */
    if (json_is_null(json_object_get(obj, "tls_ciphers")))
        json_object_set_new(obj, "tls_ciphers", json_string(BL_TLS_CIPHERS_DEFAULT));
    if (versions == NULL || json_is_null(versions))
        json_object_set_new(obj, "tls_versions", string_list(def_versions));
    if (alpn == NULL || json_is_null(alpn))
        json_object_set_new(obj, "alpn_protocols", string_list(def_alpn));
    return 0;
}
