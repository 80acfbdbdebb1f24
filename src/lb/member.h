/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The part of a member that every worker and every configuration snapshot
 * share: live connection count (LEAST_CONNECTIONS reads it), health, and the
 * counters behind Octavia's member stats. All fields are relaxed atomics:
 * exact totals matter, ordering between them does not.
 *
 * Owned by config/registry (refcounted there, keyed by the member's identity),
 * so a member that survives a reload keeps its counters, its health and its
 * passive-check (outlier) record.
 */
#ifndef BL_LB_MEMBER_H
#define BL_LB_MEMBER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum bl_health {
    BL_HEALTH_NO_MONITOR = 0, /* no health monitor: usable */
    BL_HEALTH_UP,             /* last checks passed: usable */
    BL_HEALTH_DOWN,           /* checks failed: no new connections */
};

struct bl_member_state {
    _Atomic int32_t active;         /* connections open now (includes connecting) */
    _Atomic uint8_t health;         /* enum bl_health */
    _Atomic uint64_t total;         /* connections ever established to it */
    _Atomic uint64_t conn_errors;   /* connects refused, timed out or reset */
    _Atomic uint64_t bytes_in;      /* client -> member bytes */
    _Atomic uint64_t bytes_out;     /* member -> client bytes */
    /* Passive checks (lb/outlier.h): written by workers, cleared by the health checker. */
    _Atomic uint32_t consec_errors; /* connect failures in a row; a success resets it */
    _Atomic uint8_t ejected;        /* 1 = ejected by outlier detection: no new connections */
    _Atomic uint32_t ejections;     /* ejection multiplier: base time x this (decays) */
    _Atomic uint64_t ejected_at_ms; /* CLOCK_MONOTONIC ms of the last ejection */
    _Atomic uint64_t ejected_total; /* ejections ever, for stats */
    _Atomic uint64_t warned_ms;     /* last connect-failure log line (loop clock, ms) */
    _Atomic uint32_t unlogged;      /* connect failures not logged since that line */
    /* Owned by the control thread (health/): never read by workers. */
    uint8_t hc_health;    /* HAProxy's counter: up when >= rise (see health/counter.h) */
    uint8_t opstatus;     /* last reported operating status + 1; 0 = not reported yet */
    char reason[120];     /* why the last status change happened */
    char last_check[120]; /* what the last probe saw */
};

static inline bool bl_member_is_usable(const struct bl_member_state *st)
{
    return atomic_load_explicit(&st->health, memory_order_relaxed) != BL_HEALTH_DOWN &&
           !atomic_load_explicit(&st->ejected, memory_order_relaxed);
}

#define bl_stat_add(field, n) atomic_fetch_add_explicit(&(field), (n), memory_order_relaxed)
#define bl_stat_get(field) atomic_load_explicit(&(field), memory_order_relaxed)

#endif
