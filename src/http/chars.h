/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Character classes of the HTTP/1.1 grammar (RFC 9110 §5.6, RFC 9112, RFC 3986),
 * shared by the message parser (http1.c) and the chunked decoder (chunked.c) so
 * that header lines and trailer lines obey one set of rules. Internal to src/http/.
 */
#ifndef BL_HTTP_CHARS_H
#define BL_HTTP_CHARS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Value of a hex digit; `c` must satisfy is_hex(). */
static inline unsigned hex_val(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    return (c | 0x20u) - 'a' + 10;
}

/* SP or HTAB: the only whitespace HTTP/1.1 allows inside a line (OWS/BWS). */
static inline bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* tchar: what methods, header names and transfer-coding names are made of. */
static inline bool is_tchar(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * A byte allowed inside a field value, reason phrase or chunk extension:
 * VCHAR, obs-text, SP, HTAB. Every other control byte (NUL, CR, LF, DEL...)
 * is refused, which is what keeps a value from smuggling a line break.
 */
static inline bool is_field_char(unsigned char c)
{
    return (c >= 0x20 && c != 0x7f) || c == '\t';
}

/* RFC 3986 unreserved / sub-delims: common to targets and Host. */
static inline bool is_uri_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && strchr("-._~!$&'()*+,;=", c) != NULL);
}

/*
 * A request-target byte other than '%' (which needs two hex digits after it):
 * pchar plus the gen-delims a target may hold. '#' is not one (a fragment is
 * never sent), nor are SP, CTLs, '"', '<', '>', '\\', '^', '`', '{', '|', '}'
 * or bytes >= 0x80; clients must percent-encode those.
 */
static inline bool is_target_char(unsigned char c)
{
    return is_uri_char(c) || c == ':' || c == '@' || c == '/' || c == '?' || c == '[' || c == ']';
}

/* Host field bytes: uri-host [":" port], checked by class, not by full grammar. */
static inline bool is_host_char(unsigned char c)
{
    return is_uri_char(c) || c == ':' || c == '[' || c == ']' || c == '%';
}

/* ASCII case-insensitive comparison of `s[0..n)` with the lowercase literal `lit`. */
static inline bool lit_eq_nocase(const char *s, size_t n, const char *lit)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (lit[i] == '\0' || (c >= 'A' && c <= 'Z' ? c | 0x20u : c) != (unsigned char)lit[i])
            return false;
    }
    return lit[i] == '\0';
}

#endif
