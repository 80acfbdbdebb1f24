/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared runtime state that outlives any one configuration snapshot: member
 * and listener counters, round-robin cursors, listening sockets. Each block
 * is refcounted and found by a key naming the object's identity, so a
 * snapshot built after a reload picks up the very same block (and socket)
 * that the previous one used.
 *
 * Thread-safe (one mutex): snapshots are built on the control thread but the
 * last reference to an old one may be dropped on a worker thread.
 */
#ifndef BL_CONFIG_REGISTRY_H
#define BL_CONFIG_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

/* Called once, under no lock, when the last reference to a block goes. */
typedef void bl_registry_dtor(void *block);

/*
 * Returns the block for `key`, taking a reference. A new block of `size`
 * zeroed bytes is made when none exists; `*created` (may be NULL) says which.
 */
void *bl_registry_ref(const char *key, size_t size, bl_registry_dtor *dtor, bool *created);

/* Takes one more reference on a block already held. */
void bl_registry_hold(void *block);

/* Drops a reference taken by bl_registry_ref() or bl_registry_hold(). NULL is fine. */
void bl_registry_unref(void *block);

/* Number of live blocks: tests use it to prove a reload leaked nothing. */
size_t bl_registry_count(void);

#endif
