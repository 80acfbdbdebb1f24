/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation that never returns NULL: on exhaustion it logs and aborts, so
 * callers never check (h2o_mem_alloc, Redis zmalloc). Any thread may call.
 */
#ifndef BL_CORE_XALLOC_H
#define BL_CORE_XALLOC_H

#include <stddef.h>

void *bl_xmalloc(size_t n);
void *bl_xcalloc(size_t nmemb, size_t size);
void *bl_xrealloc(void *p, size_t n);
char *bl_xstrdup(const char *s);

#endif
