/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The heads the HTTP proxy writes: a client's request as it goes to the
 * member, a member's response as it goes to the client, and the responses
 * ballast makes itself (errors, redirects). Pure string work on parsed heads
 * (http/http1.h): no I/O, no allocation.
 *
 * Both directions drop the hop-by-hop headers (RFC 9110 §7.6.1): Connection
 * and every header it names, Keep-Alive, Proxy-Connection, TE, Trailer,
 * Upgrade (kept for a protocol switch). Transfer-Encoding stays: bodies are
 * forwarded with their framing as received. The proxy then says itself what
 * it wants of each connection.
 */
#ifndef BL_PROXY_HTTP_MSG_H
#define BL_PROXY_HTTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http/http1.h"
#include "net/addr.h"

/* What the request head to the member carries besides the client's request. */
struct bl_hreq_ctx {
    const struct bl_addr *peer; /* the client, for X-Forwarded-For */
    uint16_t dst_port;          /* the listener's port, for X-Forwarded-Port */
    uint32_t insert;            /* BL_XH_* (config/model.h): which headers to add */
    bool tls;                   /* the client came over TLS: X-Forwarded-Proto https */
    bool upstream_close;        /* ask the member to close after this exchange */
    const char *extra;          /* whole header lines to add ("Name: v\r\n"...), or NULL */
    size_t extra_len;
};

/* What the response head to the client carries besides the member's response. */
struct bl_hresp_ctx {
    bool close;        /* the client connection closes after this response */
    int client_minor;  /* the request's HTTP minor version (1.0 needs keep-alive said) */
    const char *extra; /* whole header lines to add (Set-Cookie...), or NULL */
    size_t extra_len;
};

/*
 * Writes the request head for the member into `out[0..cap)`. Returns its
 * length, or -ENOSPC when it does not fit (answer 431).
 */
ssize_t bl_hmsg_request(char *out, size_t cap, const struct bl_http_req *req,
                        const struct bl_hreq_ctx *ctx);

/* Writes the response head for the client. Returns its length, or -ENOSPC (answer 502). */
ssize_t bl_hmsg_response(char *out, size_t cap, const struct bl_http_resp *resp,
                         const struct bl_hresp_ctx *ctx);

/*
 * Writes a whole response made by ballast: `status` with a short HTML body,
 * `location` (may be NULL) for redirects, and Connection: close when `close`.
 * Returns its length, or -ENOSPC.
 */
ssize_t bl_hmsg_reply(char *out, size_t cap, int status, const char *location, bool close);

/*
 * Finds cookie `name` in the headers named `hname` ("cookie": every
 * "a=1; b=2" pair; "set-cookie": the first pair of each line). Sets the
 * value (quotes kept) and returns true when found.
 */
bool bl_hmsg_cookie(const struct bl_http_header *h, size_t nh, const char *hname, const char *name,
                    const char **value, size_t *value_len);

/* Reason phrase for the statuses ballast answers itself (and 200); "Error" for others. */
const char *bl_hmsg_reason(int status);

#endif
