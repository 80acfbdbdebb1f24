/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SOURCE_IP and SOURCE_IP_PORT: a Maglev lookup table (Eisenbud et al., NSDI
 * 2016): a prime-sized array of members that a client's hash indexes, so a
 * pick costs one lookup. The table is filled differently from the paper:
 * each slot goes to the winner of a weighted rendezvous (highest random
 * weight) draw between the members, seeded by the slot and the member's
 * identity. A slot's winner does not depend on the other members, so
 * removing a member changes only the slots it won (only its clients move),
 * adding one changes only the slots it now wins (clients move only to it),
 * and the table is a pure function of the member set: the same after a
 * restart, on every node, and back to the same when a member returns. The
 * paper's permutation fill balances a little better but reshuffles a
 * fraction of a percent of everyone's slots on each change (0.22% measured
 * with 10 members); it is still used above RENDEZVOUS_MAX_MEMBERS members,
 * where drawing for every (slot, member) pair would make reloads slow.
 *
 * A member that is down at pick time is skipped by probing the following
 * slots: those belong to members in a hash-random order, so the down member's
 * clients spread over the others and nobody else's client moves.
 */
#include "lb/algo.h"

#include <math.h>
#include <stdlib.h>

#include "core/hash.h"
#include "core/xalloc.h"
#include "lb/pool.h"

struct maglev {
    uint32_t size;    /* prime, >= 65537 and >= 100 x members when possible */
    uint32_t slots[]; /* indexes into tier->members */
};

/* 65537 at least (Envoy's default): a smaller table balances well enough but
 * moves more of the other members' clients when one member is removed
 * (measured with 10 members: 4.1% at 1031 slots). Above that, M > 100 N keeps
 * the imbalance near 1% (Maglev paper). */
static const uint32_t primes[] = {65537, 262147, 1048583, 5000011};

static uint32_t table_size(uint32_t n)
{
    for (size_t i = 0; i < sizeof(primes) / sizeof(primes[0]); i++) {
        if (primes[i] >= 100u * n)
            return primes[i];
    }
    return primes[sizeof(primes) / sizeof(primes[0]) - 1];
}

/* A stable pseudo-random draw for (slot, member). */
static uint64_t draw(uint64_t slot_hash, uint64_t member_key)
{
    return bl_hash_mix64(member_key ^ slot_hash);
}

/* Weighted rendezvous score: w / -ln(u), u uniform in (0, 1). Larger wins. */
static double weighted_score(uint64_t h, uint32_t weight)
{
    double u = ((double)(h >> 11) + 0.5) / 9007199254740992.0; /* 2^53 */
    return (double)weight / -log(u);
}

/* The paper's fill, for large pools: each member claims slots along its own
 * permutation in weighted rounds. O(size), but not exactly minimal. */
static void *permutation_fill(const struct bl_lb_tier *tier)
{
    uint32_t n = tier->n, size = table_size(n), filled = 0, maxw = 1;
    struct maglev *mg = bl_xmalloc(sizeof(*mg) + size * sizeof(mg->slots[0]));
    uint64_t *offset = bl_xcalloc(n, sizeof(*offset));
    uint64_t *skip = bl_xcalloc(n, sizeof(*skip));
    uint64_t *next = bl_xcalloc(n, sizeof(*next));
    uint64_t *placed = bl_xcalloc(n, sizeof(*placed));

    mg->size = size;
    for (uint32_t s = 0; s < size; s++)
        mg->slots[s] = UINT32_MAX;
    for (uint32_t k = 0; k < n; k++) {
        const struct bl_lb_member *m = &tier->members[tier->idx[k]];
        offset[k] = m->key_hash % size;
        /* The skip must not be derived the same way as the offset. */
        skip[k] = bl_hash_mix64(m->key_hash ^ 0x5bd1e9955bd1e995ULL) % (size - 1) + 1;
        if (m->weight > maxw)
            maxw = m->weight;
    }
    /* Round r lets member k own floor(r * w_k / w_max) slots: a member of
     * half the weight claims a slot every other round. */
    for (uint64_t round = 1; filled < size; round++) {
        for (uint32_t k = 0; k < n && filled < size; k++) {
            uint32_t w = tier->members[tier->idx[k]].weight;
            if (placed[k] >= round * w / maxw)
                continue;
            for (;;) {
                uint32_t s = (uint32_t)((offset[k] + next[k] * skip[k]) % size);
                next[k]++;
                if (mg->slots[s] == UINT32_MAX) {
                    mg->slots[s] = tier->idx[k];
                    placed[k]++;
                    filled++;
                    break;
                }
            }
        }
    }
    free(offset);
    free(skip);
    free(next);
    free(placed);
    return mg;
}

static void *rendezvous_fill(const struct bl_lb_tier *tier)
{
    uint32_t n = tier->n, size = table_size(n);
    struct maglev *mg = bl_xmalloc(sizeof(*mg) + size * sizeof(mg->slots[0]));
    bool equal = true;

    mg->size = size;
    for (uint32_t k = 1; k < n; k++)
        equal &= tier->members[tier->idx[k]].weight == tier->members[tier->idx[0]].weight;
    for (uint32_t s = 0; s < size; s++) {
        uint64_t hs = bl_hash_mix64((uint64_t)s * 0x9e3779b97f4a7c15ULL + 1);
        uint32_t best = 0;
        uint64_t best_h = 0;
        double best_score = -1.0;
        for (uint32_t k = 0; k < n; k++) {
            const struct bl_lb_member *m = &tier->members[tier->idx[k]];
            uint64_t h = draw(hs, m->key_hash);
            /* With equal weights the largest draw wins: no logarithm needed. */
            if (equal ? (k == 0 || h > best_h) : weighted_score(h, m->weight) > best_score) {
                best = k;
                best_h = h;
                best_score = equal ? 0 : weighted_score(h, m->weight);
            }
        }
        mg->slots[s] = tier->idx[best];
    }
    return mg;
}

/* Rendezvous costs size x members draws: beyond this many members the
 * permutation fill keeps reloads fast (65537 x 64 draws take a few ms). */
#define RENDEZVOUS_MAX_MEMBERS 64

static void *maglev_create(const struct bl_lb_tier *tier)
{
    if (tier->n <= RENDEZVOUS_MAX_MEMBERS)
        return rendezvous_fill(tier);
    return permutation_fill(tier);
}

static void maglev_destroy(void *state)
{
    free(state);
}

static int maglev_pick(const struct bl_lb_tier *tier, const void *state, uint64_t hash,
                       const struct bl_lb_tried *tried)
{
    const struct maglev *mg = state;
    uint32_t slot = (uint32_t)(hash % mg->size), k;

    /* Probing a table with no usable member would visit every slot: check first. */
    for (k = 0; k < tier->n; k++) {
        uint32_t i = tier->idx[k];
        if (bl_lb_usable(&tier->members[i], tried) && !bl_lb_tried_has(tried, i))
            break;
    }
    if (k == tier->n)
        return -1;
    for (k = 0; k < mg->size; k++) {
        uint32_t i = mg->slots[(slot + k) % mg->size];
        if (bl_lb_usable(&tier->members[i], tried) && !bl_lb_tried_has(tried, i))
            return (int)i;
    }
    return -1;
}

const struct bl_algo_ops bl_algo_source_ip = {
    .name = "SOURCE_IP",
    .create = maglev_create,
    .destroy = maglev_destroy,
    .pick = maglev_pick,
};

const struct bl_algo_ops bl_algo_source_ip_port = {
    .name = "SOURCE_IP_PORT",
    .create = maglev_create,
    .destroy = maglev_destroy,
    .pick = maglev_pick,
};
