/* SPDX-License-Identifier: Apache-2.0 */
#include "api/resources.h"

#define C BL_F_CREATE
#define U BL_F_UPDATE
#define R BL_F_REQUIRED
#define I BL_F_INPUT
#define TIMEOUT_MAX 2073600000

static const char *const listener_protocols[] = {
    "HTTP", "UDP", "PROMETHEUS", "SCTP", "TERMINATED_HTTPS", "TCP", "HTTPS", NULL};
static const char *const pool_protocols[] = {"HTTP",  "HTTPS",   "PROXY", "PROXYV2",
                                             "SCTP",  "TCP",     "UDP",   NULL};
static const char *const algorithms[] = {"SOURCE_IP_PORT", "ROUND_ROBIN", "SOURCE_IP",
                                         "LEAST_CONNECTIONS", NULL};
static const char *const client_auth[] = {"NONE", "OPTIONAL", "MANDATORY", NULL};
static const char *const hm_types[] = {"HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO",
                                       "UDP-CONNECT", "SCTP", NULL};
static const char *const http_methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "TRACE",
                                           "OPTIONS", "CONNECT", "PATCH", NULL};

const struct bl_field bl_spec_loadbalancer[] = {
    {"name", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"description", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"admin_state_up", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"vip_address", BL_F_IP, C, "null", 0, 0, NULL},
    {"vip_subnet_id", BL_F_UUID, C, "null", 0, 0, NULL},
    {"vip_network_id", BL_F_UUID, C, "null", 0, 0, NULL},
    {"vip_port_id", BL_F_UUID, C, "null", 0, 0, NULL},
    {"vip_qos_policy_id", BL_F_UUID, C | U, "null", 0, 0, NULL},
    {"additional_vips", BL_F_STRLIST, C, "[]", 0, 0, NULL},
    {"provider", BL_F_STRING, C, "null", 0, 0, NULL},
    {"flavor_id", BL_F_UUID, C, "null", 0, 0, NULL},
    {"availability_zone", BL_F_STRING, C, "null", 0, 0, NULL},
    {"project_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tenant_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tags", BL_F_TAGS, C | U, "[]", 0, 0, NULL},
    {"listeners", BL_F_OBJLIST, C | I, NULL, 0, 0, NULL},
    {"pools", BL_F_OBJLIST, C | I, NULL, 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

const struct bl_field bl_spec_listener[] = {
    {"name", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"description", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"admin_state_up", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"loadbalancer_id", BL_F_UUID, C | R | I, NULL, 0, 0, NULL},
    {"default_pool", BL_F_OBJECT, C | I, NULL, 0, 0, NULL},
    {"l7policies", BL_F_OBJLIST, C | I, NULL, 0, 0, NULL},
    {"protocol", BL_F_ENUM, C | R, NULL, 0, 0, listener_protocols},
    {"protocol_port", BL_F_INT, C | R, NULL, 1, 65535, NULL},
    {"connection_limit", BL_F_INT, C | U, "-1", -1, 2147483647, NULL},
    {"default_pool_id", BL_F_UUID, C | U, "null", 0, 0, NULL},
    {"default_tls_container_ref", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"sni_container_refs", BL_F_STRLIST, C | U, "[]", 0, 0, NULL},
    {"insert_headers", BL_F_OBJECT, C | U, "{}", 0, 0, NULL},
    {"timeout_client_data", BL_F_INT, C | U, "50000", 0, TIMEOUT_MAX, NULL},
    {"timeout_member_connect", BL_F_INT, C | U, "5000", 0, TIMEOUT_MAX, NULL},
    {"timeout_member_data", BL_F_INT, C | U, "50000", 0, TIMEOUT_MAX, NULL},
    {"timeout_tcp_inspect", BL_F_INT, C | U, "0", 0, TIMEOUT_MAX, NULL},
    {"ballast_timeout_http_request", BL_F_INT, C | U, "10000", 0, TIMEOUT_MAX, NULL},
    {"client_authentication", BL_F_ENUM, C | U, "\"NONE\"", 0, 0, client_auth},
    {"client_ca_tls_container_ref", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"client_crl_container_ref", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"allowed_cidrs", BL_F_STRLIST, C | U, "null", 0, 0, NULL},
    {"tls_ciphers", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"tls_versions", BL_F_STRLIST, C | U, "null", 0, 0, NULL},
    {"alpn_protocols", BL_F_STRLIST, C | U, "null", 0, 0, NULL},
    {"project_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tenant_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tags", BL_F_TAGS, C | U, "[]", 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

const struct bl_field bl_spec_pool[] = {
    {"name", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"description", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"admin_state_up", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"listener_id", BL_F_UUID, C | I, NULL, 0, 0, NULL},
    {"loadbalancer_id", BL_F_UUID, C | I, NULL, 0, 0, NULL},
    {"protocol", BL_F_ENUM, C | R, NULL, 0, 0, pool_protocols},
    {"lb_algorithm", BL_F_ENUM, C | U | R, NULL, 0, 0, algorithms},
    {"members", BL_F_OBJLIST, C | I, NULL, 0, 0, NULL},
    {"healthmonitor", BL_F_OBJECT, C | I, NULL, 0, 0, NULL},
    {"session_persistence", BL_F_OBJECT, C | U, "null", 0, 0, NULL},
    {"tls_enabled", BL_F_BOOL, C | U, "false", 0, 0, NULL},
    {"tls_container_ref", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"ca_tls_container_ref", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"crl_container_ref", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"tls_ciphers", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"tls_versions", BL_F_STRLIST, C | U, "null", 0, 0, NULL},
    {"alpn_protocols", BL_F_STRLIST, C | U, "null", 0, 0, NULL},
    {"project_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tenant_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tags", BL_F_TAGS, C | U, "[]", 0, 0, NULL},
    /* ballast's extensions (docs/api-extensions.md); the object's fields are
     * checked by config/parse.c when the write is validated (check_runnable). */
    {"ballast_panic", BL_F_BOOL, C | U, "false", 0, 0, NULL},
    {"ballast_close_on_markdown", BL_F_BOOL, C | U, "false", 0, 0, NULL},
    {"ballast_outlier_detection", BL_F_OBJECT, C | U, "null", 0, 0, NULL},
    {"ballast_retry_policy", BL_F_OBJECT, C | U, "null", 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

const struct bl_field bl_spec_member[] = {
    {"name", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"admin_state_up", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"address", BL_F_IP, C | R, NULL, 0, 0, NULL},
    {"protocol_port", BL_F_INT, C | R, NULL, 1, 65535, NULL},
    {"weight", BL_F_INT, C | U, "1", 0, 256, NULL},
    {"backup", BL_F_BOOL, C | U, "false", 0, 0, NULL},
    {"subnet_id", BL_F_UUID, C, "null", 0, 0, NULL},
    {"monitor_address", BL_F_IP, C | U, "null", 0, 0, NULL},
    {"monitor_port", BL_F_INT, C | U, "null", 1, 65535, NULL},
    {"project_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tenant_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tags", BL_F_TAGS, C | U, "[]", 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

const struct bl_field bl_spec_healthmonitor[] = {
    {"name", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"admin_state_up", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"pool_id", BL_F_UUID, C | R | I, NULL, 0, 0, NULL},
    {"type", BL_F_ENUM, C | R, NULL, 0, 0, hm_types},
    {"delay", BL_F_INT, C | U | R, NULL, 0, 2147483647, NULL},
    {"timeout", BL_F_INT, C | U | R, NULL, 0, 2147483647, NULL},
    {"max_retries", BL_F_INT, C | U | R, NULL, 1, 10, NULL},
    {"max_retries_down", BL_F_INT, C | U, "3", 1, 10, NULL},
    {"http_method", BL_F_ENUM, C | U, NULL, 0, 0, http_methods},
    {"url_path", BL_F_STRING, C | U, NULL, 0, 0, NULL},
    {"expected_codes", BL_F_STRING, C | U, NULL, 0, 0, NULL},
    {"http_version", BL_F_VERSION, C | U, NULL, 0, 0, NULL},
    {"domain_name", BL_F_STRING, C | U, NULL, 0, 0, NULL},
    {"project_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tenant_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tags", BL_F_TAGS, C | U, "[]", 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

/* wsme prints an enum's values from a set: sorted here. */
static const char *const l7_actions[] = {"REDIRECT_PREFIX", "REDIRECT_TO_POOL", "REDIRECT_TO_URL",
                                         "REJECT", NULL};
static const char *const l7_types[] = {"COOKIE",           "FILE_TYPE",         "HEADER",
                                       "HOST_NAME",        "PATH",              "SSL_CONN_HAS_CERT",
                                       "SSL_DN_FIELD",     "SSL_VERIFY_RESULT", NULL};
static const char *const l7_compares[] = {"CONTAINS", "ENDS_WITH", "EQUAL_TO", "REGEX",
                                          "STARTS_WITH", NULL};

const struct bl_field bl_spec_l7policy[] = {
    {"name", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"description", BL_F_NAME, C | U, "\"\"", 0, 0, NULL},
    {"admin_state_up", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"listener_id", BL_F_UUID, C | R | I, NULL, 0, 0, NULL},
    {"action", BL_F_ENUM, C | U | R, NULL, 0, 0, l7_actions},
    {"redirect_pool_id", BL_F_UUID, C | U, "null", 0, 0, NULL},
    {"redirect_url", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"redirect_prefix", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"redirect_http_code", BL_F_INT, C | U, "null", 0, 2147483647, NULL},
    {"position", BL_F_INT, C | U, "2147483647", 1, 2147483647, NULL},
    {"rules", BL_F_OBJLIST, C | I, NULL, 0, 0, NULL},
    {"project_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tenant_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tags", BL_F_TAGS, C | U, "[]", 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};

const struct bl_field bl_spec_l7rule[] = {
    {"type", BL_F_ENUM, C | U | R, NULL, 0, 0, l7_types},
    {"compare_type", BL_F_ENUM, C | U | R, NULL, 0, 0, l7_compares},
    {"key", BL_F_STRING, C | U, "null", 0, 0, NULL},
    {"value", BL_F_STRING, C | U | R, NULL, 0, 0, NULL},
    {"invert", BL_F_BOOL, C | U, "false", 0, 0, NULL},
    {"admin_state_up", BL_F_BOOL, C | U, "true", 0, 0, NULL},
    {"project_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tenant_id", BL_F_STRING, C | I, NULL, 0, 0, NULL},
    {"tags", BL_F_TAGS, C | U, "[]", 0, 0, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL},
};
