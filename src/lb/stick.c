/* SPDX-License-Identifier: Apache-2.0 */
/* Stick tables for session persistence: see stick.h. */
#include <stdatomic.h>

#include "core/hash.h"
#include "lb/stick.h"

#define PROBE 8 /* slots looked at per key: its own and the next seven (one cache line pair) */

struct slot {
    _Atomic uint64_t kv;      /* key tag << 32 | member identity; 0 = empty */
    _Atomic uint32_t used_s;  /* last use, seconds of the caller's clock */
};

struct bl_stick {
    struct slot slots[BL_STICK_SLOTS];
};

size_t bl_stick_size(void)
{
    return sizeof(struct bl_stick);
}

/* The 32-bit tag stored with an entry; never 0 so that 0 means "empty". */
static uint32_t tag_of(uint64_t key)
{
    return (uint32_t)(bl_hash_mix64(key) >> 32) | 1u;
}

static uint32_t home_of(uint64_t key)
{
    return (uint32_t)bl_hash_mix64(key) % BL_STICK_SLOTS;
}

uint32_t bl_stick_get(struct bl_stick *t, uint64_t key, uint64_t now_ms, uint32_t timeout_s)
{
    uint32_t tag = tag_of(key), home = home_of(key), now_s = (uint32_t)(now_ms / 1000);

    for (uint32_t i = 0; i < PROBE; i++) {
        struct slot *s = &t->slots[(home + i) % BL_STICK_SLOTS];
        uint64_t kv = atomic_load_explicit(&s->kv, memory_order_relaxed);
        if ((uint32_t)(kv >> 32) != tag)
            continue;
        if (timeout_s &&
            now_s - atomic_load_explicit(&s->used_s, memory_order_relaxed) > timeout_s)
            return 0;
        atomic_store_explicit(&s->used_s, now_s, memory_order_relaxed);
        return (uint32_t)kv;
    }
    return 0;
}

void bl_stick_put(struct bl_stick *t, uint64_t key, uint32_t member, uint64_t now_ms)
{
    uint32_t tag = tag_of(key), home = home_of(key), now_s = (uint32_t)(now_ms / 1000);
    uint32_t victim = home, oldest = UINT32_MAX;

    for (uint32_t i = 0; i < PROBE; i++) {
        uint32_t idx = (home + i) % BL_STICK_SLOTS;
        struct slot *s = &t->slots[idx];
        uint64_t kv = atomic_load_explicit(&s->kv, memory_order_relaxed);
        uint32_t used = atomic_load_explicit(&s->used_s, memory_order_relaxed);
        if (kv == 0 || (uint32_t)(kv >> 32) == tag) {
            victim = idx;
            break;
        }
        if (used < oldest) {
            oldest = used;
            victim = idx;
        }
    }
    atomic_store_explicit(&t->slots[victim].used_s, now_s, memory_order_relaxed);
    atomic_store_explicit(&t->slots[victim].kv, (uint64_t)tag << 32 | member,
                          memory_order_relaxed);
}
