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
#include "lb/outlier.h"
#include "net/addr.h"
#include "net/tls.h"

enum bl_proto {
    BL_PROTO_TCP = 0,
    BL_PROTO_UDP,
    BL_PROTO_HTTP,
    BL_PROTO_HTTPS,            /* listener: TLS passthrough, balanced as TCP */
    BL_PROTO_TERMINATED_HTTPS, /* listener only */
    BL_PROTO_PROXY,            /* pool only: TCP with a PROXY v1 header */
    BL_PROTO_PROXYV2,          /* pool only: TCP with a PROXY v2 header */
    BL_PROTO_SCTP,
    BL_PROTO_PROMETHEUS, /* listener only */
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
    const char *monitor_address; /* as written; NULL = probe `address` */
    uint16_t monitor_port;       /* 0 = probe protocol_port */
    struct bl_addr probe_addr;   /* where health probes go: both overrides applied */
};

/* Octavia's health monitor types, in the order of its API reference. */
enum bl_monitor_type {
    BL_MON_HTTP = 0,    /* HTTP request, status checked against expected_codes */
    BL_MON_HTTPS,       /* the same over TLS (certificate not verified, as Octavia) */
    BL_MON_PING,        /* ICMP echo */
    BL_MON_TCP,         /* TCP connect */
    BL_MON_TLS_HELLO,   /* TLS handshake completes */
    BL_MON_UDP_CONNECT, /* a datagram that draws no ICMP port unreachable */
    BL_MON_SCTP,        /* refused by the parser: ballast has no SCTP */
};

/* A set of HTTP status codes, 100..599: bit (code - 100). */
struct bl_codeset {
    uint64_t bits[8];
};

struct bl_cfg_monitor {
    const char *type; /* Octavia type, e.g. "TCP"; NULL = no monitor */
    enum bl_monitor_type kind;
    uint32_t delay_s, timeout_s, max_retries, max_retries_down; /* delay, timeout >= 1 */
    bool admin_up;              /* false: no probes, members show NO_MONITOR */
    const char *http_method;    /* HTTP(S) only, default "GET"; NULL otherwise */
    const char *url_path;       /* HTTP(S) only, default "/" */
    const char *expected_codes; /* HTTP(S) only, as written, default "200" */
    struct bl_codeset codes;    /* expected_codes parsed */
    const char *domain_name;    /* Host header (and TLS SNI); NULL = the probed address */
    uint8_t http_minor;         /* http_version 1.0 (default, as Octavia) -> 0, 1.1 -> 1 */
};

/* Octavia's session_persistence. */
enum bl_persist_type {
    BL_PERSIST_NONE = 0,
    BL_PERSIST_SOURCE_IP,   /* the client address (masked by persistence_granularity) */
    BL_PERSIST_HTTP_COOKIE, /* ballast inserts cookie SRV=<member id> (HTTP pools) */
    BL_PERSIST_APP_COOKIE,  /* learned from the application's own cookie (HTTP pools) */
};

struct bl_persist_cfg {
    enum bl_persist_type type;
    const char *cookie_name; /* APP_COOKIE only */
    uint32_t timeout_s;      /* persistence_timeout; 0 = until the entry is replaced */
    uint8_t prefix_v4;       /* persistence_granularity as a prefix length (32 = host) */
    uint8_t prefix_v6;       /* 128 = host */
};

/* ballast_retry_policy (HTTP pools): when a request goes to another member. */
enum {
    BL_RETRY_CONNECT = 1u << 0, /* "connect-failure": refused, unreachable, connect timeout */
    BL_RETRY_RESET = 1u << 1,   /* "reset": closed before answering (idempotent requests) */
    BL_RETRY_5XX = 1u << 2,     /* "5xx": answered 5xx (idempotent requests) */
    BL_RETRY_TIMEOUT = 1u << 3, /* "per-try-timeout": no answer within per_try_timeout */
};

struct bl_retry_cfg {
    uint8_t num_retries;         /* 0..3; default 1 */
    uint8_t on;                  /* BL_RETRY_*; default connect-failure, reset, 5xx */
    uint32_t per_try_timeout_ms; /* 0 = only timeout_member_data applies */
};

/*
 * TLS of a TERMINATED_HTTPS listener or of a pool with tls_enabled. Refs are
 * kept as written; config/certs.c turns them into files when a snapshot is
 * built (docs/tls.md): a path or file:// URL (file mode), else an id, or a
 * URL whose last segment is the id, naming <certs dir>/<id>.pem.
 */
struct bl_cfg_tls {
    const char *where;         /* JSON path of the listener or pool, for errors */
    const char *cert_ref;      /* listener: default_tls_container_ref (else the first SNI
                                  ref); pool: tls_container_ref, NULL = no client cert */
    const char **sni_refs;     /* listener: sni_container_refs */
    uint32_t nsni;
    const char *ca_ref;        /* listener: client_ca_tls_container_ref; pool:
                                  ca_tls_container_ref (members verified); NULL = none */
    const char *crl_ref;       /* client_crl_container_ref / crl_container_ref; NULL = none */
    enum bl_tls_auth client_auth; /* listener only */
    unsigned versions;         /* BL_TLS_* bits; Octavia's default TLSv1.2 + TLSv1.3 */
    const char *ciphers;       /* OpenSSL cipher string; NULL = Octavia's default */
    unsigned char alpn[3];     /* BL_ALPN_* in the order given */
    uint32_t nalpn;            /* 0 = no ALPN */
};

struct bl_cfg_pool {
    const char *id;
    const char *name;
    const char *key; /* identity across reloads: id, else LB key + name/index */
    enum bl_proto proto;
    const struct bl_algo_ops *algo;
    bool admin_up;
    bool panic;                    /* ballast_panic: all members down -> use them all */
    bool close_on_markdown;        /* ballast_close_on_markdown: reset a down member's
                                      established connections (default: they stay) */
    struct bl_outlier_cfg outlier; /* ballast_outlier_detection (passive checks) */
    struct bl_persist_cfg persist; /* session_persistence */
    struct bl_retry_cfg retry;     /* ballast_retry_policy */
    struct bl_cfg_monitor monitor;
    bool tls_enabled;              /* re-encrypt to members with `tls` */
    struct bl_cfg_tls tls;         /* meaningful with tls_enabled only */
    struct bl_cfg_member *members;
    uint32_t nmembers;
};

/* Octavia's insert_headers keys, as flags (bl_insert_header_names gives the spelling). */
enum {
    BL_XH_FOR = 1u << 0,              /* X-Forwarded-For: client address */
    BL_XH_PORT = 1u << 1,             /* X-Forwarded-Port: listener port */
    BL_XH_PROTO = 1u << 2,            /* X-Forwarded-Proto: http or https */
    BL_XH_SSL_CLIENT_VERIFY = 1u << 3, /* TERMINATED_HTTPS only, from here on */
    BL_XH_SSL_CLIENT_HAS_CERT = 1u << 4,
    BL_XH_SSL_CLIENT_DN = 1u << 5,
    BL_XH_SSL_CLIENT_CN = 1u << 6,
    BL_XH_SSL_ISSUER = 1u << 7,
    BL_XH_SSL_CLIENT_SHA1 = 1u << 8,
    BL_XH_SSL_CLIENT_NOT_BEFORE = 1u << 9,
    BL_XH_SSL_CLIENT_NOT_AFTER = 1u << 10,
};
#define BL_XH_COUNT 11
#define BL_XH_SSL_ANY (((1u << BL_XH_COUNT) - 1) & ~(BL_XH_FOR | BL_XH_PORT | BL_XH_PROTO))

/* "X-Forwarded-For", ... in flag bit order. */
extern const char *const bl_insert_header_names[BL_XH_COUNT];

/* L7 policy actions, in Octavia's spelling order. */
enum bl_l7policy_action {
    BL_L7P_REJECT = 0,
    BL_L7P_REDIRECT_TO_URL,
    BL_L7P_REDIRECT_TO_POOL,
    BL_L7P_REDIRECT_PREFIX,
};

/* L7 rule types: what part of the request a rule looks at. */
enum bl_l7rule_type {
    BL_L7R_HOST_NAME = 0,     /* the Host header as sent (port included), case-insensitive */
    BL_L7R_PATH,              /* the target's path, without the query */
    BL_L7R_FILE_TYPE,         /* the path's extension (EQUAL_TO) or the path (REGEX) */
    BL_L7R_HEADER,            /* each comma-separated value of header `key` */
    BL_L7R_COOKIE,            /* each value of cookie `key` */
    BL_L7R_SSL_CONN_HAS_CERT, /* TLS client presented a certificate */
    BL_L7R_SSL_VERIFY_RESULT, /* TLS client certificate verification result == value */
    BL_L7R_SSL_DN_FIELD,      /* the client certificate's subject field `key` */
};

enum bl_l7rule_compare {
    BL_L7C_REGEX = 0, /* PCRE2, unanchored search */
    BL_L7C_STARTS_WITH,
    BL_L7C_ENDS_WITH,
    BL_L7C_CONTAINS,
    BL_L7C_EQUAL_TO,
};

struct bl_cfg_l7rule {
    const char *id; /* "" when the file gave none */
    enum bl_l7rule_type type;
    enum bl_l7rule_compare compare;
    const char *key;   /* HEADER, COOKIE, SSL_DN_FIELD; NULL for the others */
    const char *value; /* never NULL; a valid PCRE2 pattern when compare is REGEX */
    long verify;       /* SSL_VERIFY_RESULT: value as a number (>= 0) */
    bool invert;
    bool admin_up; /* false: the rule is left out, as if it did not exist */
};

struct bl_cfg_l7policy {
    const char *id;   /* "" when the file gave none */
    const char *name; /* "" when unset */
    enum bl_l7policy_action action;
    uint32_t position;           /* 1..n within the listener, dense (Octavia renumbers) */
    int redirect_pool;           /* REDIRECT_TO_POOL: index into the LB's pools; else -1 */
    const char *redirect_url;    /* REDIRECT_TO_URL; NULL otherwise */
    const char *redirect_prefix; /* REDIRECT_PREFIX; NULL otherwise */
    uint16_t redirect_http_code; /* 301/302/303/307/308 for redirects (default 302); else 0 */
    bool admin_up;
    struct bl_cfg_l7rule *rules;
    uint32_t nrules; /* <= 50 */
};

struct bl_cfg_listener {
    const char *id;
    const char *name;
    enum bl_proto proto;
    uint16_t port;
    int64_t connection_limit;           /* -1 = unlimited */
    uint32_t timeout_client_data_ms;    /* 0 = no timeout */
    uint32_t timeout_member_connect_ms; /* 0 = no timeout */
    uint32_t timeout_member_data_ms;    /* 0 = no timeout */
    uint32_t timeout_request_ms;        /* ballast_timeout_http_request: a request head must
                                           arrive within this from its first byte; 0 = none */
    uint32_t insert_headers;            /* BL_XH_* */
    struct bl_cidr *allowed_cidrs;      /* NULL/0 = everyone */
    uint32_t nallowed_cidrs;
    bool admin_up;
    int pool; /* index into the load balancer's pools, -1 = no default pool */
    struct bl_cfg_l7policy *l7policies; /* sorted by position (HTTP, TERMINATED_HTTPS only) */
    uint32_t nl7policies;
    struct bl_cfg_tls tls; /* TERMINATED_HTTPS only (cert_ref set) */
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
    const char *certs_dir;  /* where certificate ids live (<id>.pem); NULL = ids refused */
    const char *files_dir;  /* file mode: relative certificate paths start here; NULL =
                               paths refused (API mode: only ids in certs_dir) */
    struct bl_cfg_lb *lbs;
    uint32_t nlbs;
};

/* Octavia spelling of a protocol ("TCP", "PROXYV2", ...). */
const char *bl_proto_name(enum bl_proto p);

/* Octavia spellings of L7 actions, rule types and compare types, indexed by
 * the enums above, NULL-terminated. */
extern const char *const bl_l7policy_action_names[];
extern const char *const bl_l7rule_type_names[];
extern const char *const bl_l7rule_compare_names[];

/* True for protocols carried over a TCP stream (HTTP, HTTPS, PROXY...). */
bool bl_proto_is_stream(enum bl_proto p);

void bl_cfg_free(struct bl_cfg *cfg);

/*
 * Parses Octavia's expected_codes: comma-separated codes and ranges, e.g.
 * "200", "200-204", "200,202" (a mix such as "200-204,301" is accepted too),
 * each code in 100..599, spaces allowed around commas. Returns 0, or -EINVAL
 * with `why` (may be NULL) pointing at a static explanation.
 */
int bl_codeset_parse(const char *s, struct bl_codeset *out, const char **why);

/* True when `status` is in `set`. */
bool bl_codeset_has(const struct bl_codeset *set, int status);

#endif
