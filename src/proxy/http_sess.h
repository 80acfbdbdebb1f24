/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP session, shared by the two halves of the HTTP proxy: http.c (the
 * connection: accept, events, timers, teardown) and http_xchg.c (the
 * exchange: requests, routing, member connections, responses, retries).
 * Internal to proxy/.
 */
#ifndef BL_PROXY_HTTP_SESS_H
#define BL_PROXY_HTTP_SESS_H

#include <stdbool.h>
#include <stdint.h>

#include "lb/algo.h"
#include "proxy/hflow.h"
#include "proxy/persist.h"
#include "proxy/upstream.h"
#include "proxy/worker.h"

enum bl_hs_state {
    HS_HEAD = 0,  /* waiting for a request head */
    HS_HANDSHAKE, /* TERMINATED_HTTPS: TLS handshake with the client */
    HS_CONNECT,   /* request staged; member connect in flight */
    HS_EXCHANGE,  /* request going up, response coming down */
    HS_TUNNEL,    /* after 101 Switching Protocols: bytes both ways */
    HS_REPLY,     /* sending a response ballast made */
    HS_LINGER,    /* final response sent and write side shut: draining the client */
    HS_CLOSED,    /* finalized; freed at the end of the loop iteration */
};

enum bl_hs_end {
    END_DONE = 0,     /* clean close */
    END_CLIENT_RESET, /* client error, reset or premature close */
    END_MEMBER_RESET, /* member failed after the response started */
    END_TIMEOUT,
    END_SHUTDOWN,
    END_PROTOCOL, /* framing error in a body */
};

/* How a member let a request down, before any of its response reached the client. */
enum bl_hs_fail {
    FAIL_CLOSED = 0, /* closed or reset the connection, or a write to it failed */
    FAIL_TIMEOUT,    /* connect or response too slow */
    FAIL_BAD,        /* answered something that is not HTTP/1.x */
    FAIL_5XX,        /* answered 5xx to a request that may be sent elsewhere */
};

struct bl_hsess {
    struct bl_list node; /* in w->hsessions */
    struct bl_worker *w;
    struct bl_snapshot *snap; /* reference: keeps sl, pools and members alive */
    struct bl_snap_listener *sl;
    struct bl_snap_pool *pool; /* of the current request */
    struct bl_hconn *up;       /* member connection, NULL when none */
    struct bl_io cli;
    struct bl_tls_conn *tls; /* TERMINATED_HTTPS: the client's TLS, NULL for HTTP */
    struct bl_hflow req, resp;
    struct bl_timer timer;
    struct bl_lb_tried tried;
    int member;                     /* index in pool->members, -1 = none */
    uint64_t cli_seen_ms;           /* last byte to or from the client */
    uint64_t srv_seen_ms;           /* last byte to or from the member; connect start */
    uint64_t head_ms;               /* first byte of the current request head, 0 = none yet */
    uint64_t try_ms;                /* when the request went to the current member */
    struct bl_persist_pick persist; /* session persistence of the current request */
    uint64_t hash;                  /* client hash for SOURCE_IP* */
    struct bl_addr peer;
    uint32_t replay_len; /* whole request in req.out[0..replay_len), 0 = not replayable */
    uint8_t state;       /* enum hs_state */
    uint8_t retries_left;
    uint8_t client_minor;
    uint16_t fail_status; /* what the client gets when no other member can be tried */
    bool keep_alive;      /* the client connection stays open after this exchange */
    bool client_close;    /* the client itself asked to close (Connection: close, 1.0) */
    bool idempotent;      /* method safe to send twice (RFC 9110 §9.2.2) */
    bool is_head, is_upgrade;
    bool reused;               /* the member connection carried an exchange before */
    bool stale_retried;        /* a reused connection already failed for this request */
    bool resp_started;         /* a final response head went to the client */
    bool up_reusable;          /* the member allows another exchange on the connection */
    bool denied;               /* allowed_cidrs refused it: 403 once TLS is up */
    char *body;                /* HS_REPLY: a long body ballast made (metrics), sent after
                                  resp.out; malloc'd, NULL when none or all sent */
    size_t body_len, body_off; /* its length; bytes already sent */
    struct bl_defer free_d;
};

/* http.c */

/*
 * The last response is out: a client that asked to close and sent nothing
 * more is closed at once; otherwise its write side ends (close_notify first
 * over TLS) and the session lingers, draining what it still sends.
 */
void bl_hs_close_client(struct bl_hsess *s);

void bl_hs_finalize(struct bl_hsess *s, enum bl_hs_end why);
void bl_hs_run(struct bl_hsess *s);
void bl_hs_on_member(struct bl_loop *loop, struct bl_io *io, uint32_t events);
struct bl_member_state *bl_hs_member_st(const struct bl_hsess *s);
void bl_hs_detach_member(struct bl_hsess *s, bool reuse, bool reset);

/* http_xchg.c */

/* Answers the current request with a response of ballast's own (error, redirect). */
void bl_hs_reply(struct bl_hsess *s, int status, const char *location, bool close);

/*
 * Starts a response of ballast's own with `status` (counted by class): the
 * member is let go, resp is emptied, resp.out is ready for the head and the
 * session is in HS_REPLY. keep_alive is cleared when `close`, or when the
 * request body was not read whole. Returns &s->resp.
 */
struct bl_hflow *bl_hs_reply_begin(struct bl_hsess *s, int status, bool close);

/* prom_http.c: answers a request on a PROMETHEUS listener (GET/HEAD /metrics). */
void bl_hs_prom(struct bl_hsess *s, const struct bl_http_req *req);

/* prom_http.c: sends what is left of s->body, freeing it once sent. Returns 0 or -errno. */
int bl_hs_push_body(struct bl_hsess *s);

/* prom_http.c: frees s->body (session end). */
void bl_hs_drop_body(struct bl_hsess *s);

/* A client allowed_cidrs refuses: 403, then the connection closes. */
void bl_hs_deny(struct bl_hsess *s);

/* The member failed before any of its response reached the client: retry or answer. */
void bl_hs_member_failed(struct bl_hsess *s, enum bl_hs_fail why);

/* One move of the session; true when another may follow at once. */
bool bl_hs_step(struct bl_hsess *s);

#endif
