/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/lb/: the algorithms are pure, so they run on plain arrays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb/pool.h"
#include "tap.h"

#define MAXM 16

struct fixture {
    struct bl_member_state st[MAXM];
    struct bl_lb_member m[MAXM];
    _Atomic uint64_t cursor;
    struct bl_lb_pool pool;
};

static uint64_t key_of(unsigned i)
{
    /* Stands in for the hash of "address:port": any distinct stable value. */
    uint64_t h = 0x9e3779b97f4a7c15ULL * (i + 1);
    return h ^ (h >> 29);
}

static void setup(struct fixture *f, const char *algo, const uint32_t *weights, unsigned n)
{
    memset(f, 0, sizeof(*f));
    for (unsigned i = 0; i < n; i++) {
        f->m[i].st = &f->st[i];
        f->m[i].weight = weights[i];
        f->m[i].admin_up = true;
        f->m[i].key_hash = key_of(i);
    }
    bl_lb_pool_build(&f->pool, bl_algo_find(algo), f->m, n, &f->cursor);
}

static void test_round_robin(void)
{
    struct fixture f;
    const uint32_t w1[] = {1, 1};
    const uint32_t w13[] = {1, 3};
    char seq[32] = "";

    setup(&f, "ROUND_ROBIN", w1, 2);
    for (int i = 0; i < 6; i++)
        seq[i] = (char)('A' + bl_lb_pick(&f.pool, 0, NULL));
    is_str(seq, "ABABAB", "round robin alternates, first connection to the first member");
    bl_lb_pool_dispose(&f.pool);

    setup(&f, "ROUND_ROBIN", w13, 2);
    for (int i = 0; i < 8; i++)
        seq[i] = (char)('A' + bl_lb_pick(&f.pool, 0, NULL));
    seq[8] = '\0';
    is_str(seq, "BABBBABB", "weights 1:3 are smooth (A never waits 4 turns in a row)");

    atomic_store(&f.st[1].health, BL_HEALTH_DOWN);
    for (int i = 0; i < 4; i++)
        seq[i] = (char)('A' + bl_lb_pick(&f.pool, 0, NULL));
    seq[4] = '\0';
    is_str(seq, "AAAA", "a member that is down is skipped");
    atomic_store(&f.st[0].health, BL_HEALTH_DOWN);
    is_int(bl_lb_pick(&f.pool, 0, NULL), -1, "no usable member gives -1");
    bl_lb_pool_dispose(&f.pool);
}

static void test_tried_and_tiers(void)
{
    struct fixture f;
    const uint32_t w[] = {1, 1, 1, 0};
    struct bl_lb_tried tried = {.idx = {0}, .n = 1};

    setup(&f, "ROUND_ROBIN", w, 4);
    /* members: 0 primary, 1 primary, 2 backup, 3 weight 0 */
    bl_lb_pool_dispose(&f.pool);
    f.m[2].backup = true;
    bl_lb_pool_build(&f.pool, bl_algo_find("ROUND_ROBIN"), f.m, 4, &f.cursor);
    for (int i = 0; i < 20; i++) {
        int p = bl_lb_pick(&f.pool, 0, NULL);
        if (p == 2 || p == 3) {
            ok(0, "backup or weight-0 member picked while primaries are up");
            break;
        }
    }
    ok(1, "20 picks stay on the primaries");
    is_int(bl_lb_pick(&f.pool, 0, &tried), 1, "a retry skips the member already tried");
    atomic_store(&f.st[0].health, BL_HEALTH_DOWN);
    atomic_store(&f.st[1].health, BL_HEALTH_DOWN);
    is_int(bl_lb_pick(&f.pool, 0, NULL), 2, "the backup takes over when no primary is usable");
    is_int(bl_lb_pick(&f.pool, 0, NULL), 2, "and keeps it; weight 0 is never picked");
    atomic_store(&f.st[0].health, BL_HEALTH_UP);
    is_int(bl_lb_pick(&f.pool, 0, NULL), 0, "a primary coming back wins over the backup");
    bl_lb_pool_dispose(&f.pool);

    f.m[0].admin_up = false;
    f.m[2].backup = false;
    bl_lb_pool_build(&f.pool, bl_algo_find("ROUND_ROBIN"), f.m, 4, &f.cursor);
    atomic_store(&f.st[1].health, BL_HEALTH_UP);
    for (int i = 0; i < 10; i++) {
        if (bl_lb_pick(&f.pool, 0, NULL) == 0) {
            ok(0, "admin-down member picked");
            break;
        }
    }
    ok(1, "an admin-down member gets no connection");
    bl_lb_pool_dispose(&f.pool);
}

static void test_least_connections(void)
{
    struct fixture f;
    const uint32_t w[] = {1, 1, 2};
    int counts[3] = {0};

    setup(&f, "LEAST_CONNECTIONS", w, 3);
    atomic_store(&f.st[0].active, 5);
    atomic_store(&f.st[1].active, 2);
    atomic_store(&f.st[2].active, 6);
    is_int(bl_lb_pick(&f.pool, 0, NULL), 1, "fewest connections wins (2 of weight 1)");
    atomic_store(&f.st[2].active, 3);
    is_int(bl_lb_pick(&f.pool, 0, NULL), 2, "per unit of weight: 3/2 beats 2/1");
    /* From zero, picking and counting must fill the members in proportion to weight. */
    for (int i = 0; i < 3; i++)
        atomic_store(&f.st[i].active, 0);
    for (int i = 0; i < 400; i++) {
        int p = bl_lb_pick(&f.pool, 0, NULL);
        counts[p]++;
        atomic_fetch_add(&f.st[p].active, 1);
    }
    diag("400 connections over weights 1:1:2 -> %d / %d / %d", counts[0], counts[1], counts[2]);
    ok(counts[0] == 100 && counts[1] == 100 && counts[2] == 200,
       "live connections settle at 100/100/200");
    bl_lb_pool_dispose(&f.pool);
}

/* Where each of `n` clients lands. */
static void place(struct fixture *f, int *where, unsigned n)
{
    for (unsigned c = 0; c < n; c++) {
        uint64_t h = (uint64_t)c * 0x2545F4914F6CDD1DULL;
        h ^= h >> 31;
        where[c] = bl_lb_pick(&f->pool, h, NULL);
    }
}

static void test_maglev(void)
{
    enum { N = 10, CLIENTS = 100000 };
    struct fixture f;
    uint32_t w[N];
    int *before = calloc(CLIENTS, sizeof(int)), *after = calloc(CLIENTS, sizeof(int));
    int counts[N] = {0}, lo = CLIENTS, hi = 0;
    unsigned moved_other = 0, moved_own = 0, own = 0;

    for (int i = 0; i < N; i++)
        w[i] = 1;
    setup(&f, "SOURCE_IP", w, N);
    place(&f, before, CLIENTS);
    for (int c = 0; c < CLIENTS; c++)
        counts[before[c]]++;
    for (int i = 0; i < N; i++) {
        lo = counts[i] < lo ? counts[i] : lo;
        hi = counts[i] > hi ? counts[i] : hi;
    }
    diag("Maglev, %d members, %d clients: least loaded %d, most loaded %d (ideal %d)", N,
         CLIENTS, lo, hi, CLIENTS / N);
    ok(lo > CLIENTS / N * 90 / 100 && hi < CLIENTS / N * 110 / 100,
       "every member within 10%% of its fair share");
    place(&f, after, CLIENTS);
    ok(memcmp(before, after, CLIENTS * sizeof(int)) == 0, "the same client always lands on the same member");

    /* Remove member 3 the way a reload does: rebuild from the remaining nine. */
    bl_lb_pool_dispose(&f.pool);
    {
        struct bl_lb_member rest[N - 1];
        int map[N - 1];
        for (int i = 0, k = 0; i < N; i++) {
            if (i == 3)
                continue;
            rest[k] = f.m[i];
            map[k++] = i;
        }
        bl_lb_pool_build(&f.pool, bl_algo_find("SOURCE_IP"), rest, N - 1, &f.cursor);
        place(&f, after, CLIENTS);
        for (int c = 0; c < CLIENTS; c++)
            after[c] = map[after[c]];
    }
    for (int c = 0; c < CLIENTS; c++) {
        if (before[c] == 3) {
            own++;
            moved_own += after[c] != 3;
        } else {
            moved_other += after[c] != before[c];
        }
    }
    diag("member removed: its %u clients moved: %u; other %u clients moved: %u (%.2f%%)", own,
         moved_own, CLIENTS - own, moved_other, 100.0 * moved_other / (CLIENTS - own));
    ok(moved_own == own, "every client of the removed member moved");
    is_int(moved_other, 0, "no client of another member moved");
    bl_lb_pool_dispose(&f.pool);

    /* Adding an 11th member: clients move only to it, about 1/11 of them. */
    setup(&f, "SOURCE_IP", w, N);
    place(&f, before, CLIENTS);
    bl_lb_pool_dispose(&f.pool);
    {
        struct bl_lb_member more[N + 1];
        unsigned moved = 0, to_new = 0;
        memcpy(more, f.m, sizeof(f.m[0]) * N);
        more[N] = (struct bl_lb_member){&f.st[N], key_of(N), 1, false, true};
        bl_lb_pool_build(&f.pool, bl_algo_find("SOURCE_IP"), more, N + 1, &f.cursor);
        place(&f, after, CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            moved += after[c] != before[c];
            to_new += after[c] == N;
        }
        diag("member added: %u of %d clients moved, %u of them to the new member", moved,
             CLIENTS, to_new);
        is_int(moved, to_new, "clients move only to the new member");
        ok(to_new > CLIENTS / (N + 1) * 9 / 10 && to_new < CLIENTS / (N + 1) * 11 / 10,
           "and it gets its share (1/11 +-10%%)");
        bl_lb_pool_dispose(&f.pool);
    }
    setup(&f, "SOURCE_IP", w, N);
    place(&f, after, CLIENTS);
    ok(memcmp(before, after, CLIENTS * sizeof(int)) == 0,
       "back to the original members: every client is where it was");
    bl_lb_pool_dispose(&f.pool);

    /* A member that is down (health) moves only its own clients, without a rebuild. */
    setup(&f, "SOURCE_IP", w, N);
    atomic_store(&f.st[5].health, BL_HEALTH_DOWN);
    place(&f, after, CLIENTS);
    moved_other = 0;
    own = 0;
    for (int c = 0; c < CLIENTS; c++) {
        if (before[c] == 5)
            own += after[c] != 5;
        else
            moved_other += after[c] != before[c];
    }
    is_int(moved_other, 0, "a member going down moves none of the other members' clients");
    ok(own == (unsigned)counts[5], "and all of its own");
    bl_lb_pool_dispose(&f.pool);
    free(before);
    free(after);
}

static void test_maglev_weights(void)
{
    struct fixture f;
    const uint32_t w[] = {1, 3};
    int where[40000], counts[2] = {0};

    setup(&f, "SOURCE_IP_PORT", w, 2);
    place(&f, where, 40000);
    for (int c = 0; c < 40000; c++)
        counts[where[c]]++;
    diag("Maglev weights 1:3 over 40000 clients: %d / %d", counts[0], counts[1]);
    ok(counts[0] > 9000 && counts[0] < 11000, "weight 1 of 4 gets a quarter (+-10%%)");
    bl_lb_pool_dispose(&f.pool);
}

/* Above 64 members the paper's permutation fill takes over: still balanced. */
static void test_maglev_large(void)
{
    enum { N = 100 };
    static struct bl_member_state st[N];
    static struct bl_lb_member m[N];
    _Atomic uint64_t cursor = 0;
    struct bl_lb_pool pool;
    int counts[N] = {0}, lo = 1 << 30, hi = 0;

    for (int i = 0; i < N; i++)
        m[i] = (struct bl_lb_member){&st[i], key_of((unsigned)i), 1, false, true};
    bl_lb_pool_build(&pool, bl_algo_find("SOURCE_IP"), m, N, &cursor);
    for (int c = 0; c < 200000; c++) {
        uint64_t h = (uint64_t)c * 0x2545F4914F6CDD1DULL;
        counts[bl_lb_pick(&pool, h ^ (h >> 31), NULL)]++;
    }
    for (int i = 0; i < N; i++) {
        lo = counts[i] < lo ? counts[i] : lo;
        hi = counts[i] > hi ? counts[i] : hi;
    }
    diag("Maglev (permutation fill), %d members, 200000 clients: %d .. %d (ideal 2000)", N, lo, hi);
    ok(lo > 1700 && hi < 2300, "every member within 15%% of its share");
    bl_lb_pool_dispose(&pool);
}

static void test_lookup(void)
{
    ok(bl_algo_find("ROUND_ROBIN") == &bl_algo_round_robin, "ROUND_ROBIN by name");
    ok(bl_algo_find("SOURCE_IP_PORT") == &bl_algo_source_ip_port, "SOURCE_IP_PORT by name");
    ok(bl_algo_find("round_robin") == NULL, "names are case-sensitive, as Octavia's");
    ok(bl_algo_needs_hash(&bl_algo_source_ip) && !bl_algo_hash_port(&bl_algo_source_ip),
       "SOURCE_IP hashes the address only");
    ok(bl_algo_hash_port(&bl_algo_source_ip_port), "SOURCE_IP_PORT hashes the port too");
}

int main(void)
{
    test_round_robin();
    test_tried_and_tiers();
    test_least_connections();
    test_maglev();
    test_maglev_weights();
    test_maglev_large();
    test_lookup();
    return done_testing();
}
