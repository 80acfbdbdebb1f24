/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte buffers of the HTTP proxy: one fixed size (16 KiB, as HAProxy's
 * tune.bufsize), taken from a per-worker free list when a connection has
 * something to hold and given back as soon as it is empty, so an idle
 * keep-alive connection costs no buffer at all.
 *
 * Bytes [off, len) are held; [len, BL_HBUF_SIZE) is free room. A buffer is
 * compacted (bytes moved to the front) only when room is needed at the end.
 */
#ifndef BL_PROXY_HBUF_H
#define BL_PROXY_HBUF_H

#include <stddef.h>
#include <stdint.h>

#define BL_HBUF_SIZE 16384
#define BL_HBUF_FREE_MAX 256 /* buffers a worker keeps for reuse */

struct bl_hbuf {
    char *data;   /* NULL while empty and released */
    uint32_t off; /* first byte held */
    uint32_t len; /* one past the last byte held */
};

/* A worker's spare buffers, linked through their first bytes. */
struct bl_hbuf_cache {
    void *free;
    unsigned nfree;
};

static inline size_t bl_hbuf_used(const struct bl_hbuf *b)
{
    return b->len - b->off;
}

static inline size_t bl_hbuf_room(const struct bl_hbuf *b)
{
    return b->data ? BL_HBUF_SIZE - b->len : BL_HBUF_SIZE;
}

/* Makes sure `b` has memory; moves held bytes to the front when the end is full. */
void bl_hbuf_ready(struct bl_hbuf_cache *c, struct bl_hbuf *b);

/* Drops `n` bytes from the front; an emptied buffer is reset (and kept). */
void bl_hbuf_consume(struct bl_hbuf *b, size_t n);

/* Returns the memory of an empty buffer to the cache. No-op when not empty. */
void bl_hbuf_release(struct bl_hbuf_cache *c, struct bl_hbuf *b);

/* Returns the memory whatever it holds (the connection is going away). */
void bl_hbuf_drop(struct bl_hbuf_cache *c, struct bl_hbuf *b);

/* Frees the cached buffers (worker exit). */
void bl_hbuf_cache_clear(struct bl_hbuf_cache *c);

#endif
