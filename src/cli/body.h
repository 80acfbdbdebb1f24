/* SPDX-License-Identifier: Apache-2.0 */
/* Request bodies and query strings from parsed options (body.c). */
#ifndef BL_CLI_BODY_H
#define BL_CLI_BODY_H

#include "cli/cli.h"
#include "cli/output.h"

int bl_cli_build(struct bl_cli_conn *c, const struct bl_cli_parsed *p, json_t *into,
                 bool query_only);
void bl_cli_tags(const struct bl_cli_parsed *p, json_t *current, json_t *body, bool removing);
char *bl_cli_query(json_t *filters);

#endif
