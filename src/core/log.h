/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr, one write(2) per line so lines from worker threads never
 * interleave. Log once, at the layer that decides what happens next.
 */
#ifndef BL_CORE_LOG_H
#define BL_CORE_LOG_H

enum bl_log_level {
    BL_LOG_ERROR = 0, /* the operation failed and nothing retries it */
    BL_LOG_WARN,      /* something failed but ballast carries on (retry, reject) */
    BL_LOG_INFO,      /* state changes an operator wants to see (start, reload) */
    BL_LOG_DEBUG,     /* per-connection story; off unless --log-level debug */
};

/* Lines above this level are dropped. Set once at start-up. */
extern enum bl_log_level bl_log_max;

void bl_log(enum bl_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses "error", "warn", "info" or "debug"; returns -EINVAL for anything else. */
int bl_log_level_parse(const char *s, enum bl_log_level *out);

#define bl_log_enabled(level) ((level) <= bl_log_max)

#endif
