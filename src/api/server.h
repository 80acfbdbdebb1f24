/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The REST API's HTTP/1.1 server, on the control thread's event loop, with
 * ballast's own parser (http/http1.h). It frames requests (Content-Length
 * bodies, keep-alive as the client asks, "Connection: close" said out loud
 * when closing) and hands each one, complete, to a handler that answers
 * synchronously: API requests are short store transactions.
 */
#ifndef BL_API_SERVER_H
#define BL_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/loop.h"
#include "net/addr.h"

/* One request, complete. Strings are NUL-terminated and live until the handler returns. */
struct bl_api_req {
    const char *method;     /* "GET", "POST", ... */
    const char *path;       /* "/v2/lbaas/loadbalancers/..." without the query */
    const char *query;      /* "limit=2&sort=name" or "" */
    const char *body;       /* may contain NULs; body_len bytes */
    size_t body_len;
    const char *project_id; /* X-Project-Id, or NULL */
    const char *auth_token; /* X-Auth-Token, or NULL */
    const char *subject_token; /* X-Subject-Token (Keystone token validation), or NULL */
    const char *base_url;   /* "http://<Host header>" for links */
    bool no_settle;         /* X-Oracle-No-Settle: keep held no-op objects pending (api.h) */
};

/* The handler fills this in. */
struct bl_api_resp {
    int status;
    char *body;               /* malloc'd, freed by the server; NULL = no body */
    const char *content_type; /* default "application/json" when body is set */
    char header[128];         /* one extra "Name: value" header line, "" = none */
};

typedef void bl_api_handler(void *ctx, const struct bl_api_req *req, struct bl_api_resp *resp);

struct bl_api_server;

/*
 * Answers the complete requests at the start of in[0..len) as a connection
 * does: appends each response to `*out` (bl_xrealloc'd, `*out_len` bytes)
 * and returns how many input bytes it used. Sets `*close` when the
 * connection must close once the output is sent (a framing error, or the
 * client asked); it reads no further request then. The server calls it on
 * what it receives; the fuzz target (tests/fuzz/fuzz_api.c) on its input.
 */
size_t bl_api_serve(bl_api_handler *handler, void *ctx, const char *in, size_t len, char **out,
                    size_t *out_len, bool *close);

/* Listens on `addr` and serves with `handler`. Returns 0 or -errno with `err` filled. */
int bl_api_server_start(struct bl_loop *loop, const struct bl_addr *addr, bl_api_handler *handler,
                        void *ctx, struct bl_api_server **out, struct bl_err *err);

/* Closes the listener and every connection. */
void bl_api_server_stop(struct bl_api_server *s);

#endif
