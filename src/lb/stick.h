/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stick table: which member a client (SOURCE_IP) or an application session
 * (APP_COOKIE) was sent to, so that the next request goes to the same one, as
 * HAProxy's "stick on src" / "stick match req.cook()" do for Octavia.
 *
 * Fixed size, shared by every worker without a lock: each slot is one 64-bit
 * atomic word holding (key hash, member identity), so a reader never sees a
 * key paired with another key's member. Two writers racing for a slot leave
 * one of them; a collision evicts the older entry. Lossy by design: losing an
 * entry only means one fresh pick. The table is kept by the pool's registry
 * block (config/registry), so persistence survives reloads; members are
 * named by their identity hash, not by an index that a reload may change.
 */
#ifndef BL_LB_STICK_H
#define BL_LB_STICK_H

#include <stddef.h>
#include <stdint.h>

#define BL_STICK_SLOTS 16384 /* per pool (Octavia's HAProxy: stick-table size 10k) */

/* Zero-filled memory of bl_stick_size() bytes is an empty table: the registry
 * allocates it as the block of the pool's stick key. */
struct bl_stick;

size_t bl_stick_size(void);

/* The member identity (nonzero) stored for `key`, or 0. Entries unused for
 * more than `timeout_s` seconds (0 = no limit) are not returned. */
uint32_t bl_stick_get(struct bl_stick *t, uint64_t key, uint64_t now_ms, uint32_t timeout_s);

/* Remembers (or refreshes) `key` -> `member` (nonzero). */
void bl_stick_put(struct bl_stick *t, uint64_t key, uint32_t member, uint64_t now_ms);

/* A member's identity as the table stores it: never 0. */
static inline uint32_t bl_stick_member_id(uint64_t member_key_hash)
{
    return (uint32_t)member_key_hash | 1u;
}

#endif
