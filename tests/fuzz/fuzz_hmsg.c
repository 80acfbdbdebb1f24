/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for src/proxy/http_msg.c: the heads the HTTP proxy writes.
 * Whatever head the parser accepts, the rewritten head must itself parse
 * (ballast never sends a member or a client something it would refuse),
 * keep the method, target, status and body framing, and carry no hop-by-hop
 * header but the one Connection header ballast writes. Cookie look-ups on
 * the same headers must stay inside their values. The first input byte
 * picks the request/response side and the inserted headers.
 * `make fuzz` builds it with clang; `make unit` replays the corpus.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/model.h"
#include "http/http1.h"
#include "proxy/http_msg.h"

#define HDR_CAP 64
#define OUT_CAP 20000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
    if (!cond)
        __builtin_trap();
}

static size_t count_named(const struct bl_http_header *h, size_t n, const char *lname)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += bl_http_header_is(&h[i], lname);
    return c;
}

static void check_cookies(const struct bl_http_header *h, size_t n, const char *hname)
{
    static const char *const names[] = {"SRV", "JSESSIONID", "a", ""};

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        const char *v = NULL;
        size_t vlen = 0;
        if (!bl_hmsg_cookie(h, n, hname, names[k], &v, &vlen))
            continue;
        bool inside = false;
        for (size_t i = 0; i < n && !inside; i++)
            inside = v >= h[i].value && v + vlen <= h[i].value + h[i].value_len;
        check(inside);
    }
}

static void fuzz_request(const char *buf, size_t len, uint8_t flags)
{
    struct bl_http_header hdrs[HDR_CAP], out_hdrs[HDR_CAP + 8];
    struct bl_http_req req = {.headers = hdrs, .headers_cap = HDR_CAP};
    struct bl_http_req again = {.headers = out_hdrs, .headers_cap = HDR_CAP + 8};
    struct bl_addr peer;
    struct bl_hreq_ctx ctx = {.peer = &peer, .dst_port = 8080, .insert = flags & 7u,
                              .tls = flags & 8u, .upstream_close = flags & 16u};
    static char out[OUT_CAP];
    ssize_t n, m;

    memset(&peer, 0, sizeof(peer));
    peer.u.in4.sin_family = AF_INET;
    if (bl_http1_parse_request(buf, len, 0, NULL, &req, NULL) < 0)
        return;
    check_cookies(hdrs, req.num_headers, "cookie");
    n = bl_hmsg_request(out, sizeof(out), &req, &ctx);
    if (n < 0)
        return;
    m = bl_http1_parse_request(out, (size_t)n, 0, NULL, &again, NULL);
    check(m == n);
    check(again.method_len == req.method_len && !memcmp(again.method, req.method, req.method_len));
    check(again.target_len == req.target_len && !memcmp(again.target, req.target, req.target_len));
    check(again.body == req.body && again.content_length == req.content_length);
    check(count_named(out_hdrs, again.num_headers, "keep-alive") == 0);
    check(count_named(out_hdrs, again.num_headers, "te") == 0);
    check(count_named(out_hdrs, again.num_headers, "connection") <= 1);
    check(!(ctx.insert & BL_XH_PORT) || count_named(out_hdrs, again.num_headers,
                                                    "x-forwarded-port") == 1);
}

static void fuzz_response(const char *buf, size_t len, uint8_t flags)
{
    struct bl_http_header hdrs[HDR_CAP], out_hdrs[HDR_CAP + 8];
    struct bl_http_resp resp = {.headers = hdrs, .headers_cap = HDR_CAP};
    struct bl_http_resp again = {.headers = out_hdrs, .headers_cap = HDR_CAP + 8};
    struct bl_hresp_ctx ctx = {.close = flags & 1u, .client_minor = (flags >> 1) & 1u};
    static char out[OUT_CAP];
    ssize_t n, m;

    if (bl_http1_parse_response(buf, len, 0, NULL, 0, &resp, NULL) < 0)
        return;
    check_cookies(hdrs, resp.num_headers, "set-cookie");
    n = bl_hmsg_response(out, sizeof(out), &resp, &ctx);
    if (n < 0)
        return;
    m = bl_http1_parse_response(out, (size_t)n, 0, NULL, 0, &again, NULL);
    check(m == n);
    check(again.status == resp.status && again.body == resp.body);
    check(again.content_length == resp.content_length);
    check(count_named(out_hdrs, again.num_headers, "connection") <= 1);
    check(!ctx.close || resp.status == 101 || !again.keep_alive);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf;

    if (size < 1)
        return 0;
    buf = malloc(size - 1 ? size - 1 : 1); /* exact size: ASan sees any over-read */
    check(buf != NULL);
    memcpy(buf, data + 1, size - 1);
    if (data[0] & 0x80)
        fuzz_response(buf, size - 1, data[0]);
    else
        fuzz_request(buf, size - 1, data[0]);
    free(buf);
    return 0;
}
