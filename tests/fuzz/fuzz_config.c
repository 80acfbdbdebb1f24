/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the declarative config parser (config/parse.c): any
 * byte string must either parse or fail with a message, never crash or leak.
 * `make fuzz` builds it with clang; `make test` replays the corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bl_err err = {0};
    struct bl_cfg *cfg = NULL;

    if (bl_cfg_parse((const char *)data, size, &cfg, &err) == 0)
        bl_cfg_free(cfg);
    else if (err.msg[0] == '\0')
        __builtin_trap(); /* every rejection must say why */
    return 0;
}
