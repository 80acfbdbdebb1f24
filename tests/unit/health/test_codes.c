/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for expected_codes parsing (bl_codeset_*, in src/config/model.c),
 * which HTTP and HTTPS probes match response statuses against. */
#include "config/model.h"
#include "tap.h"

/* The codes of `set` in 100..599 as "a,b-c,..." (ranges collapsed). */
static const char *show(const struct bl_codeset *set)
{
    static char out[256];
    size_t n = 0;

    out[0] = '\0';
    for (int c = 100; c <= 599; c++) {
        int lo = c;
        if (!bl_codeset_has(set, c))
            continue;
        while (c + 1 <= 599 && bl_codeset_has(set, c + 1))
            c++;
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%d", n ? "," : "", lo);
        if (c > lo)
            n += (size_t)snprintf(out + n, sizeof(out) - n, "-%d", c);
    }
    return out;
}

static void good(const char *s, const char *want)
{
    struct bl_codeset set;
    const char *why = NULL;
    int rc = bl_codeset_parse(s, &set, &why);

    if (!ok(rc == 0, "'%s' parses", s))
        diag("why: %s", why ? why : "(none)");
    else
        is_str(show(&set), want, "and holds exactly the codes it names");
}

static void bad(const char *s, const char *why_want)
{
    struct bl_codeset set;
    const char *why = NULL;

    is_int(bl_codeset_parse(s, &set, &why), -22, "refused");
    is_str(why, why_want, "with a reason");
}

int main(void)
{
    struct bl_codeset set;

    good("200", "200");
    good("200-204", "200-204");
    good("200,202", "200,202");
    good("200, 202 ,204", "200,202,204");
    good("200-204,301,302", "200-204,301-302");
    good("100-599", "100-599");
    good("599", "599");
    bad("", "expected a three-digit HTTP status code");
    bad("20", "expected a three-digit HTTP status code");
    bad("2000", "use codes such as 200, ranges such as 200-204, separated by commas");
    bad("200,", "expected a three-digit HTTP status code");
    bad("204-200", "a range must not end below its start");
    bad("099", "status codes must be 100..599");
    bad("600", "status codes must be 100..599");
    bad("200-", "expected a three-digit HTTP status code");
    bad("2xx", "expected a three-digit HTTP status code");
    bad("200;202", "use codes such as 200, ranges such as 200-204, separated by commas");
    bl_codeset_parse("200-204", &set, NULL);
    ok(bl_codeset_has(&set, 204) && !bl_codeset_has(&set, 205) && !bl_codeset_has(&set, 199),
       "bounds are inclusive");
    ok(!bl_codeset_has(&set, 0) && !bl_codeset_has(&set, 9999),
       "out-of-range statuses never match");
    return done_testing();
}
