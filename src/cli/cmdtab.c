/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command table: every command with its positional arguments and
 * options, the same words and flags as `openstack loadbalancer`. The parser,
 * the runner, --help, the man page and the bash completion all read it.
 * Groups shared by many commands (--enable/--disable, tags, output options)
 * are defined once and listed by each command that takes them.
 */
#include "cli/cli.h"
#include "cli/resources.h"

#define A(name, meta, kind, field, res, choices, flags, help)                                      \
    {                                                                                              \
        name, meta, kind, field, res, choices, flags, help                                         \
    }
#define END                                                                                        \
    {                                                                                              \
        0                                                                                          \
    }
#define OPT(name, meta, field, help) A(name, meta, BL_ARG_STR, field, NULL, NULL, 0, help)
#define INT(name, meta, field, help) A(name, meta, BL_ARG_INT, field, NULL, NULL, 0, help)
#define NUL(name, field, help) A(name, NULL, BL_ARG_NULL, field, NULL, NULL, 0, help)
#define SELF(name, meta, res, help)                                                                \
    A(name, meta, BL_ARG_STR, NULL, res, NULL, BL_POS | BL_SELF | BL_REQ, help)
#define PARENT(name, meta, res, help)                                                              \
    A(name, meta, BL_ARG_STR, NULL, res, NULL, BL_POS | BL_PARENT | BL_REQ, help)
#define G(...) ((const struct bl_cli_arg *const[]){__VA_ARGS__, NULL})
#define ARGS(...) ((const struct bl_cli_arg[]){__VA_ARGS__, END})

#define PROTOCOLS "TCP|HTTP|HTTPS|TERMINATED_HTTPS|UDP|SCTP|PROMETHEUS"
#define POOL_PROTOCOLS "TCP|HTTP|HTTPS|TERMINATED_HTTPS|PROXY|PROXYV2|UDP|SCTP"
#define ALGORITHMS "SOURCE_IP|ROUND_ROBIN|LEAST_CONNECTIONS|SOURCE_IP_PORT"
#define HM_TYPES "PING|HTTP|TCP|HTTPS|TLS-HELLO|UDP-CONNECT|SCTP"
#define HTTP_METHODS "GET|POST|DELETE|PUT|HEAD|OPTIONS|PATCH|CONNECT|TRACE"
#define RETRIES "1|2|3|4|5|6|7|8|9"
#define L7_ACTIONS "REDIRECT_TO_URL|REDIRECT_TO_POOL|REDIRECT_PREFIX|REJECT"
#define COMPARE "REGEX|EQUAL_TO|CONTAINS|ENDS_WITH|STARTS_WITH"
#define RULE_TYPES                                                                                 \
    "FILE_TYPE|PATH|COOKIE|HOST_NAME|HEADER|SSL_CONN_HAS_CERT|SSL_VERIFY_RESULT|SSL_DN_FIELD"
#define REDIRECT_CODES "301|302|303|307|308"

const struct bl_cli_arg bl_cli_globals[] = {
    OPT("--os-url", "<url>", "url",
        "Load-balancer API endpoint (env BALLAST_URL; default http://127.0.0.1:9876)"),
    OPT("--os-token", "<token>", "token", "Token sent as X-Auth-Token (env BALLAST_TOKEN)"),
    OPT("--os-cloud", "<cloud>", "cloud", "Cloud from clouds.yaml (env OS_CLOUD)"),
    OPT("--os-auth-type", "<type>", "auth_type", "password, token or none (env OS_AUTH_TYPE)"),
    OPT("--os-auth-url", "<url>", "auth_url", "Keystone v3 URL (env OS_AUTH_URL)"),
    OPT("--os-endpoint", "<url>", "endpoint",
        "Endpoint with --os-auth-type none (env OS_ENDPOINT)"),
    OPT("--os-username", "<name>", "username", "User name (env OS_USERNAME)"),
    OPT("--os-password", "<password>", "password", "Password (env OS_PASSWORD)"),
    OPT("--os-project-name", "<name>", "project_name", "Project to scope to (env OS_PROJECT_NAME)"),
    OPT("--os-project-id", "<id>", "project_id", "Project id to scope to (env OS_PROJECT_ID)"),
    OPT("--os-user-domain-name", "<name>", "user_domain_name",
        "User's domain (env OS_USER_DOMAIN_NAME)"),
    OPT("--os-project-domain-name", "<name>", "project_domain_name",
        "Project's domain (env OS_PROJECT_DOMAIN_NAME)"),
    OPT("--os-region-name", "<region>", "region_name", "Catalog region (env OS_REGION_NAME)"),
    OPT("--os-interface", "<interface>", "interface",
        "Catalog interface: public, internal or admin (env OS_INTERFACE)"),
    A("--debug", NULL, BL_ARG_SWITCH, "debug", NULL, NULL, 0,
      "Print every request and response to stderr"),
    END,
};

/* ---- groups shared by many commands --------------------------------------------------------- */

static const struct bl_cli_arg out_one[] = {
    A("-f/--format", "<format>", BL_ARG_FMT, NULL, NULL, "json|shell|table|value|yaml", 0,
      "Output format (default table)"),
    A("-c/--column", "<column>", BL_ARG_FMT, NULL, NULL, NULL, 0,
      "Show only this field (repeatable)"),
    A("--noindent", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0, "JSON on one line"),
    A("--prefix", "<prefix>", BL_ARG_FMT, NULL, NULL, NULL, 0, "Prefix of shell variable names"),
    A("--max-width", "<integer>", BL_ARG_FMT, NULL, NULL, NULL, 0, "Accepted, tables are not cut"),
    A("--fit-width", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0, "Accepted, tables are not cut"),
    A("--print-empty", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0,
      "Print an empty table when there is nothing to show"),
    END,
};

static const struct bl_cli_arg out_list[] = {
    A("-f/--format", "<format>", BL_ARG_FMT, NULL, NULL, "csv|json|table|value|yaml", 0,
      "Output format (default table)"),
    A("-c/--column", "<column>", BL_ARG_FMT, NULL, NULL, NULL, 0,
      "Show only this column (repeatable)"),
    A("--noindent", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0, "JSON on one line"),
    A("--quote", "<quote>", BL_ARG_FMT, NULL, NULL, "all|minimal|none|nonnumeric", 0,
      "CSV quoting (default nonnumeric)"),
    A("--sort-column", "<column>", BL_ARG_FMT, NULL, NULL, NULL, 0,
      "Sort rows by this column (repeatable; the first has priority)"),
    A("--sort-ascending", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0, "Sort in ascending order"),
    A("--sort-descending", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0, "Sort in descending order"),
    A("--max-width", "<integer>", BL_ARG_FMT, NULL, NULL, NULL, 0, "Accepted, tables are not cut"),
    A("--fit-width", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0, "Accepted, tables are not cut"),
    A("--print-empty", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0,
      "Print an empty table when there is nothing to list"),
    END,
};

static const struct bl_cli_arg enable[] = {
    A("--enable", NULL, BL_ARG_TRUE, "admin_state_up", NULL, NULL, 0, "Administratively up"),
    A("--disable", NULL, BL_ARG_FALSE, "admin_state_up", NULL, NULL, 0, "Administratively down"),
    END,
};

static const struct bl_cli_arg enabled[] = {
    A("--enable", NULL, BL_ARG_TRUE, "enabled", NULL, NULL, 0, "Enabled"),
    A("--disable", NULL, BL_ARG_FALSE, "enabled", NULL, NULL, 0, "Disabled"),
    END,
};

static const struct bl_cli_arg wait[] = {
    A("--wait", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0,
      "Wait until the change is done (ACTIVE, ERROR or gone)"),
    END,
};

static const struct bl_cli_arg tags_set[] = {
    A("--tag", "<tag>", BL_ARG_TAG, "tags", NULL, NULL, 0, "Tag to add (repeatable)"),
    A("--no-tag", NULL, BL_ARG_NOTAG, "tags", NULL, NULL, 0, "Remove the tags first"),
    END,
};

static const struct bl_cli_arg tags_unset[] = {
    A("--tag", "<tag>", BL_ARG_TAG, "tags", NULL, NULL, 0, "Tag to remove (repeatable)"),
    A("--all-tag", NULL, BL_ARG_NOTAG, "tags", NULL, NULL, 0, "Remove every tag"),
    END,
};

static const struct bl_cli_arg tag_filters[] = {
    A("--tags", "<tag>[,<tag>,...]", BL_ARG_CSV, "tags", NULL, NULL, 0, "Having all these tags"),
    A("--any-tags", "<tag>[,<tag>,...]", BL_ARG_CSV, "tags-any", NULL, NULL, 0,
      "Having any of these tags"),
    A("--not-tags", "<tag>[,<tag>,...]", BL_ARG_CSV, "not-tags", NULL, NULL, 0,
      "Not having all of these tags"),
    A("--not-any-tags", "<tag>[,<tag>,...]", BL_ARG_CSV, "not-tags-any", NULL, NULL, 0,
      "Having none of these tags"),
    END,
};

static const struct bl_cli_arg name_desc[] = {
    OPT("--name", "<name>", "name", "New name"),
    OPT("--description", "<description>", "description", "Description"),
    END,
};

static const struct bl_cli_arg unset_name_desc[] = {
    NUL("--name", "name", "Clear the name"),
    NUL("--description", "description", "Clear the description"),
    END,
};

/* ---- load balancers -------------------------------------------------------------------------- */

static const struct bl_cli_arg lb_self[] = {
    SELF("loadbalancer", "<load_balancer>", &bl_res_lb, "Load balancer (name or id)"), END};

static const struct bl_cli_arg lb_create[] = {
    OPT("--vip-address", "<vip_address>", "vip_address", "VIP address"),
    A("--vip-port-id", "<vip_port_id>", BL_ARG_REF, "vip_port_id", &bl_res_port, NULL, 0,
      "Port for the VIP (name or id)"),
    A("--vip-subnet-id", "<vip_subnet_id>", BL_ARG_REF, "vip_subnet_id", &bl_res_subnet, NULL, 0,
      "Subnet for the VIP (name or id)"),
    A("--vip-network-id", "<vip_network_id>", BL_ARG_REF, "vip_network_id", &bl_res_network, NULL,
      0, "Network for the VIP (name or id)"),
    OPT("--vip-qos-policy-id", "<vip_qos_policy_id>", "vip_qos_policy_id", "QoS policy of the VIP"),
    A("--additional-vip", "subnet-id=<name-or-uuid>[,ip-address=<ip>]", BL_ARG_VIP,
      "additional_vips", &bl_res_subnet, NULL, 0, "Another VIP (repeatable)"),
    OPT("--project", "<project>", "project_id", "Owning project (admins only)"),
    OPT("--provider", "<provider>", "provider", "Provider driver"),
    OPT("--availability-zone", "<availability_zone>", "availability_zone", "Availability zone"),
    A("--flavor", "<flavor>", BL_ARG_REF, "flavor_id", &bl_res_flavor, NULL, 0,
      "Flavor (name or id)"),
    END,
};

static const struct bl_cli_arg lb_list[] = {
    OPT("--name", "<name>", "name", "With this name"),
    OPT("--project", "<project-id>", "project_id", "Of this project"),
    OPT("--vip-network-id", "<vip_network_id>", "vip_network_id", "VIP on this network"),
    OPT("--vip-subnet-id", "<vip_subnet_id>", "vip_subnet_id", "VIP on this subnet"),
    OPT("--vip-qos-policy-id", "<vip_qos_policy_id>", "vip_qos_policy_id", "With this QoS policy"),
    OPT("--vip-port-id", "<vip_port_id>", "vip_port_id", "With this VIP port"),
    A("--provisioning-status", "<provisioning_status>", BL_ARG_STR, "provisioning_status", NULL,
      "ACTIVE|DELETED|ERROR|PENDING_CREATE|PENDING_UPDATE|PENDING_DELETE", 0,
      "In this provisioning status"),
    A("--operating-status", "<operating_status>", BL_ARG_STR, "operating_status", NULL,
      "ONLINE|DRAINING|OFFLINE|DEGRADED|ERROR|NO_MONITOR", 0, "In this operating status"),
    OPT("--provider", "<provider>", "provider", "Of this provider"),
    A("--flavor", "<flavor>", BL_ARG_REF, "flavor_id", &bl_res_flavor, NULL, 0, "Of this flavor"),
    OPT("--availability-zone", "<availability_zone>", "availability_zone",
        "In this availability zone"),
    END,
};

static const struct bl_cli_arg lb_set[] = {
    OPT("--vip-qos-policy-id", "<vip_qos_policy_id>", "vip_qos_policy_id", "QoS policy of the VIP"),
    END};
static const struct bl_cli_arg lb_unset[] = {
    NUL("--vip-qos-policy-id", "vip_qos_policy_id", "Clear the QoS policy"), END};
static const struct bl_cli_arg lb_delete[] = {
    A("--cascade", NULL, BL_ARG_TRUE, "cascade", NULL, NULL, BL_QUERY, "Delete its children too"),
    END};

/* ---- listeners ------------------------------------------------------------------------------- */

static const struct bl_cli_arg listener_self[] = {
    SELF("listener", "<listener>", &bl_res_listener, "Listener (name or id)"), END};

static const struct bl_cli_arg listener_common[] = {
    INT("--connection-limit", "<limit>", "connection_limit",
        "Most concurrent connections (-1: any)"),
    A("--default-pool", "<pool>", BL_ARG_REF, "default_pool_id", &bl_res_pool, NULL, 0,
      "Default pool (name or id)"),
    A("--default-tls-container-ref", "<container_ref>", BL_ARG_REFSTR, "default_tls_container_ref",
      NULL, NULL, 0, "TLS certificate container"),
    A("--sni-container-refs", "<container_ref>", BL_ARG_NARGS, "sni_container_refs", NULL, NULL, 0,
      "SNI certificate containers (any number)"),
    A("--insert-headers", "<header=value,...>", BL_ARG_KV, "insert_headers", NULL, NULL, 0,
      "Headers to insert"),
    INT("--timeout-client-data", "<timeout>", "timeout_client_data", "Client inactivity (ms)"),
    INT("--timeout-member-connect", "<timeout>", "timeout_member_connect", "Member connect (ms)"),
    INT("--timeout-member-data", "<timeout>", "timeout_member_data", "Member inactivity (ms)"),
    INT("--timeout-tcp-inspect", "<timeout>", "timeout_tcp_inspect", "TCP inspection (ms)"),
    A("--client-ca-tls-container-ref", "<container_ref>", BL_ARG_REFSTR,
      "client_ca_tls_container_ref", NULL, NULL, 0, "Client CA container"),
    A("--client-authentication", "<client_authentication>", BL_ARG_STR, "client_authentication",
      NULL, "NONE|OPTIONAL|MANDATORY", 0, "TLS client authentication"),
    A("--client-crl-container-ref", "<client_crl_container_ref>", BL_ARG_REFSTR,
      "client_crl_container_ref", NULL, NULL, 0, "Client CRL container"),
    A("--allowed-cidr", "<allowed_cidr>", BL_ARG_LIST, "allowed_cidrs", NULL, NULL, 0,
      "CIDR allowed to connect (repeatable)"),
    OPT("--tls-ciphers", "<tls_ciphers>", "tls_ciphers", "TLS cipher string"),
    A("--tls-version", "<tls_versions>", BL_ARG_LIST, "tls_versions", NULL, NULL, 0,
      "TLS version (repeatable)"),
    A("--alpn-protocol", "<alpn_protocols>", BL_ARG_LIST, "alpn_protocols", NULL, NULL, 0,
      "ALPN protocol (repeatable)"),
    END,
};

static const struct bl_cli_arg listener_create[] = {
    A("loadbalancer", "<loadbalancer>", BL_ARG_REF, "loadbalancer_id", &bl_res_lb, NULL,
      BL_POS | BL_REQ, "Load balancer (name or id)"),
    A("--protocol", "<protocol>", BL_ARG_STR, "protocol", NULL, PROTOCOLS, BL_REQ, "Protocol"),
    A("--protocol-port", "<port>", BL_ARG_INT, "protocol_port", NULL, NULL, BL_REQ, "Port"),
    END,
};

static const struct bl_cli_arg listener_list[] = {
    OPT("--name", "<name>", "name", "With this name"),
    A("--loadbalancer", "<loadbalancer>", BL_ARG_REF, "loadbalancer_id", &bl_res_lb, NULL, 0,
      "Of this load balancer (name or id)"),
    OPT("--project", "<project>", "project_id", "Of this project"),
    END,
};

static const struct bl_cli_arg listener_unset[] = {
    NUL("--connection-limit", "connection_limit", "Back to unlimited"),
    NUL("--default-pool", "default_pool_id", "No default pool"),
    NUL("--default-tls-container-ref", "default_tls_container_ref", "Clear"),
    NUL("--sni-container-refs", "sni_container_refs", "Clear"),
    NUL("--insert-headers", "insert_headers", "Clear"),
    NUL("--timeout-client-data", "timeout_client_data", "Back to the default"),
    NUL("--timeout-member-connect", "timeout_member_connect", "Back to the default"),
    NUL("--timeout-member-data", "timeout_member_data", "Back to the default"),
    NUL("--timeout-tcp-inspect", "timeout_tcp_inspect", "Back to the default"),
    NUL("--client-ca-tls-container-ref", "client_ca_tls_container_ref", "Clear"),
    NUL("--client-authentication", "client_authentication", "Back to NONE"),
    NUL("--client-crl-container-ref", "client_crl_container_ref", "Clear"),
    NUL("--allowed-cidrs", "allowed_cidrs", "Allow every address"),
    NUL("--tls-versions", "tls_versions", "Back to the default"),
    NUL("--tls-ciphers", "tls_ciphers", "Back to the default"),
    NUL("--alpn-protocols", "alpn_protocols", "Back to the default"),
    END,
};

/* ---- pools ----------------------------------------------------------------------------------- */

static const struct bl_cli_arg pool_self[] = {
    SELF("pool", "<pool>", &bl_res_pool, "Pool (name or id)"), END};

static const struct bl_cli_arg pool_create[] = {
    A("--protocol", "<protocol>", BL_ARG_STR, "protocol", NULL, POOL_PROTOCOLS, BL_REQ,
      "Protocol to the members"),
    A("--listener", "<listener>", BL_ARG_REF, "listener_id", &bl_res_listener, NULL, 0,
      "Listener whose default pool this is (name or id)"),
    A("--loadbalancer", "<load_balancer>", BL_ARG_REF, "loadbalancer_id", &bl_res_lb, NULL, 0,
      "Load balancer (name or id)"),
    END,
};

static const struct bl_cli_arg pool_common[] = {
    A("--session-persistence", "<session_persistence>", BL_ARG_KV, "session_persistence", NULL,
      NULL, 0, "type=<type>[,cookie_name=<name>]"),
    A("--lb-algorithm", "<lb_algorithm>", BL_ARG_STR, "lb_algorithm", NULL, ALGORITHMS, 0,
      "Balancing algorithm"),
    A("--tls-container-ref", "<container-ref>", BL_ARG_REFSTR, "tls_container_ref", NULL, NULL, 0,
      "Client certificate container"),
    A("--ca-tls-container-ref", "<ca_tls_container_ref>", BL_ARG_REFSTR, "ca_tls_container_ref",
      NULL, NULL, 0, "CA container"),
    A("--crl-container-ref", "<crl_container_ref>", BL_ARG_REFSTR, "crl_container_ref", NULL, NULL,
      0, "CRL container"),
    A("--enable-tls", NULL, BL_ARG_TRUE, "tls_enabled", NULL, NULL, 0, "TLS to the members"),
    A("--disable-tls", NULL, BL_ARG_FALSE, "tls_enabled", NULL, NULL, 0, "No TLS to the members"),
    OPT("--tls-ciphers", "<tls_ciphers>", "tls_ciphers", "TLS cipher string"),
    A("--tls-version", "<tls_versions>", BL_ARG_LIST, "tls_versions", NULL, NULL, 0,
      "TLS version (repeatable)"),
    A("--alpn-protocol", "<alpn_protocols>", BL_ARG_LIST, "alpn_protocols", NULL, NULL, 0,
      "ALPN protocol (repeatable)"),
    END,
};

static const struct bl_cli_arg pool_list[] = {
    A("--loadbalancer", "<loadbalancer>", BL_ARG_REF, "loadbalancer_id", &bl_res_lb, NULL, 0,
      "Of this load balancer (name or id)"),
    END,
};

static const struct bl_cli_arg pool_unset[] = {
    NUL("--ca-tls-container-ref", "ca_tls_container_ref", "Clear"),
    NUL("--crl-container-ref", "crl_container_ref", "Clear"),
    NUL("--session-persistence", "session_persistence", "No session persistence"),
    NUL("--tls-container-ref", "tls_container_ref", "Clear"),
    NUL("--tls-versions", "tls_versions", "Back to the default"),
    NUL("--tls-ciphers", "tls_ciphers", "Back to the default"),
    NUL("--alpn-protocols", "alpn_protocols", "Back to the default"),
    END,
};

/* ---- members --------------------------------------------------------------------------------- */

static const struct bl_cli_arg member_pool[] = {
    PARENT("pool", "<pool>", &bl_res_pool, "Pool (name or id)"), END};
static const struct bl_cli_arg member_self[] = {
    PARENT("pool", "<pool>", &bl_res_pool, "Pool (name or id)"),
    SELF("member", "<member>", &bl_res_member, "Member (name or id)"),
    END,
};

static const struct bl_cli_arg member_common[] = {
    OPT("--name", "<name>", "name", "Name"),
    A("--disable-backup", NULL, BL_ARG_FALSE, "backup", NULL, NULL, 0, "Not a backup member"),
    A("--enable-backup", NULL, BL_ARG_TRUE, "backup", NULL, NULL, 0,
      "A backup: used only when no other member is up"),
    INT("--weight", "<weight>", "weight", "Share of new connections (0..256)"),
    END,
};

static const struct bl_cli_arg member_create[] = {
    A("--address", "<ip_address>", BL_ARG_STR, "address", NULL, NULL, BL_REQ, "Member's address"),
    A("--subnet-id", "<subnet_id>", BL_ARG_REF, "subnet_id", &bl_res_subnet, NULL, 0,
      "Member's subnet (name or id)"),
    A("--protocol-port", "<protocol_port>", BL_ARG_INT, "protocol_port", NULL, NULL, BL_REQ,
      "Member's port"),
    END,
};

static const struct bl_cli_arg member_monitor[] = {
    INT("--monitor-port", "<monitor_port>", "monitor_port", "Port the health monitor probes"),
    OPT("--monitor-address", "<monitor_address>", "monitor_address",
        "Address the health monitor probes"),
    END,
};

static const struct bl_cli_arg member_unset[] = {
    A("--backup", NULL, BL_ARG_NULL, "backup", NULL, NULL, 0, "Not a backup"),
    NUL("--monitor-address", "monitor_address", "Probe the member's address"),
    NUL("--monitor-port", "monitor_port", "Probe the member's port"),
    NUL("--name", "name", "Clear the name"),
    NUL("--weight", "weight", "Back to weight 1"),
    END,
};

/* ---- health monitors ------------------------------------------------------------------------- */

static const struct bl_cli_arg hm_self[] = {
    SELF("health_monitor", "<health_monitor>", &bl_res_hm, "Health monitor (name or id)"), END};

static const struct bl_cli_arg hm_create[] = {
    A("pool", "<pool>", BL_ARG_REF, "pool_id", &bl_res_pool, NULL, BL_POS | BL_REQ,
      "Pool to monitor (name or id)"),
    A("--delay", "<delay>", BL_ARG_INT, "delay", NULL, NULL, BL_REQ, "Seconds between probes"),
    A("--timeout", "<timeout>", BL_ARG_INT, "timeout", NULL, NULL, BL_REQ,
      "Seconds a probe may take"),
    A("--max-retries", "<max_retries>", BL_ARG_INT, "max_retries", NULL, RETRIES, BL_REQ,
      "Passes in a row that mark a member up"),
    A("--type", "<type>", BL_ARG_STR, "type", NULL, HM_TYPES, BL_REQ, "Probe type"),
    END,
};

static const struct bl_cli_arg hm_common[] = {
    OPT("--name", "<name>", "name", "Name"),
    OPT("--domain-name", "<domain_name>", "domain_name", "Host header of HTTP probes"),
    OPT("--expected-codes", "<codes>", "expected_codes", "HTTP codes meaning up (200,202 200-204)"),
    A("--http-method", "<http_method>", BL_ARG_STR, "http_method", NULL, HTTP_METHODS, 0,
      "HTTP method of probes"),
    A("--http-version", "<http_version>", BL_ARG_FLOAT, "http_version", NULL, "1.0|1.1", 0,
      "HTTP version of probes"),
    OPT("--url-path", "<url_path>", "url_path", "Path of HTTP probes"),
    A("--max-retries-down", "<max_retries_down>", BL_ARG_INT, "max_retries_down", NULL, RETRIES, 0,
      "Failures in a row that mark a member down"),
    END,
};

static const struct bl_cli_arg hm_set[] = {
    INT("--delay", "<delay>", "delay", "Seconds between probes"),
    INT("--timeout", "<timeout>", "timeout", "Seconds a probe may take"),
    A("--max-retries", "<max_retries>", BL_ARG_INT, "max_retries", NULL, RETRIES, 0,
      "Passes in a row that mark a member up"),
    END,
};

static const struct bl_cli_arg hm_unset[] = {
    NUL("--domain-name", "domain_name", "Clear"),
    NUL("--expected-codes", "expected_codes", "Back to 200"),
    NUL("--http-method", "http_method", "Back to GET"),
    NUL("--http-version", "http_version", "Back to 1.0"),
    NUL("--max-retries-down", "max_retries_down", "Back to 3"),
    NUL("--name", "name", "Clear the name"),
    NUL("--url-path", "url_path", "Back to /"),
    END,
};

/* ---- L7 policies and rules ------------------------------------------------------------------- */

static const struct bl_cli_arg l7p_self[] = {
    SELF("l7policy", "<policy>", &bl_res_l7policy, "L7 policy (name or id)"), END};

static const struct bl_cli_arg l7p_create[] = {
    A("listener", "<listener>", BL_ARG_REF, "listener_id", &bl_res_listener, NULL, BL_POS | BL_REQ,
      "Listener (name or id)"),
    A("--action", "<action>", BL_ARG_STR, "action", NULL, L7_ACTIONS, BL_REQ, "Action"),
    END,
};

static const struct bl_cli_arg l7p_common[] = {
    A("--redirect-pool", "<pool>", BL_ARG_REF, "redirect_pool_id", &bl_res_pool, NULL, 0,
      "Pool to send matching requests to (name or id)"),
    OPT("--redirect-url", "<url>", "redirect_url", "URL to redirect to"),
    OPT("--redirect-prefix", "<url>", "redirect_prefix", "URL prefix to redirect to"),
    A("--redirect-http-code", "<redirect_http_code>", BL_ARG_INT, "redirect_http_code", NULL,
      REDIRECT_CODES, 0, "HTTP code of redirects"),
    INT("--position", "<position>", "position", "Position among the listener's policies"),
    END,
};

static const struct bl_cli_arg l7p_set[] = {
    A("--action", "<action>", BL_ARG_STR, "action", NULL, L7_ACTIONS, 0, "Action"), END};

static const struct bl_cli_arg l7p_list[] = {A("--listener", "<listener>", BL_ARG_REF,
                                               "listener_id", &bl_res_listener, NULL, 0,
                                               "Of this listener (name or id)"),
                                             END};

static const struct bl_cli_arg l7p_unset[] = {
    NUL("--redirect-http-code", "redirect_http_code", "Back to the default"), END};

static const struct bl_cli_arg l7r_policy[] = {
    PARENT("l7policy", "<l7policy>", &bl_res_l7policy, "L7 policy (name or id)"), END};
static const struct bl_cli_arg l7r_self[] = {
    PARENT("l7policy", "<l7policy>", &bl_res_l7policy, "L7 policy (name or id)"),
    SELF("l7rule", "<rule_id>", &bl_res_l7rule, "L7 rule (id)"),
    END,
};

static const struct bl_cli_arg l7r_create[] = {
    A("--compare-type", "<compare_type>", BL_ARG_STR, "compare_type", NULL, COMPARE, BL_REQ,
      "How to compare"),
    A("--invert", NULL, BL_ARG_TRUE, "invert", NULL, NULL, 0, "Match when the rule does not"),
    A("--value", "<value>", BL_ARG_STR, "value", NULL, NULL, BL_REQ, "Value to compare with"),
    OPT("--key", "<key>", "key", "Header or cookie name"),
    A("--type", "<type>", BL_ARG_STR, "type", NULL, RULE_TYPES, BL_REQ, "What to compare"),
    END,
};

static const struct bl_cli_arg l7r_set[] = {
    A("--compare-type", "<compare_type>", BL_ARG_STR, "compare_type", NULL, COMPARE, 0,
      "How to compare"),
    A("--invert", NULL, BL_ARG_TRUE, "invert", NULL, NULL, 0, "Match when the rule does not"),
    OPT("--value", "<value>", "value", "Value to compare with"),
    OPT("--key", "<key>", "key", "Header or cookie name"),
    A("--type", "<type>", BL_ARG_STR, "type", NULL, RULE_TYPES, 0, "What to compare"),
    END,
};

static const struct bl_cli_arg l7r_unset[] = {
    A("--invert", NULL, BL_ARG_FALSE, "invert", NULL, NULL, 0, "Do not invert"),
    NUL("--key", "key", "Clear the key"),
    END,
};

/* ---- quotas, providers, amphorae, flavors, availability zones -------------------------------- */

static const struct bl_cli_arg quota_self[] = {A("project", "<project>", BL_ARG_STR, NULL,
                                                 &bl_res_quota, NULL,
                                                 BL_POS | BL_SELF | BL_REQ | BL_RAW, "Project id"),
                                               END};

static const struct bl_cli_arg quota_list[] = {
    OPT("--project", "<project-id>", "project_id", "Of this project"), END};

static const struct bl_cli_arg quota_set[] = {
    INT("--healthmonitor", "<health_monitor>", "health_monitor", "Health monitors (-1: any)"),
    INT("--listener", "<listener>", "listener", "Listeners (-1: any)"),
    INT("--loadbalancer", "<load_balancer>", "load_balancer", "Load balancers (-1: any)"),
    INT("--member", "<member>", "member", "Members (-1: any)"),
    INT("--pool", "<pool>", "pool", "Pools (-1: any)"),
    INT("--l7policy", "<l7policy>", "l7policy", "L7 policies (-1: any)"),
    INT("--l7rule", "<l7rule>", "l7rule", "L7 rules (-1: any)"),
    END,
};

static const struct bl_cli_arg quota_unset[] = {
    NUL("--loadbalancer", "load_balancer", "Back to the default"),
    NUL("--listener", "listener", "Back to the default"),
    NUL("--pool", "pool", "Back to the default"),
    NUL("--member", "member", "Back to the default"),
    NUL("--healthmonitor", "health_monitor", "Back to the default"),
    NUL("--l7policy", "l7policy", "Back to the default"),
    NUL("--l7rule", "l7rule", "Back to the default"),
    END,
};

static const struct bl_cli_arg caps[] = {
    A("provider", "<provider_name>", BL_ARG_STR, NULL, &bl_res_provider, NULL,
      BL_POS | BL_PARENT | BL_REQ | BL_RAW, "Provider"),
    A("--flavor", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0, "Only flavor capabilities"),
    A("--availability-zone", NULL, BL_ARG_SWITCH, NULL, NULL, NULL, 0,
      "Only availability zone capabilities"),
    END,
};

static const struct bl_cli_arg amp_self[] = {
    SELF("amphora_id", "<amphora-id>", &bl_res_amphora, "Amphora id"), END};
static const struct bl_cli_arg amp_list[] = {
    A("--loadbalancer", "<loadbalancer>", BL_ARG_REF, "loadbalancer_id", &bl_res_lb, NULL, 0,
      "Of this load balancer"),
    OPT("--compute-id", "<compute-id>", "compute_id", "On this compute instance"),
    A("--role", "<role>", BL_ARG_STR, "role", NULL, "BACKUP|MASTER|STANDALONE", 0, "In this role"),
    A("--status/--provisioning-status", "<status>", BL_ARG_STR, "status", NULL,
      "ALLOCATED|BOOTING|DELETED|ERROR|PENDING_CREATE|PENDING_DELETE|READY", 0, "In this status"),
    END,
};

static const struct bl_cli_arg flavor_self[] = {
    SELF("flavor", "<flavor>", &bl_res_flavor, "Flavor (name or id)"), END};
static const struct bl_cli_arg flavor_create[] = {
    A("--name", "<name>", BL_ARG_STR, "name", NULL, NULL, BL_REQ, "Name"),
    A("--flavorprofile", "<flavor_profile>", BL_ARG_REF, "flavor_profile_id", &bl_res_flavorprofile,
      NULL, BL_REQ, "Flavor profile (name or id)"),
    OPT("--description", "<description>", "description", "Description"),
    END,
};
static const struct bl_cli_arg flavor_list[] = {
    OPT("--name", "<name>", "name", "With this name"),
    A("--flavorprofile", "<flavor_profile>", BL_ARG_REF, "flavor_profile_id", &bl_res_flavorprofile,
      NULL, 0, "Of this profile"),
    END,
};
static const struct bl_cli_arg unset_desc[] = {
    NUL("--description", "description", "Clear the description"), END};
static const struct bl_cli_arg name_only[] = {OPT("--name", "<name>", "name", "New name"), END};

static const struct bl_cli_arg fp_self[] = {
    SELF("flavorprofile", "<flavor_profile>", &bl_res_flavorprofile, "Flavor profile"), END};
static const struct bl_cli_arg fp_create[] = {
    A("--name", "<name>", BL_ARG_STR, "name", NULL, NULL, BL_REQ, "Name"),
    A("--provider", "<provider name>", BL_ARG_STR, "provider_name", NULL, NULL, BL_REQ, "Provider"),
    A("--flavor-data", "<flavor_data>", BL_ARG_STR, "flavor_data", NULL, NULL, BL_REQ,
      "Flavor metadata (JSON)"),
    END,
};
static const struct bl_cli_arg fp_set[] = {
    OPT("--name", "<name>", "name", "New name"),
    OPT("--provider", "<provider_name>", "provider_name", "Provider"),
    OPT("--flavor-data", "<flavor_data>", "flavor_data", "Flavor metadata (JSON)"),
    END,
};
static const struct bl_cli_arg fp_list[] = {
    OPT("--name", "<name>", "name", "With this name"),
    OPT("--provider", "<provider_name>", "provider_name", "Of this provider"),
    END,
};

static const struct bl_cli_arg az_self[] = {
    SELF("availabilityzone", "<availabilityzone>", &bl_res_az, "Availability zone (name)"), END};
static const struct bl_cli_arg az_create[] = {
    A("--name", "<name>", BL_ARG_STR, "name", NULL, NULL, BL_REQ, "Name"),
    A("--availabilityzoneprofile", "<availabilityzone_profile>", BL_ARG_REF,
      "availability_zone_profile_id", &bl_res_azprofile, NULL, BL_REQ,
      "Availability zone profile (name or id)"),
    OPT("--description", "<description>", "description", "Description"),
    END,
};
static const struct bl_cli_arg az_list[] = {
    OPT("--name", "<name>", "name", "With this name"),
    A("--availabilityzoneprofile", "<availabilityzone_profile>", BL_ARG_REF,
      "availability_zone_profile_id", &bl_res_azprofile, NULL, 0, "Of this profile"),
    END,
};
static const struct bl_cli_arg desc_only[] = {
    OPT("--description", "<description>", "description", "Description"), END};

static const struct bl_cli_arg azp_self[] = {SELF("availabilityzoneprofile",
                                                  "<availabilityzone_profile>", &bl_res_azprofile,
                                                  "Availability zone profile"),
                                             END};
static const struct bl_cli_arg azp_create[] = {
    A("--name", "<name>", BL_ARG_STR, "name", NULL, NULL, BL_REQ, "Name"),
    A("--provider", "<provider name>", BL_ARG_STR, "provider_name", NULL, NULL, BL_REQ, "Provider"),
    A("--availability-zone-data", "<availability_zone_data>", BL_ARG_STR, "availability_zone_data",
      NULL, NULL, BL_REQ, "Zone metadata (JSON)"),
    END,
};
static const struct bl_cli_arg azp_set[] = {
    OPT("--name", "<name>", "name", "New name"),
    OPT("--provider", "<provider_name>", "provider_name", "Provider"),
    OPT("--availabilityzone-data", "<availabilityzone_data>", "availability_zone_data",
        "Zone metadata (JSON)"),
    END,
};

#include "cli/cmdlist.inc"
