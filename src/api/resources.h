/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The field specs of each Octavia resource: names, types, defaults, which
 * may be set on create and on update (../shared/octavia/octavia-api.md §3).
 */
#ifndef BL_API_RESOURCES_H
#define BL_API_RESOURCES_H

#include "api/fields.h"

extern const struct bl_field bl_spec_loadbalancer[];
extern const struct bl_field bl_spec_listener[];
extern const struct bl_field bl_spec_pool[];
extern const struct bl_field bl_spec_member[];
extern const struct bl_field bl_spec_healthmonitor[];
extern const struct bl_field bl_spec_l7policy[];
extern const struct bl_field bl_spec_l7rule[];

#endif
