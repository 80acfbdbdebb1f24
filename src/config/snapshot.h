/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The immutable runtime configuration the workers read: a parsed bl_cfg plus
 * everything derived from it once, so that no worker ever computes it per
 * connection: listener addresses and their per-worker listening sockets,
 * algorithm tables, shared counters.
 *
 * Refcounted. The control thread builds one per (re)load and hands a
 * reference to each worker; every session holds a reference to the snapshot
 * it started under, so a reload never pulls a member out from under a live
 * connection. The last unref frees it, on whichever thread that happens.
 */
#ifndef BL_CONFIG_SNAPSHOT_H
#define BL_CONFIG_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/model.h"
#include "config/regex.h"
#include "core/err.h"
#include "lb/pool.h"
#include "net/tls.h"

/* Responses the HTTP proxy makes itself, counted per listener by cause. */
enum bl_reply_kind {
    BL_REPLY_400 = 0, /* malformed request (also 414, 431, 501, 505 from the parser) */
    BL_REPLY_403,     /* allowed_cidrs, or an L7 REJECT policy */
    BL_REPLY_408,     /* request head not received in time */
    BL_REPLY_502,     /* member failed: connect refused, reset, bad response */
    BL_REPLY_503,     /* no usable member */
    BL_REPLY_504,     /* member did not answer in time */
    BL_REPLY_REDIRECT, /* L7 REDIRECT_TO_URL / REDIRECT_PREFIX */
    BL_REPLY_COUNT,
};

/* Counters of one listener, shared by workers and kept across reloads. */
struct bl_listener_state {
    _Atomic int32_t active;       /* client connections open now */
    _Atomic uint64_t total;       /* client connections accepted and served */
    _Atomic uint64_t bytes_in;    /* bytes received from clients */
    _Atomic uint64_t bytes_out;   /* bytes sent to clients */
    _Atomic uint64_t denied;      /* refused by allowed_cidrs or connection_limit */
    _Atomic uint64_t errors;      /* no usable member, or every try failed */
    /* HTTP listeners only. */
    _Atomic uint64_t requests;       /* request heads received */
    _Atomic uint64_t request_errors; /* requests refused as malformed (Octavia's request_errors) */
    _Atomic uint64_t responses[6];   /* responses sent to clients by class: [2] = 2xx ... */
    _Atomic uint64_t replies[BL_REPLY_COUNT]; /* of which made by ballast, by cause */
    _Atomic uint64_t retries;        /* requests sent again to another member */
};

/* A listening socket for one (address, protocol, worker); shared across snapshots. */
struct bl_lsock {
    int fd; /* -1 until opened; closed when the last snapshot using it goes */
};

/* Pool-wide shared state: the round-robin cursor every worker advances. */
struct bl_pool_state {
    _Atomic uint64_t cursor;
    _Atomic uint32_t ejected; /* members ejected by outlier detection now (lb/outlier.h) */
    /* Owned by the control thread (health/), for logging transitions once. */
    uint8_t opstatus;       /* last reported operating status + 1; 0 = not reported yet */
    uint8_t serving;        /* which members take traffic (health.c), + 1; 0 = not known yet */
    uint64_t next_sweep_ms; /* next outlier sweep (loop clock); kept across reloads */
};

struct bl_snap_member {
    const struct bl_cfg_member *cfg;
    struct bl_member_state *st; /* registry reference */
    uint32_t stick_id;          /* identity in stick tables (lb/stick.h) */
    char cookie[40];            /* HTTP_COOKIE value: the member id, else stick_id in hex */
};

struct bl_snap_pool {
    const struct bl_cfg_pool *cfg;
    struct bl_lb_pool lb;
    struct bl_snap_member *members;
    uint32_t nmembers;
    struct bl_pool_state *st; /* registry reference */
    struct bl_stick *stick;   /* SOURCE_IP / APP_COOKIE persistence: registry reference */
    bool hash_client;         /* SOURCE_IP*: pick() needs the client hash */
    bool hash_port;           /* SOURCE_IP_PORT: the source port is in it */
    struct bl_tls_ctx *tls_client; /* tls_enabled: re-encrypt to members; NULL = plain.
                                      One reference, dropped with the snapshot. */
};

struct bl_snap_l7rule {
    const struct bl_cfg_l7rule *cfg;
    pcre2_code *re;   /* REGEX rules: compiled once per snapshot, freed with it; else NULL */
    size_t value_len; /* strlen(cfg->value) */
};

/* A policy that can match: enabled, with at least one enabled rule (Octavia's
 * template drops the others), and for REDIRECT_TO_POOL an enabled target. */
struct bl_snap_l7policy {
    const struct bl_cfg_l7policy *cfg;
    struct bl_snap_pool *pool;    /* REDIRECT_TO_POOL: the target; NULL for other actions */
    struct bl_snap_l7rule *rules; /* the enabled rules, in the policy's order */
    uint32_t nrules;              /* >= 1; the policy matches when all of them do */
};

struct bl_snap_listener {
    const struct bl_cfg_listener *cfg;
    const struct bl_cfg_lb *lb;
    struct bl_addr addr;          /* VIP + protocol_port */
    int socktype;                 /* SOCK_STREAM or SOCK_DGRAM */
    struct bl_lsock **lsocks;     /* one per worker, registry references */
    struct bl_listener_state *st; /* registry reference */
    struct bl_snap_pool *pool;    /* NULL: no default pool, connections are refused */
    struct bl_tls_ctx *tls;       /* TERMINATED_HTTPS: the server context (certificates
                                     read when the snapshot was built); NULL otherwise */
    struct bl_snap_l7policy *l7;  /* evaluation order: see proxy/l7.h (NULL when none) */
    uint32_t nl7;
    char label[160]; /* "lb/listener (TCP 127.0.0.1:2222)" for logs */
};

/*
 * One load balancer's share of a snapshot: its listeners (with their sockets)
 * and pools (with their algorithm tables). Built once, then shared by every
 * snapshot in which that load balancer is unchanged, so an API change
 * rebuilds only what it touched. Refcounted like a snapshot, and "held"
 * while a held snapshot includes it: its sockets go with the last such hold,
 * after which it must not be put in a new snapshot (the agent only reuses
 * parts of the snapshot the data plane runs).
 */
struct bl_snap_lb {
    _Atomic uint32_t refs;
    _Atomic uint32_t holders;
    struct bl_cfg *cfg;                 /* owned (a one-LB config), or NULL: the snapshot's */
    const struct bl_cfg_lb *lb;
    unsigned nworkers;
    struct bl_snap_listener *listeners; /* only those with admin_state_up (and LB up) */
    uint32_t nlisteners;
    struct bl_snap_pool *pools;         /* every pool of the load balancer */
    uint32_t npools;
};

/* The index of the member whose stick_id is `id`, or -1. */
int bl_snap_pool_find_stick(const struct bl_snap_pool *sp, uint32_t id);

/* The index of the member whose HTTP_COOKIE value is cookie[0..len), or -1. */
int bl_snap_pool_find_cookie(const struct bl_snap_pool *sp, const char *cookie, size_t len);

/*
 * The flat arrays are views: shallow copies of the parts' listeners and pools
 * (whose `lb` and `pool` pointers point into this snapshot), so readers walk
 * one array; the parts own everything the copies point to.
 */
struct bl_snapshot {
    _Atomic uint32_t refs;        /* memory: the last unref frees */
    _Atomic uint32_t holders;     /* workers (and the control thread) running it */
    _Atomic bool released;        /* the last holder let go: the parts' holds are returned */
    uint64_t generation;          /* 1 for the first load, +1 per reload */
    struct bl_cfg *cfg;           /* owned view: lbs[i] copies parts[i]->lb */
    struct bl_cfg *source;        /* owned: the parsed file (bl_snapshot_build), or NULL */
    unsigned nworkers;
    struct bl_snap_listener *listeners; /* only those with admin_state_up (and LB up) */
    uint32_t nlisteners;
    struct bl_snap_pool *pools; /* every pool of every load balancer */
    uint32_t npools;
    struct bl_snap_lb **parts;    /* one reference each, in cfg->lbs order */
    uint32_t nparts;
};

/*
 * Builds a snapshot from `cfg` (taking ownership, freed on failure too) for
 * `nworkers` workers, one part per load balancer. Listening sockets that an earlier snapshot opened for
 * the same address are reused, never reopened; new ones are opened here, so
 * a port already in use fails the build, with `err` naming the listener and
 * `*failed_lb` (if not NULL) the index in cfg->lbs of its load balancer (-1
 * when the failure is not one load balancer's). Returns 0 with `*out`
 * holding one reference, or a negative errno.
 */
int bl_snapshot_build(struct bl_cfg *cfg, unsigned nworkers, uint64_t generation,
                      struct bl_snapshot **out, struct bl_err *err, int *failed_lb);

/*
 * snapshot_l7.c: fills sl->l7 from sl->cfg's policies, in evaluation order
 * (REJECT first, then REDIRECT_TO_URL / REDIRECT_PREFIX, then
 * REDIRECT_TO_POOL; by position within each), compiling each REGEX once.
 * `pools` are the snapshot pools of sl's load balancer (cfg index order);
 * `path` names the listener in errors. bl_snap_l7_free undoes it.
 */
int bl_snap_l7_build(struct bl_snap_listener *sl, struct bl_snap_pool *pools, const char *path,
                     struct bl_err *err);
void bl_snap_l7_free(struct bl_snap_listener *sl);

/*
 * Builds the share of the one load balancer of `cfg` (ownership taken, freed
 * on failure too), opening or reusing its listening sockets as above.
 * Returns 0 with `*out` holding one reference, or a negative errno with `err`
 * naming the listener.
 */
int bl_snapshot_build_lb(struct bl_cfg *cfg, unsigned nworkers, struct bl_snap_lb **out,
                         struct bl_err *err);

void bl_snap_lb_unref(struct bl_snap_lb *p);

/* A snapshot of `parts` (in that order; each gains a reference and a hold)
 * for `nworkers` workers. Never fails: the sockets are the parts' own. */
struct bl_snapshot *bl_snapshot_assemble(struct bl_snap_lb *const *parts, uint32_t nparts,
                                         unsigned nworkers, uint64_t generation);

void bl_snapshot_ref(struct bl_snapshot *s);

/*
 * A snapshot is "held" by each worker that accepts new connections with it,
 * and by the control thread while it is the current one. When the last holder
 * lets go, its listening sockets are released at once (a listener that the
 * newer snapshot dropped stops accepting now, not when its last connection
 * ends), though sessions may still reference the rest of it.
 */
void bl_snapshot_hold(struct bl_snapshot *s);
void bl_snapshot_release(struct bl_snapshot *s);

/* Drops a reference; the last one frees the snapshot and releases shared state. */
void bl_snapshot_unref(struct bl_snapshot *s);

#endif
