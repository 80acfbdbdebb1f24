/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP proxy buffers: see hbuf.h. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "proxy/hbuf.h"

void bl_hbuf_ready(struct bl_hbuf_cache *c, struct bl_hbuf *b)
{
    if (b->data == NULL) {
        if (c->free != NULL) {
            b->data = c->free;
            memcpy(&c->free, b->data, sizeof(void *));
            c->nfree--;
        } else {
            b->data = bl_xmalloc(BL_HBUF_SIZE);
        }
        b->off = b->len = 0;
        return;
    }
    if (b->off > 0 && b->len == BL_HBUF_SIZE) {
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
}

void bl_hbuf_consume(struct bl_hbuf *b, size_t n)
{
    b->off += (uint32_t)n;
    if (b->off == b->len)
        b->off = b->len = 0;
}

void bl_hbuf_drop(struct bl_hbuf_cache *c, struct bl_hbuf *b)
{
    if (b->data == NULL)
        return;
    if (c->nfree < BL_HBUF_FREE_MAX) {
        memcpy(b->data, &c->free, sizeof(void *));
        c->free = b->data;
        c->nfree++;
    } else {
        free(b->data);
    }
    b->data = NULL;
    b->off = b->len = 0;
}

void bl_hbuf_release(struct bl_hbuf_cache *c, struct bl_hbuf *b)
{
    if (b->data != NULL && b->off == b->len)
        bl_hbuf_drop(c, b);
}

void bl_hbuf_cache_clear(struct bl_hbuf_cache *c)
{
    while (c->free != NULL) {
        void *next;
        memcpy(&next, c->free, sizeof(void *));
        free(c->free);
        c->free = next;
    }
    c->nfree = 0;
}
