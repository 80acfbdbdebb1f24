/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The declarative file: the body of an Octavia "fully populated" load
 * balancer create request ({"loadbalancer": {...}}) or a list of them
 * ({"loadbalancers": [...]}), validated with Octavia's rules. Errors name the
 * JSON path and the problem, e.g.
 *   loadbalancers[0].listeners[1].protocol_port: must be 1..65535
 * Control thread only (jansson is not used elsewhere on the data path).
 */
#ifndef BL_CONFIG_PARSE_H
#define BL_CONFIG_PARSE_H

#include <stddef.h>

#include "config/model.h"
#include "core/err.h"

/* Parses `len` bytes of JSON. On success stores a new config in `*out` and
 * returns 0; otherwise returns -EINVAL (or -ENOMEM) with `err` filled. */
int bl_cfg_parse(const char *json, size_t len, struct bl_cfg **out, struct bl_err *err);

/* Reads and parses `path`. File errors come back as -errno with the path named.
 * Certificate refs then resolve against the file's directory (bl_cfg_set_file_dirs). */
int bl_cfg_load(const char *path, struct bl_cfg **out, struct bl_err *err);

/* File mode: certificate paths and ids resolve against the directory of
 * `config_path` (cfg->files_dir and cfg->certs_dir; --certs overrides the latter). */
void bl_cfg_set_file_dirs(struct bl_cfg *cfg, const char *config_path);

#endif
