/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Octavia's request-body validation, table-driven. A resource is a list of
 * field specs; bl_fields_apply() checks a request body against it and merges
 * it into the stored object, with Octavia's (wsme's) error texts:
 *   Invalid input for field/attribute weight. Value: '1000'. Value should be
 *   lower or equal to 256
 * Pure: jansson in, jansson out, no I/O.
 */
#ifndef BL_API_FIELDS_H
#define BL_API_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

enum bl_ftype {
    BL_F_STRING = 0, /* string <= 255; null stored as null */
    BL_F_NAME,       /* string <= 255; null and absent become "" */
    BL_F_UUID,       /* UUID string, lower-cased */
    BL_F_INT,        /* integer in [min, max]; numeric strings accepted (the CLI sends them) */
    BL_F_BOOL,       /* true/false, or an unambiguous string ("true", "no", "1", ...) */
    BL_F_ENUM,       /* one of `choices` */
    BL_F_IP,         /* IPv4 or IPv6 address */
    BL_F_TAGS,       /* list of strings <= 255 */
    BL_F_STRLIST,    /* list of strings, or null */
    BL_F_OBJECT,     /* any JSON object, or null (checked by the resource) */
    BL_F_VERSION,    /* an HTTP version number: 1.0 or 1.1 */
    BL_F_OBJLIST,    /* a list of objects (child specs of a fully-populated create) */
};

enum {
    BL_F_CREATE = 1u << 0,   /* may be given on POST */
    BL_F_UPDATE = 1u << 1,   /* may be given on PUT */
    BL_F_REQUIRED = 1u << 2, /* mandatory on POST */
    BL_F_INPUT = 1u << 3,    /* accepted as input but not stored in the body */
};

struct bl_field {
    const char *name;
    enum bl_ftype type;
    unsigned flags;
    const char *def;             /* default as JSON text ("null", "1", "\"NONE\""...), NULL = none */
    int64_t min, max;            /* BL_F_INT bounds */
    const char *const *choices;  /* BL_F_ENUM, NULL-terminated */
};

/*
 * Validates `in` (the object under the resource's wrapper key) and writes the
 * resulting fields into `out`. On create, absent fields get their default;
 * on update only the fields given change and `null` resets to the default.
 * `arg` names the wrapper for unknown-attribute errors
 * ("load_balancer.loadbalancer"). Returns 0, or -EINVAL with `err` holding
 * Octavia's faultstring.
 */
int bl_fields_apply(const struct bl_field *spec, bool create, const char *arg, json_t *in,
                    json_t *out, struct bl_err *err);

/* True when `s` is a UUID (8-4-4-4-12 hex, either case). */
bool bl_is_uuid(const char *s);

/* The length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0. n >= 1. */
size_t bl_utf8_seq(const unsigned char *s, size_t n);

/* Writes a new random (version 4) UUID into `out` (37 bytes). */
void bl_uuid_new(char out[37]);

#endif
