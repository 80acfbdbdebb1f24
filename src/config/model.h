/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The object model as ballast runs it: load balancers, listeners, pools and
 * members with Octavia's field names, defaults and allowed values, already
 * validated. One `struct bl_cfg` is built from a declarative file (parse.c)
 * and, later, from the store; it is immutable once built and everything in it
 * lives in its arena.
 */
#ifndef BL_CONFIG_MODEL_H
#define BL_CONFIG_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "lb/algo.h"
#include "net/addr.h"

enum bl_proto {
    BL_PROTO_TCP = 0,
    BL_PROTO_UDP,
    BL_PROTO_HTTP,
    BL_PROTO_HTTPS,            /* listener: TLS passthrough, balanced as TCP */
    BL_PROTO_TERMINATED_HTTPS, /* listener only */
    BL_PROTO_PROXY,            /* pool only: TCP with a PROXY v1 header */
    BL_PROTO_PROXYV2,          /* pool only: TCP with a PROXY v2 header */
    BL_PROTO_SCTP,
    BL_PROTO_PROMETHEUS,       /* listener only */
};

/* Octavia's defaults for listener timeouts, in milliseconds. */
#define BL_DEFAULT_TIMEOUT_CLIENT_DATA_MS 50000
#define BL_DEFAULT_TIMEOUT_MEMBER_CONNECT_MS 5000
#define BL_DEFAULT_TIMEOUT_MEMBER_DATA_MS 50000

struct bl_cfg_member {
    const char *id;      /* "" when the file gave none */
    const char *name;    /* "" when unset */
    const char *address; /* as written */
    struct bl_addr addr; /* address + protocol_port */
    uint32_t weight;     /* 0..256, default 1; 0 = no new connections */
    bool backup;
    bool admin_up;
};

struct bl_cfg_monitor {
    const char *type; /* Octavia type, e.g. "TCP"; NULL = no monitor */
    uint32_t delay_s, timeout_s, max_retries, max_retries_down;
};

struct bl_cfg_pool {
    const char *id;
    const char *name;
    const char *key; /* identity across reloads: id, else LB key + name/index */
    enum bl_proto proto;
    const struct bl_algo_ops *algo;
    bool admin_up;
    struct bl_cfg_monitor monitor;
    struct bl_cfg_member *members;
    uint32_t nmembers;
};

struct bl_cfg_listener {
    const char *id;
    const char *name;
    enum bl_proto proto;
    uint16_t port;
    int64_t connection_limit; /* -1 = unlimited */
    uint32_t timeout_client_data_ms;    /* 0 = no timeout */
    uint32_t timeout_member_connect_ms; /* 0 = no timeout */
    uint32_t timeout_member_data_ms;    /* 0 = no timeout */
    struct bl_cidr *allowed_cidrs;      /* NULL/0 = everyone */
    uint32_t nallowed_cidrs;
    bool admin_up;
    int pool; /* index into the load balancer's pools, -1 = no default pool */
};

struct bl_cfg_lb {
    const char *id;
    const char *name;
    const char *vip_address;
    struct bl_addr vip; /* port 0 */
    bool admin_up;
    struct bl_cfg_listener *listeners;
    uint32_t nlisteners;
    struct bl_cfg_pool *pools;
    uint32_t npools;
};

struct bl_cfg {
    struct bl_arena *arena; /* owns everything below */
    bool single;            /* written as {"loadbalancer": ...}: error paths say so */
    struct bl_cfg_lb *lbs;
    uint32_t nlbs;
};

/* Octavia spelling of a protocol ("TCP", "PROXYV2", ...). */
const char *bl_proto_name(enum bl_proto p);

/* True for protocols carried over a TCP stream (HTTP, HTTPS, PROXY...). */
bool bl_proto_is_stream(enum bl_proto p);

void bl_cfg_free(struct bl_cfg *cfg);

#endif
