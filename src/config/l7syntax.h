/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The character classes Octavia checks L7 fields against
 * (octavia/common/constants.py, validate.py), shared by the parser and the
 * API so that both accept exactly the same values. Pure.
 */
#ifndef BL_CONFIG_L7SYNTAX_H
#define BL_CONFIG_L7SYNTAX_H

#include <stdbool.h>

/* An HTTP token (RFC 7230 tchar+): header and cookie names, non-empty. */
bool bl_l7_is_token(const char *s);

/* A header value: visible ASCII, or a quoted string that may hold spaces and tabs. */
bool bl_l7_is_header_value(const char *s);

/* A cookie value: visible ASCII except '"', ';' and '\'. */
bool bl_l7_is_cookie_value(const char *s);

/* A distinguished name field such as CN or emailAddress: ^[a-zA-Z][A-Za-z0-9-]*$ */
bool bl_l7_is_dn_key(const char *s);

/* An http or https URL with a host and no spaces or control characters. */
bool bl_l7_is_url(const char *s);

#endif
