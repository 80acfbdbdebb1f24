/* SPDX-License-Identifier: Apache-2.0 */
#include "config/model.h"

#include "core/arena.h"

static const char *const proto_names[] = {
    [BL_PROTO_TCP] = "TCP",
    [BL_PROTO_UDP] = "UDP",
    [BL_PROTO_HTTP] = "HTTP",
    [BL_PROTO_HTTPS] = "HTTPS",
    [BL_PROTO_TERMINATED_HTTPS] = "TERMINATED_HTTPS",
    [BL_PROTO_PROXY] = "PROXY",
    [BL_PROTO_PROXYV2] = "PROXYV2",
    [BL_PROTO_SCTP] = "SCTP",
    [BL_PROTO_PROMETHEUS] = "PROMETHEUS",
};

const char *bl_proto_name(enum bl_proto p)
{
    return proto_names[p];
}

bool bl_proto_is_stream(enum bl_proto p)
{
    return p != BL_PROTO_UDP && p != BL_PROTO_SCTP;
}

void bl_cfg_free(struct bl_cfg *cfg)
{
    /* The struct itself lives in its own arena. */
    if (cfg != NULL)
        bl_arena_destroy(cfg->arena);
}
