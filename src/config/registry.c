/* SPDX-License-Identifier: Apache-2.0 */
#include "config/registry.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/xalloc.h"

/* The header sits before the block handed out, so unref needs no lookup. */
struct entry {
    struct entry *next; /* hash chain */
    char *key;
    uint64_t hash;
    size_t refs;
    bl_registry_dtor *dtor;
    _Alignas(16) unsigned char block[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry **buckets;
static size_t nbuckets, nentries;

static void grow(void)
{
    size_t n = nbuckets ? nbuckets * 2 : 256;
    struct entry **nb = bl_xcalloc(n, sizeof(*nb));

    for (size_t i = 0; i < nbuckets; i++) {
        struct entry *e = buckets[i], *next;
        for (; e != NULL; e = next) {
            next = e->next;
            e->next = nb[e->hash % n];
            nb[e->hash % n] = e;
        }
    }
    free(buckets);
    buckets = nb;
    nbuckets = n;
}

void *bl_registry_ref(const char *key, size_t size, bl_registry_dtor *dtor, bool *created)
{
    uint64_t h = bl_hash_str(key);
    struct entry *e;

    pthread_mutex_lock(&lock);
    if (nentries >= nbuckets)
        grow();
    for (e = buckets[h % nbuckets]; e != NULL; e = e->next) {
        if (e->hash == h && strcmp(e->key, key) == 0)
            break;
    }
    if (created)
        *created = (e == NULL);
    if (e == NULL) {
        e = bl_xcalloc(1, sizeof(*e) + size);
        e->key = bl_xstrdup(key);
        e->hash = h;
        e->dtor = dtor;
        e->next = buckets[h % nbuckets];
        buckets[h % nbuckets] = e;
        nentries++;
    }
    e->refs++;
    pthread_mutex_unlock(&lock);
    return e->block;
}

void bl_registry_hold(void *block)
{
    struct entry *e = (struct entry *)((unsigned char *)block - offsetof(struct entry, block));

    pthread_mutex_lock(&lock);
    e->refs++;
    pthread_mutex_unlock(&lock);
}

void bl_registry_unref(void *block)
{
    struct entry *e, **pp;

    if (block == NULL)
        return;
    e = (struct entry *)((unsigned char *)block - offsetof(struct entry, block));
    pthread_mutex_lock(&lock);
    if (--e->refs > 0) {
        pthread_mutex_unlock(&lock);
        return;
    }
    for (pp = &buckets[e->hash % nbuckets]; *pp != e; pp = &(*pp)->next)
        ;
    *pp = e->next;
    nentries--;
    pthread_mutex_unlock(&lock);
    if (e->dtor)
        e->dtor(e->block);
    free(e->key);
    free(e);
}

size_t bl_registry_count(void)
{
    size_t n;

    pthread_mutex_lock(&lock);
    n = nentries;
    pthread_mutex_unlock(&lock);
    return n;
}
