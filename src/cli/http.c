/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client: one libcurl easy handle for the whole run, so every
 * request after the first reuses the connection. Bodies are JSON both ways;
 * an error is reported the way the OpenStack client reports it: the API's
 * faultstring, the HTTP code and the request id.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "core/xalloc.h"

struct buf {
    char *p;
    size_t n;
};

struct hdrs {
    struct bl_cli_resp *r;
    const char *want; /* extra header to capture, or NULL */
    char *out;
    size_t out_n;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;

    b->p = bl_xrealloc(b->p, b->n + size * n + 1);
    memcpy(b->p + b->n, data, size * n);
    b->n += size * n;
    b->p[b->n] = '\0';
    return size * n;
}

static void copy_header(const char *line, size_t n, size_t name_len, char *out, size_t out_n)
{
    const char *v = line + name_len + 1;
    size_t len;

    while (v < line + n && *v == ' ')
        v++;
    len = (size_t)(line + n - v);
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n'))
        len--;
    snprintf(out, out_n, "%.*s", (int)len, v);
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
    struct hdrs *h = arg;
    static const char rid[] = "x-openstack-request-id";

    n *= size;
    if (n > sizeof(rid) && strncasecmp(line, rid, sizeof(rid) - 1) == 0 &&
        line[sizeof(rid) - 1] == ':')
        copy_header(line, n, sizeof(rid) - 1, h->r->request_id, sizeof(h->r->request_id));
    if (h->want && n > strlen(h->want) && strncasecmp(line, h->want, strlen(h->want)) == 0 &&
        line[strlen(h->want)] == ':')
        copy_header(line, n, strlen(h->want), h->out, h->out_n);
    return n;
}

int bl_cli_conn_open(struct bl_cli_conn *c)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(c->curl = curl_easy_init())) {
        fprintf(stderr, "ballast: cannot initialise libcurl\n");
        return -ENOMEM;
    }
    return 0;
}

void bl_cli_conn_close(struct bl_cli_conn *c)
{
    if (c->curl)
        curl_easy_cleanup(c->curl);
    c->curl = NULL;
    free(c->url[0]);
    free(c->url[1]);
    free(c->token);
}

static struct curl_slist *headers(const struct bl_cli_conn *c, bool body)
{
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    char tok[4200];

    h = curl_slist_append(h, "User-Agent: ballast/" BL_VERSION);
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    if (c->token) {
        snprintf(tok, sizeof(tok), "X-Auth-Token: %s", c->token);
        h = curl_slist_append(h, tok);
    }
    return h;
}

/* One request to an absolute URL. r->status is 0 if no response came. */
int bl_cli_call(struct bl_cli_conn *c, const char *method, const char *url, json_t *body,
                struct bl_cli_resp *r, char *hdr_out, size_t hdr_n, const char *hdr_name)
{
    CURL *cu = c->curl;
    struct buf in = {0};
    struct hdrs h = {r, hdr_name, hdr_out, hdr_n};
    char *data = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct curl_slist *hl = headers(c, data != NULL);
    CURLcode rc;

    memset(r, 0, sizeof(*r));
    curl_easy_reset(cu);
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &in);
    curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(cu, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
    if (data)
        curl_easy_setopt(cu, CURLOPT_POSTFIELDS, data);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(cu, CURLOPT_NOBODY, 1L);
    if (c->debug)
        fprintf(stderr, "REQ: %s %s%s%s\n", method, url, data ? " " : "", data ? data : "");
    rc = curl_easy_perform(cu);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &r->status);
        r->body = in.n ? json_loadb(in.p, in.n, 0, NULL) : NULL;
        if (!r->body && in.n) /* not JSON: keep the text for the error message */
            r->body = json_pack("{s:s%}", "text", in.p, in.n);
    } else if (!r->errbuf[0]) {
        snprintf(r->errbuf, sizeof(r->errbuf), "%s", curl_easy_strerror(rc));
    }
    if (c->debug)
        fprintf(stderr, "RESP: %ld %s\n", r->status, in.p ? in.p : "");
    curl_slist_free_all(hl);
    free(in.p);
    free(data);
    return rc == CURLE_OK ? 0 : -EIO;
}

int bl_cli_request(struct bl_cli_conn *c, enum bl_cli_svc svc, const char *method, const char *path,
                   json_t *body, struct bl_cli_resp *r)
{
    size_t n = strlen(c->url[svc]) + strlen(path) + 1;
    char *url = bl_xmalloc(n);
    int rc;

    snprintf(url, n, "%s%s", c->url[svc], path);
    rc = bl_cli_call(c, method, url, body, r, NULL, 0, NULL);
    if (rc < 0)
        fprintf(stderr, "Unable to establish connection to %s: %s\n", url, r->errbuf);
    free(url);
    return rc;
}

/* Prints the API's error for a non-2xx response; returns BL_CLI_API. */
int bl_cli_api_error(const struct bl_cli_resp *r)
{
    json_t *b = r->body;
    const char *msg = json_string_value(json_object_get(b, "faultstring"));

    if (!msg) /* Keystone: {"error": {"message": ...}} */
        msg = json_string_value(json_object_get(json_object_get(b, "error"), "message"));
    if (!msg)
        msg = json_string_value(json_object_get(b, "text"));
    if (!msg)
        msg = r->status == 404 ? "Not Found" : "Request failed";
    fprintf(stderr, "%s (HTTP %ld)", msg, r->status);
    if (r->request_id[0])
        fprintf(stderr, " (Request-ID: %s)", r->request_id);
    fputc('\n', stderr);
    return BL_CLI_API;
}

void bl_cli_resp_free(struct bl_cli_resp *r)
{
    json_decref(r->body);
    r->body = NULL;
}

/* URL-encodes a query value (caller frees). */
char *bl_cli_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = bl_xmalloc(strlen(s) * 3 + 1), *o = out;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-_.~", ch)) {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o = '\0';
    return out;
}
