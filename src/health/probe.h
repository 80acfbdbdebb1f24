/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One health probe in flight, for every Octavia monitor type but SCTP: TCP
 * (connect), HTTP and HTTPS (request, status line against expected_codes),
 * TLS-HELLO (handshake completes), PING (ICMP echo) and UDP-CONNECT (a
 * datagram that draws no ICMP port unreachable). Non-blocking, on the
 * control loop; each probe opens its own socket and closes it when done (TCP
 * ones with a RST, as HAProxy does, so thousands of members leave no
 * TIME_WAIT behind). Internal to health/.
 */
#ifndef BL_HEALTH_PROBE_H
#define BL_HEALTH_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/model.h"
#include "core/loop.h"

struct ssl_st;     /* OpenSSL's SSL */
struct ssl_ctx_st; /* OpenSSL's SSL_CTX */
struct bl_probe;

/* The result: `reason` (NUL-terminated, valid during the call) says what was seen,
 * e.g. "HTTP 503 from /healthz" or "connect timeout after 2000 ms". */
typedef void bl_probe_done_cb(struct bl_probe *p, bool passed, const char *reason);

struct bl_probe {
    struct bl_loop *loop;
    bl_probe_done_cb *done;
    const struct bl_cfg_monitor *mon; /* borrowed; the caller keeps it alive while running */
    struct bl_addr target;            /* address (and port) probed */
    struct ssl_ctx_st *ssl_ctx;       /* HTTPS, TLS-HELLO: borrowed */
    struct bl_io io;                  /* fd -1 when idle */
    struct bl_timer timer;            /* the monitor's timeout */
    struct ssl_st *ssl;               /* HTTPS, TLS-HELLO: NULL otherwise */
    char *buf;                        /* HTTP: request, then response head; NULL otherwise */
    size_t len;                       /* bytes in buf */
    size_t sent;                      /* bytes of the request sent */
    uint16_t echo_id, echo_seq;       /* PING over a raw socket: our echo's identity */
    uint8_t step;                     /* where the probe is (probe.c enum step) */
    bool raw;                         /* PING: raw ICMP socket (ping_group_range said no) */
    bool running;
    char reason[128];
};

void bl_probe_init(struct bl_probe *p, struct bl_loop *loop, bl_probe_done_cb *done);

/*
 * Starts a probe of `target` as `mon` says. p->done runs exactly once per
 * start, possibly before this returns (e.g. a connect refused at once), never
 * after bl_probe_cancel(). `ssl_ctx` is needed for HTTPS and TLS-HELLO.
 * The probe must not be running.
 */
void bl_probe_start(struct bl_probe *p, const struct bl_cfg_monitor *mon,
                    const struct bl_addr *target, struct ssl_ctx_st *ssl_ctx);

/* Stops a running probe without a result; harmless when idle. */
void bl_probe_cancel(struct bl_probe *p);

/* A client SSL_CTX for probes (no certificate verification, as Octavia's checks).
 * Returns NULL (and logs) if OpenSSL cannot make one. */
struct ssl_ctx_st *bl_probe_ssl_ctx(void);

void bl_probe_ssl_ctx_free(struct ssl_ctx_st *ctx);

#endif
