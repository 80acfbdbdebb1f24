/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the client knows of each kind of object: where it lives, its JSON
 * keys, and the rows of `show` and columns of `list` in the order the
 * OpenStack client prints them (python-octaviaclient's constants), so a
 * user switching clients sees the same tables.
 */
#include "cli/resources.h"

const struct bl_cli_res bl_res_lb = {
    "loadbalancer",
    "loadbalancers",
    "/v2/lbaas/loadbalancers",
    NULL,
    "admin_state_up availability_zone created_at description flavor_id id listeners name "
    "operating_status pools project_id provider provisioning_status updated_at vip_address "
    "vip_network_id vip_port_id vip_qos_policy_id vip_subnet_id tags additional_vips",
    "id name project_id vip_address provisioning_status operating_status provider",
    "id",
    BL_SVC_LB,
    true};

const struct bl_cli_res bl_res_listener = {
    "listener",
    "listeners",
    "/v2/lbaas/listeners",
    NULL,
    "admin_state_up connection_limit created_at default_pool_id default_tls_container_ref "
    "description id insert_headers l7policies loadbalancers name operating_status project_id "
    "protocol protocol_port provisioning_status sni_container_refs timeout_client_data "
    "timeout_member_connect timeout_member_data timeout_tcp_inspect updated_at "
    "client_ca_tls_container_ref client_authentication client_crl_container_ref allowed_cidrs "
    "tls_ciphers tls_versions alpn_protocols tags",
    "id default_pool_id name project_id protocol protocol_port admin_state_up",
    "id",
    BL_SVC_LB,
    true};

const struct bl_cli_res bl_res_pool = {
    "pool",
    "pools",
    "/v2/lbaas/pools",
    NULL,
    "admin_state_up created_at description healthmonitor_id id lb_algorithm listeners "
    "loadbalancers members name operating_status project_id protocol provisioning_status "
    "session_persistence updated_at tls_container_ref ca_tls_container_ref crl_container_ref "
    "tls_enabled tls_ciphers tls_versions tags alpn_protocols",
    "id name project_id provisioning_status protocol lb_algorithm admin_state_up",
    "id",
    BL_SVC_LB,
    true};

const struct bl_cli_res bl_res_member = {
    "member",
    "members",
    "/v2/lbaas/pools/%s/members",
    &bl_res_pool,
    "address admin_state_up created_at id name operating_status project_id protocol_port "
    "provisioning_status subnet_id updated_at weight monitor_port monitor_address backup tags",
    "id name project_id provisioning_status address protocol_port operating_status weight",
    "id",
    BL_SVC_LB,
    true};

const struct bl_cli_res bl_res_hm = {
    "healthmonitor",
    "healthmonitors",
    "/v2/lbaas/healthmonitors",
    NULL,
    "project_id name admin_state_up pools created_at provisioning_status updated_at delay "
    "expected_codes max_retries http_method timeout max_retries_down url_path type id "
    "operating_status http_version domain_name tags",
    "id name project_id type admin_state_up",
    "id",
    BL_SVC_LB,
    true};

const struct bl_cli_res bl_res_l7policy = {
    "l7policy",
    "l7policies",
    "/v2/lbaas/l7policies",
    NULL,
    "listener_id description admin_state_up rules project_id created_at provisioning_status "
    "updated_at redirect_pool_id redirect_url redirect_prefix action position id "
    "operating_status name redirect_http_code tags",
    "id name project_id provisioning_status action position admin_state_up",
    "id",
    BL_SVC_LB,
    true};

const struct bl_cli_res bl_res_l7rule = {
    "rule",
    "rules",
    "/v2/lbaas/l7policies/%s/rules",
    &bl_res_l7policy,
    "created_at compare_type provisioning_status invert admin_state_up updated_at value key "
    "project_id type id operating_status tags",
    "id project_id provisioning_status compare_type type key value invert admin_state_up",
    "id",
    BL_SVC_LB,
    true};

const struct bl_cli_res bl_res_stats = {
    "stats",
    "stats",
    NULL,
    NULL,
    "active_connections bytes_in bytes_out request_errors total_connections",
    NULL,
    "id",
    BL_SVC_LB,
    false};

const struct bl_cli_res bl_res_quota = {
    "quota",
    "quotas",
    "/v2/lbaas/quotas",
    NULL,
    "load_balancer listener pool health_monitor member l7policy l7rule",
    "project_id load_balancer listener pool health_monitor member l7policy l7rule",
    "id",
    BL_SVC_LB,
    false};

const struct bl_cli_res bl_res_quota_defaults = {
    "quota",
    "quotas",
    "/v2/lbaas/quotas/defaults",
    NULL,
    "load_balancer listener pool health_monitor member l7policy l7rule",
    NULL,
    "id",
    BL_SVC_LB,
    false};

const struct bl_cli_res bl_res_provider = {"provider", "providers", "/v2/lbaas/providers",
                                           NULL,       NULL,        "name description",
                                           "name",     BL_SVC_LB,   false};

const struct bl_cli_res bl_res_capability = {
    "capability",     "capabilities", "/v2/lbaas/providers/%s",
    &bl_res_provider, NULL,           "type name description",
    "name",           BL_SVC_LB,      false};

const struct bl_cli_res bl_res_amphora = {
    "amphora",
    "amphorae",
    "/v2/octavia/amphorae",
    NULL,
    "id loadbalancer_id compute_id lb_network_ip vrrp_ip ha_ip vrrp_port_id ha_port_id "
    "cert_expiration cert_busy role status vrrp_interface vrrp_id vrrp_priority cached_zone "
    "created_at updated_at image_id compute_flavor",
    "id loadbalancer_id status role lb_network_ip ha_ip",
    "id",
    BL_SVC_LB,
    false};

const struct bl_cli_res bl_res_flavor = {"flavor",
                                         "flavors",
                                         "/v2/lbaas/flavors",
                                         NULL,
                                         "id name flavor_profile_id enabled description",
                                         "id name flavor_profile_id enabled",
                                         "id",
                                         BL_SVC_LB,
                                         false};

const struct bl_cli_res bl_res_flavorprofile = {"flavorprofile",
                                                "flavorprofiles",
                                                "/v2/lbaas/flavorprofiles",
                                                NULL,
                                                "id name provider_name flavor_data",
                                                "id name provider_name",
                                                "id",
                                                BL_SVC_LB,
                                                false};

const struct bl_cli_res bl_res_az = {"availability_zone",
                                     "availability_zones",
                                     "/v2/lbaas/availabilityzones",
                                     NULL,
                                     "name availability_zone_profile_id enabled description",
                                     "name availability_zone_profile_id enabled",
                                     "name",
                                     BL_SVC_LB,
                                     false};

const struct bl_cli_res bl_res_azprofile = {"availability_zone_profile",
                                            "availability_zone_profiles",
                                            "/v2/lbaas/availabilityzoneprofiles",
                                            NULL,
                                            "id name provider_name availability_zone_data",
                                            "id name provider_name",
                                            "id",
                                            BL_SVC_LB,
                                            false};

/* Neutron's objects, which --vip-subnet-id and friends may name. */
const struct bl_cli_res bl_res_subnet = {"subnet", "subnets", "/v2.0/subnets", NULL, NULL,
                                         NULL,     "id",      BL_SVC_NET,      false};
const struct bl_cli_res bl_res_network = {"network", "networks", "/v2.0/networks", NULL, NULL,
                                          NULL,      "id",       BL_SVC_NET,       false};
const struct bl_cli_res bl_res_port = {"port", "ports", "/v2.0/ports", NULL, NULL,
                                       NULL,   "id",    BL_SVC_NET,    false};
