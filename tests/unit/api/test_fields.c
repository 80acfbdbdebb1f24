/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/api/fields.c: Octavia defaults and wsme error texts. */
#include <string.h>

#include "api/fields.h"
#include "api/resources.h"
#include "tap.h"

static json_t *apply(const struct bl_field *spec, bool create, const char *in_text, char *msg)
{
    json_t *in = json_loads(in_text, 0, NULL), *out = json_object();
    struct bl_err err = {0};
    int rc = bl_fields_apply(spec, create, "load_balancer.loadbalancer", in, out, &err);

    json_decref(in);
    strcpy(msg, err.msg);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static void expect(const struct bl_field *spec, const char *in, const char *want)
{
    char msg[512];
    json_t *out = apply(spec, true, in, msg);

    ok(out == NULL, "rejected: %s", in);
    is_str(msg, want, "faultstring");
    json_decref(out);
}

int main(void)
{
    char msg[512], *text;
    json_t *out;

    out = apply(bl_spec_listener, true,
                "{\"loadbalancer_id\": \"87DA6977-343a-43a3-9bbd-5e830cb8affd\","
                " \"protocol\": \"TCP\", \"protocol_port\": \"22\", \"connection_limit\": \"100\"}",
                msg);
    ok(out != NULL, "a listener as the CLI sends it (numbers as strings)");
    if (out) {
        is_int(json_integer_value(json_object_get(out, "protocol_port")), 22, "port converted");
        is_int(json_integer_value(json_object_get(out, "connection_limit")), 100, "limit converted");
        is_int(json_integer_value(json_object_get(out, "timeout_client_data")), 50000, "default");
        is_str(json_string_value(json_object_get(out, "client_authentication")), "NONE", "enum default");
        is_str(json_string_value(json_object_get(out, "loadbalancer_id")),
               "87da6977-343a-43a3-9bbd-5e830cb8affd", "UUIDs are lower-cased");
        ok(json_is_null(json_object_get(out, "allowed_cidrs")), "allowed_cidrs null by default");
        text = json_dumps(json_object_get(out, "tags"), 0);
        is_str(text, "[]", "tags default to []");
        free(text);
        json_decref(out);
    }
    expect(bl_spec_listener, "{\"loadbalancer_id\": \"87da6977-343a-43a3-9bbd-5e830cb8affd\","
                             " \"protocol\": \"FTP\", \"protocol_port\": 22}",
           "Invalid input for field/attribute protocol. Value: 'FTP'. Value should be one of: "
           "HTTP, UDP, PROMETHEUS, SCTP, TERMINATED_HTTPS, TCP, HTTPS");
    expect(bl_spec_listener, "{\"loadbalancer_id\": \"87da6977-343a-43a3-9bbd-5e830cb8affd\","
                             " \"protocol\": \"TCP\", \"protocol_port\": 70000}",
           "Invalid input for field/attribute protocol_port. Value: '70000'. Value should be lower "
           "or equal to 65535");
    expect(bl_spec_listener, "{\"loadbalancer_id\": \"87da6977-343a-43a3-9bbd-5e830cb8affd\","
                             " \"protocol\": \"TCP\"}",
           "Invalid input for field/attribute protocol_port. Value: 'None'. Mandatory field missing.");
    expect(bl_spec_loadbalancer, "{\"vip_subnet_id\": \"not-a-uuid\"}",
           "Invalid input for field/attribute vip_subnet_id. Value: 'not-a-uuid'. Value should be "
           "UUID format");
    expect(bl_spec_loadbalancer, "{\"colour\": \"red\"}",
           "Unknown attribute for argument load_balancer.loadbalancer: colour");
    expect(bl_spec_loadbalancer, "{\"admin_state_up\": \"maybe\"}",
           "Invalid input for field/attribute admin_state_up. Value: 'maybe'. Value not an "
           "unambiguous boolean: maybe");
    expect(bl_spec_member, "{\"address\": \"10.0.0.1\", \"protocol_port\": 1, \"weight\": 1000}",
           "Invalid input for field/attribute weight. Value: '1000'. Value should be lower or "
           "equal to 256");
    expect(bl_spec_member, "{\"address\": \"10.0.0.300\", \"protocol_port\": 1}",
           "Invalid input for field/attribute address. Value: '10.0.0.300'. Value should be IPv4 "
           "or IPv6 format");

    /* Update: only given fields; null resets to the default; create-only fields refused. */
    {
        json_t *in = json_loads("{\"weight\": null, \"name\": null, \"backup\": \"yes\"}", 0, NULL);
        json_t *cur = json_loads("{\"weight\": 7, \"name\": \"m\", \"backup\": false}", 0, NULL);
        struct bl_err err = {0};
        is_int(bl_fields_apply(bl_spec_member, false, "member", in, cur, &err), 0, "update");
        is_int(json_integer_value(json_object_get(cur, "weight")), 1, "null resets weight to 1");
        is_str(json_string_value(json_object_get(cur, "name")), "", "null clears the name");
        ok(json_is_true(json_object_get(cur, "backup")), "\"yes\" is true");
        json_decref(in);
        in = json_loads("{\"address\": \"10.0.0.2\"}", 0, NULL);
        is_int(bl_fields_apply(bl_spec_member, false, "member.member", in, cur, &err), -22,
               "address cannot be updated");
        is_str(err.msg, "Unknown attribute for argument member.member: address", "named as unknown");
        json_decref(in);
        json_decref(cur);
    }
    {
        char id[37];
        bl_uuid_new(id);
        ok(bl_is_uuid(id) && id[14] == '4', "a new UUID is version 4: %s", id);
        ok(!bl_is_uuid("87da6977-343a-43a3-9bbd-5e830cb8aff"), "35 characters is not a UUID");
    }
    return done_testing();
}
