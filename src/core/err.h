/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Human-readable error detail handed up from boundaries (config, API, store)
 * through an out-parameter, as Redis's anetSetError does. Functions still
 * return a negative errno; `msg` says what, for people.
 */
#ifndef BL_CORE_ERR_H
#define BL_CORE_ERR_H

struct bl_err {
    int code;      /* negative errno of the first failure, 0 = none */
    char msg[512]; /* NUL-terminated; names the offending input */
};

/* Records the failure; does nothing when `err` is NULL. Returns `code`. */
int bl_err_set(struct bl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
