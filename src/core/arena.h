/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator (nginx ngx_pool_t): many small allocations, one free. Used
 * for objects that all die together: a parsed configuration, an API request.
 * Not thread-safe; an arena belongs to whoever created it.
 */
#ifndef BL_CORE_ARENA_H
#define BL_CORE_ARENA_H

#include <stddef.h>

struct bl_arena;

struct bl_arena *bl_arena_create(void);

/* Frees every allocation made from `a`, then `a` itself. NULL is fine. */
void bl_arena_destroy(struct bl_arena *a);

/* Zeroed, 16-byte aligned memory that lives until the arena is destroyed. */
void *bl_arena_alloc(struct bl_arena *a, size_t n);

char *bl_arena_strdup(struct bl_arena *a, const char *s);

#endif
