/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small, stable, non-cryptographic hashes. Stable means the same input gives
 * the same value in every process and run, which SOURCE_IP placement and
 * Maglev permutations rely on.
 */
#ifndef BL_CORE_HASH_H
#define BL_CORE_HASH_H

#include <stdint.h>

/* MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
static inline uint64_t bl_hash_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* FNV-1a over a NUL-terminated string, finalised by bl_hash_mix64. */
static inline uint64_t bl_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return bl_hash_mix64(h);
}

#endif
