/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCRE2 for L7 rules: one place that decides how a rule's REGEX value is
 * compiled, so that the parser (which refuses a bad pattern, naming its JSON
 * path), the API (400 before commit) and the snapshot (which compiles each
 * pattern once) agree. Patterns are searched, not anchored, as HAProxy's
 * "-m reg" does; HOST_NAME rules compile caseless (HAProxy's "-i").
 */
#ifndef BL_CONFIG_REGEX_H
#define BL_CONFIG_REGEX_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Compiles `pattern` (JIT when available). Returns the code (free with
 * pcre2_code_free), or NULL with `why` holding PCRE2's message and the offset,
 * e.g. "missing closing parenthesis at offset 3".
 */
pcre2_code *bl_regex_compile(const char *pattern, bool caseless, char *why, size_t cap);

/* True when `re` finds a match in `s[0..len)`. A matching error (such as the
 * match limit) counts as no match. Uses a per-thread match block. */
bool bl_regex_search(const pcre2_code *re, const char *s, size_t len);

#endif
