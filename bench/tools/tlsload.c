/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlsload: TLS handshakes against host:port, each carrying one HTTP request
 * with "Connection: close", read to EOF. Bounded in time and count.
 *
 *   tlsload HOST PORT CONC SECONDS MAXCOUNT MODE PATH
 *     CONC      client threads, each with one connection at a time
 *     MODE      full   -> every handshake is a full one (a fresh SSL, no session
 *                         offered, no ticket kept): what `wrk -H 'Connection: close'`
 *                         does NOT measure, since wrk resumes its sessions
 *               resume -> each thread offers the session of its previous connection
 *
 * Prints one line:  ok=N errors=E resumed=R secs=S rate=N/S p50_ms=.. p99_ms=..
 * The server's certificate is not verified (a benchmark, loopback only).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#define MAX_SAMPLES (1 << 20)

static struct sockaddr_in addr;
static SSL_CTX *ctx;
static double deadline;
static long maxcount;
static int resume;
static char request[512];

static long taken; /* connections started, under lock: the count bound */
static long ok_total, err_total, resumed_total, nsamples;
static double *samples;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int take(void)
{
    int r;
    pthread_mutex_lock(&mu);
    r = taken < maxcount && now() < deadline;
    taken += r;
    pthread_mutex_unlock(&mu);
    return r;
}

/* One connection: 1 = ok (2 = ok and resumed), 0 = error. */
static int one(SSL_SESSION **sess)
{
    struct timeval tv = {5, 0};
    char buf[16384];
    int fd = socket(AF_INET, SOCK_STREAM, 0), one_ = 1, rc = 0, status = 0;
    size_t got = 0;
    SSL *ssl = NULL;

    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one_, sizeof(one_));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        goto out;
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (resume && *sess)
        SSL_set_session(ssl, *sess);
    if (SSL_connect(ssl) != 1 || SSL_write(ssl, request, (int)strlen(request)) <= 0)
        goto out;
    for (;;) {
        int n = SSL_read(ssl, buf, sizeof(buf));
        if (n <= 0)
            break;
        if (got == 0 && n >= 12)
            status = atoi(buf + 9);
        got += (size_t)n;
    }
    rc = status == 200 ? 1 + SSL_session_reused(ssl) : 0;
    if (resume && rc) {
        SSL_SESSION *s = SSL_get1_session(ssl);
        if (s && SSL_SESSION_is_resumable(s)) {
            SSL_SESSION_free(*sess);
            *sess = s;
        } else {
            SSL_SESSION_free(s);
        }
    }
    SSL_shutdown(ssl);
out:
    SSL_free(ssl);
    close(fd);
    return rc;
}

static void *worker(void *arg)
{
    SSL_SESSION *sess = NULL;
    long ok = 0, err = 0, res = 0;
    (void)arg;
    while (take()) {
        double t0 = now();
        int r = one(&sess);
        double ms = (now() - t0) * 1000;
        if (r == 0) {
            err++;
            continue;
        }
        ok++;
        res += r == 2;
        pthread_mutex_lock(&mu);
        if (nsamples < MAX_SAMPLES)
            samples[nsamples++] = ms;
        pthread_mutex_unlock(&mu);
    }
    SSL_SESSION_free(sess);
    pthread_mutex_lock(&mu);
    ok_total += ok;
    err_total += err;
    resumed_total += res;
    pthread_mutex_unlock(&mu);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double p)
{
    long i = (long)(p * (double)(nsamples - 1));
    return nsamples ? samples[i] : 0;
}

int main(int argc, char **argv)
{
    pthread_t th[256];
    int conc;
    double t0, secs;

    if (argc != 8) {
        fprintf(stderr, "usage: %s HOST PORT CONC SECONDS MAXCOUNT full|resume PATH\n", argv[0]);
        return 2;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "tlsload: bad address %s\n", argv[1]);
        return 2;
    }
    conc = atoi(argv[3]);
    conc = conc < 1 ? 1 : conc > 256 ? 256 : conc;
    maxcount = atol(argv[5]);
    resume = strcmp(argv[6], "resume") == 0;
    snprintf(request, sizeof(request),
             "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[7], argv[1]);
    samples = calloc(MAX_SAMPLES, sizeof(double));
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    if (!resume) /* no ticket asked for (TLS 1.2) and none kept: every handshake is full */
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    t0 = now();
    deadline = t0 + atof(argv[4]);
    for (int i = 0; i < conc; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < conc; i++)
        pthread_join(th[i], NULL);
    secs = now() - t0;
    qsort(samples, (size_t)nsamples, sizeof(double), cmp);
    printf("ok=%ld errors=%ld resumed=%ld secs=%.3f rate=%.1f p50_ms=%.3f p99_ms=%.3f\n", ok_total,
           err_total, resumed_total, secs, (double)ok_total / secs, pct(0.5), pct(0.99));
    return 0;
}
