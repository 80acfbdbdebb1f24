/* SPDX-License-Identifier: Apache-2.0 */
/* The kinds of object the client talks about (resources.c). */
#ifndef BL_CLI_RESOURCES_H
#define BL_CLI_RESOURCES_H

#include "cli/cli.h"

extern const struct bl_cli_res bl_res_lb, bl_res_listener, bl_res_pool, bl_res_member, bl_res_hm,
    bl_res_l7policy, bl_res_l7rule, bl_res_stats, bl_res_quota, bl_res_quota_defaults,
    bl_res_provider, bl_res_capability, bl_res_amphora, bl_res_flavor, bl_res_flavorprofile,
    bl_res_az, bl_res_azprofile, bl_res_subnet, bl_res_network, bl_res_port;

#endif
