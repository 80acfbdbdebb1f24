/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Balancing algorithms as an ops table (HAProxy lb_ops, h2o balancer). Pure:
 * no I/O. An algorithm builds immutable state for one tier of a pool when a
 * snapshot is built (control thread), then pick() runs on any worker thread
 * at once, touching only atomics.
 */
#ifndef BL_LB_ALGO_H
#define BL_LB_ALGO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct bl_lb_member;

/* What pick() may look at: the members of one tier and the shared cursor. */
struct bl_lb_tier {
    const struct bl_lb_member *members; /* the pool's whole member array */
    const uint32_t *idx;                /* indexes into members[] of this tier */
    uint32_t n;                         /* number of idx entries, > 0 */
    _Atomic uint64_t *cursor;           /* shared by every worker, survives reloads */
};

/* Members a pick must skip: already tried by this connection. */
#define BL_LB_MAX_TRIES 4 /* members one connection or request may try */

struct bl_lb_tried {
    uint32_t idx[BL_LB_MAX_TRIES];
    unsigned n;
    bool ignore_health; /* panic mode (lb/pool.c): down members count as usable */
};

struct bl_algo_ops {
    const char *name; /* the Octavia lb_algorithm value */
    /* Builds per-tier state; returns NULL when the algorithm keeps none. */
    void *(*create)(const struct bl_lb_tier *tier);
    void (*destroy)(void *state);
    /* Returns an index into tier->members of a usable, untried member, or -1. */
    int (*pick)(const struct bl_lb_tier *tier, const void *state, uint64_t hash,
                const struct bl_lb_tried *tried);
};

extern const struct bl_algo_ops bl_algo_round_robin;
extern const struct bl_algo_ops bl_algo_least_connections;
extern const struct bl_algo_ops bl_algo_source_ip;
extern const struct bl_algo_ops bl_algo_source_ip_port;

/* Looks an algorithm up by its Octavia name; NULL if unknown. */
const struct bl_algo_ops *bl_algo_find(const char *name);

/* True when pick() must be given a hash of the client (SOURCE_IP*). */
bool bl_algo_needs_hash(const struct bl_algo_ops *ops);

/* True when the source port is part of that hash (SOURCE_IP_PORT). */
bool bl_algo_hash_port(const struct bl_algo_ops *ops);

#endif
