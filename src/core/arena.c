/* SPDX-License-Identifier: Apache-2.0 */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define CHUNK_SIZE 8192

struct chunk {
    struct chunk *next;
    size_t used;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

struct bl_arena {
    struct chunk *head; /* current chunk first */
};

struct bl_arena *bl_arena_create(void)
{
    return bl_xcalloc(1, sizeof(struct bl_arena));
}

void bl_arena_destroy(struct bl_arena *a)
{
    struct chunk *c, *next;

    if (a == NULL)
        return;
    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

static struct chunk *chunk_new(size_t cap)
{
    struct chunk *c = bl_xmalloc(sizeof(*c) + cap);
    c->next = NULL;
    c->used = 0;
    c->cap = cap;
    return c;
}

void *bl_arena_alloc(struct bl_arena *a, size_t n)
{
    struct chunk *c = a->head;
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (n > CHUNK_SIZE / 4) {
        /* Large blocks get their own chunk, linked behind the current one so
         * the current chunk's free space is not wasted. */
        struct chunk *big = chunk_new(n);
        if (c) {
            big->next = c->next;
            c->next = big;
        } else {
            a->head = big;
        }
        big->used = n;
        memset(big->data, 0, n);
        return big->data;
    }
    if (c == NULL || c->cap - c->used < n) {
        c = chunk_new(CHUNK_SIZE);
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *bl_arena_strdup(struct bl_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = bl_arena_alloc(a, n);
    memcpy(d, s, n);
    return d;
}
