/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a whole (small) file into memory: the configuration files are
 * read this way so that their parsers work on a buffer, which the fuzz
 * targets (tests/fuzz/) call directly.
 */
#ifndef BL_CORE_FILE_H
#define BL_CORE_FILE_H

#include <stddef.h>

#include "core/err.h"

/* Reads `path` into `*out` (malloc'd, NUL-terminated, `*len` bytes before the
 * NUL). Returns 0 or -errno with `err` naming the file. */
int bl_read_file(const char *path, char **out, size_t *len, struct bl_err *err);

#endif
