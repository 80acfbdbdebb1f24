/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request-body validation by field spec. The error texts copy the wsme
 * messages Octavia's API returns (see ../shared/octavia/octavia-api.md §1),
 * because clients and tempest match on them.
 */
#include "api/fields.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/random.h"

/* How Python would print the value inside '...' (None for null). */
static void repr(json_t *v, char *buf, size_t n)
{
    char *text;

    if (v == NULL || json_is_null(v)) {
        snprintf(buf, n, "None");
    } else if (json_is_string(v)) {
        snprintf(buf, n, "%s", json_string_value(v));
    } else if (json_is_true(v) || json_is_false(v)) {
        snprintf(buf, n, "%s", json_is_true(v) ? "True" : "False");
    } else {
        text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(buf, n, "%s", text ? text : "?");
        free(text);
    }
}

__attribute__((format(printf, 4, 5))) static int invalid(struct bl_err *err, const char *name,
                                                         json_t *v, const char *fmt, ...)
{
    char val[256], msg[256];
    va_list ap;

    repr(v, val, sizeof(val));
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return bl_err_set(err, -EINVAL, "Invalid input for field/attribute %s. Value: '%s'. %s", name,
                      val, msg);
}

bool bl_is_uuid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};

    if (strlen(s) != 36)
        return false;
    for (int i = 0, d = 0; i < 36; i++) {
        if (d < 4 && i == dash[d]) {
            if (s[i] != '-')
                return false;
            d++;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

void bl_uuid_new(char out[37])
{
    unsigned char b[16];

    bl_random_bytes(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* ---- one value per type: returns the value to store (new reference) or NULL on error ---- */

static json_t *check_int(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    long long n;
    char *end;

    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v) && json_string_value(v)[0] != '\0') {
        n = strtoll(json_string_value(v), &end, 10);
        if (*end != '\0') {
            invalid(err, f->name, v, "Wrong type. Expected '<class 'int'>', got '<class 'str'>'");
            return NULL;
        }
    } else {
        invalid(err, f->name, v, "Wrong type. Expected '<class 'int'>', got '%s'",
                json_is_string(v) ? "<class 'str'>" : "<class 'object'>");
        return NULL;
    }
    if (n > f->max) {
        invalid(err, f->name, v, "Value should be lower or equal to %lld", (long long)f->max);
        return NULL;
    }
    if (n < f->min) {
        invalid(err, f->name, v, "Value should be greater or equal to %lld", (long long)f->min);
        return NULL;
    }
    return json_integer(n);
}

static json_t *check_bool(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    static const char *const yes[] = {"true", "1", "yes", "on", "t", "y", NULL};
    static const char *const no[] = {"false", "0", "no", "off", "f", "n", NULL};

    if (json_is_boolean(v))
        return json_boolean(json_is_true(v));
    if (json_is_string(v)) {
        for (int i = 0; yes[i]; i++) {
            if (strcasecmp(json_string_value(v), yes[i]) == 0)
                return json_true();
            if (strcasecmp(json_string_value(v), no[i]) == 0)
                return json_false();
        }
    }
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
        return json_boolean(json_integer_value(v));
    invalid(err, f->name, v, "Value not an unambiguous boolean: %s",
            json_is_string(v) ? json_string_value(v) : "?");
    return NULL;
}

static json_t *check_enum(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    char list[512] = "";

    if (json_is_string(v)) {
        for (int i = 0; f->choices[i]; i++) {
            if (strcmp(f->choices[i], json_string_value(v)) == 0)
                return json_string(f->choices[i]);
        }
    }
    for (int i = 0; f->choices[i]; i++) {
        strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
        strncat(list, f->choices[i], sizeof(list) - strlen(list) - 1);
    }
    invalid(err, f->name, v, "Value should be one of: %s", list);
    return NULL;
}

static json_t *check_string(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    if (!json_is_string(v)) {
        invalid(err, f->name, v, "Wrong type. Expected '<class 'str'>', got '%s'",
                json_is_integer(v) ? "<class 'int'>" : "<class 'object'>");
        return NULL;
    }
    if (json_string_length(v) > 255) {
        invalid(err, f->name, v, "Value should have a maximum character requirement of 255");
        return NULL;
    }
    return json_incref(v);
}

static json_t *check_uuid(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    char low[37];

    if (!json_is_string(v) || !bl_is_uuid(json_string_value(v))) {
        invalid(err, f->name, v, "Value should be UUID format");
        return NULL;
    }
    for (int i = 0; i < 37; i++)
        low[i] = (char)tolower((unsigned char)json_string_value(v)[i]);
    return json_string(low);
}

static json_t *check_ip(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    unsigned char buf[16];

    if (json_is_string(v) && (inet_pton(AF_INET, json_string_value(v), buf) == 1 ||
                              inet_pton(AF_INET6, json_string_value(v), buf) == 1))
        return json_incref(v);
    invalid(err, f->name, v, "Value should be IPv4 or IPv6 format");
    return NULL;
}

static json_t *check_list(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v)) {
        invalid(err, f->name, v, "Value should be a list");
        return NULL;
    }
    json_array_foreach(v, i, e) {
        if (!json_is_string(e) || json_string_length(e) > 255) {
            invalid(err, f->name, v, "Value should be a list of strings of at most 255 characters");
            return NULL;
        }
    }
    return json_incref(v);
}

static json_t *check_value(const struct bl_field *f, json_t *v, struct bl_err *err)
{
    if (json_is_null(v) && f->type != BL_F_NAME && f->type != BL_F_BOOL && f->type != BL_F_TAGS) {
        if (f->flags & BL_F_REQUIRED) {
            invalid(err, f->name, v, "Mandatory field missing.");
            return NULL;
        }
        return json_null();
    }
    switch (f->type) {
    case BL_F_INT:
        return check_int(f, v, err);
    case BL_F_BOOL:
        /* Octavia: admin_state_up: null means false. */
        return json_is_null(v) ? json_false() : check_bool(f, v, err);
    case BL_F_ENUM:
        return check_enum(f, v, err);
    case BL_F_UUID:
        return check_uuid(f, v, err);
    case BL_F_IP:
        return check_ip(f, v, err);
    case BL_F_NAME:
        return json_is_null(v) ? json_string("") : check_string(f, v, err);
    case BL_F_TAGS:
        return json_is_null(v) ? json_array() : check_list(f, v, err);
    case BL_F_STRLIST:
        return check_list(f, v, err);
    case BL_F_VERSION:
        if (json_is_number(v) && (json_number_value(v) == 1.0 || json_number_value(v) == 1.1))
            return json_real(json_number_value(v));
        invalid(err, f->name, v, "Value should be one of: 1.0, 1.1");
        return NULL;
    case BL_F_OBJLIST:
        if (!json_is_array(v)) {
            invalid(err, f->name, v, "Value should be a list");
            return NULL;
        }
        return json_incref(v);
    case BL_F_OBJECT:
        if (!json_is_object(v)) {
            invalid(err, f->name, v, "Value should be an object");
            return NULL;
        }
        return json_incref(v);
    case BL_F_STRING:
    default:
        return check_string(f, v, err);
    }
}

static const struct bl_field *find(const struct bl_field *spec, const char *name)
{
    for (; spec->name; spec++) {
        if (strcmp(spec->name, name) == 0)
            return spec;
    }
    return NULL;
}

/* The default of `f` as a new JSON value; NULL when it has none. */
static json_t *default_of(const struct bl_field *f)
{
    return f->def ? json_loads(f->def, JSON_DECODE_ANY, NULL) : NULL;
}

int bl_fields_apply(const struct bl_field *spec, bool create, const char *arg, json_t *in,
                    json_t *out, struct bl_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach(in, key, v) {
        const struct bl_field *f = find(spec, key);
        unsigned need = create ? BL_F_CREATE : BL_F_UPDATE;
        json_t *ok;
        if (f == NULL || !(f->flags & need))
            return bl_err_set(err, -EINVAL, "Unknown attribute for argument %s: %s", arg, key);
        if (!create && json_is_null(v) && f->def && f->type != BL_F_NAME)
            ok = default_of(f);
        else
            ok = check_value(f, v, err);
        if (ok == NULL)
            return -EINVAL;
        json_object_set_new(out, key, ok);
    }
    if (!create)
        return 0;
    for (const struct bl_field *f = spec; f->name; f++) {
        if (json_object_get(in, f->name) != NULL)
            continue;
        if (f->flags & BL_F_REQUIRED)
            return invalid(err, f->name, NULL, "Mandatory field missing.");
        if (f->def)
            json_object_set_new(out, f->name, default_of(f));
    }
    return 0;
}

/* The length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0. */
size_t bl_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}
