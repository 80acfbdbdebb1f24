/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/lb/stick.c: the lock-free stick table of session persistence. */
#include <stdlib.h>

#include "lb/stick.h"
#include "tap.h"

static struct bl_stick *new_table(void)
{
    return calloc(1, bl_stick_size()); /* zero-filled = empty, as the registry gives it */
}

static void test_put_get(void)
{
    struct bl_stick *t = new_table();

    is_int(bl_stick_get(t, 42, 1000, 0), 0, "an empty table knows nobody");
    bl_stick_put(t, 42, bl_stick_member_id(7), 1000);
    is_int(bl_stick_get(t, 42, 1000, 0), bl_stick_member_id(7), "a key finds its member");
    is_int(bl_stick_get(t, 43, 1000, 0), 0, "another key does not");
    bl_stick_put(t, 42, bl_stick_member_id(9), 2000);
    is_int(bl_stick_get(t, 42, 2000, 0), bl_stick_member_id(9), "a put moves the key");
    ok(bl_stick_member_id(0) != 0 && bl_stick_member_id(2) != 0, "member ids are never 0");
    free(t);
}

static void test_timeout(void)
{
    struct bl_stick *t = new_table();

    bl_stick_put(t, 5, bl_stick_member_id(1), 10000);
    is_int(bl_stick_get(t, 5, 15000, 10), bl_stick_member_id(1), "used 5 s ago, 10 s timeout");
    /* the get above refreshed it at 15 s */
    is_int(bl_stick_get(t, 5, 24000, 10), bl_stick_member_id(1), "a use refreshes the entry");
    is_int(bl_stick_get(t, 5, 40000, 10), 0, "unused for 16 s: expired");
    is_int(bl_stick_get(t, 5, 90000, 0), bl_stick_member_id(1), "no timeout: kept");
    free(t);
}

static void test_many_keys(void)
{
    struct bl_stick *t = new_table();
    unsigned kept = 0, wrong = 0;
    const unsigned n = BL_STICK_SLOTS / 2;

    for (unsigned k = 1; k <= n; k++)
        bl_stick_put(t, k * 2654435761u, bl_stick_member_id(k % 13), 1000);
    for (unsigned k = 1; k <= n; k++) {
        uint32_t m = bl_stick_get(t, k * 2654435761u, 1000, 0);
        if (m == bl_stick_member_id(k % 13))
            kept++;
        else if (m != 0)
            wrong++;
    }
    /* Lossy by design, but at half load nearly every key keeps its place. */
    ok(kept > n * 99 / 100, "%u of %u keys kept at half load", kept, n);
    is_int(wrong, 0, "no key ever answers another key's member");
    free(t);
}

int main(void)
{
    test_put_get();
    test_timeout();
    test_many_keys();
    return done_testing();
}
