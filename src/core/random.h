/* SPDX-License-Identifier: Apache-2.0 */
/* Unpredictable bytes for ids and tokens, from the kernel. Any thread. */
#ifndef BL_CORE_RANDOM_H
#define BL_CORE_RANDOM_H

#include <stddef.h>

/* Fills `buf` with `n` random bytes (getrandom). Never fails: the kernel's pool
 * is ready long before ballastd starts; a failure aborts. */
void bl_random_bytes(void *buf, size_t n);

#endif
