/* SPDX-License-Identifier: Apache-2.0 */
/* The table of algorithms, looked up by Octavia name. Explicit, greppable. */
#include "lb/algo.h"

#include <string.h>

static const struct bl_algo_ops *const algos[] = {
    &bl_algo_round_robin,
    &bl_algo_least_connections,
    &bl_algo_source_ip,
    &bl_algo_source_ip_port,
};

const struct bl_algo_ops *bl_algo_find(const char *name)
{
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
        if (strcmp(algos[i]->name, name) == 0)
            return algos[i];
    }
    return NULL;
}

bool bl_algo_needs_hash(const struct bl_algo_ops *ops)
{
    return ops == &bl_algo_source_ip || ops == &bl_algo_source_ip_port;
}

bool bl_algo_hash_port(const struct bl_algo_ops *ops)
{
    return ops == &bl_algo_source_ip_port;
}
