/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ballastd: arguments, start-up order, the control loop (signals, admin
 * socket, reload), shutdown. The data plane runs on its own worker threads
 * (proxy/dataplane.h); this thread only builds snapshots and hands them over.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "admin/admin.h"
#include "api/service.h"
#include "config/parse.h"
#include "config/snapshot.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/loop.h"
#include "health/health.h"
#include "proxy/dataplane.h"

#ifndef BL_VERSION
#define BL_VERSION "0.1.0"
#endif

struct daemon {
    const char *config_path;  /* file mode: --config */
    const char *api_listen;   /* API mode: --api HOST:PORT */
    const char *db_path;      /* API mode: --db */
    const char *certs_dir;    /* --certs: certificate ids are <certs_dir>/<id>.pem */
    char certs_buf[1024];     /* API mode's default: "certs" beside the database */
    const char *networks;     /* API mode: --networks FILE (VIP subnets) */
    const char *provider;     /* API mode: --default-provider */
    const char *users;        /* API mode: --users FILE (Keystone auth) */
    bool noop_next_request;   /* API mode: --noop-settle next-request */
    const char *admin_path;
    unsigned nworkers;
    struct bl_loop *loop;
    struct bl_io sig;
    struct bl_dataplane *dp;     /* file mode's; API mode's belongs to `svc` */
    struct bl_health_checker *health; /* file mode's health checker, on this loop */
    struct bl_api_service *svc;
    struct bl_admin *admin;
    uint64_t generation;
    unsigned long reload_failures;
    char last_error[512];
};

static void usage(FILE *f)
{
    fprintf(f, "usage: ballastd (--config FILE | --api HOST:PORT [--db PATH]) [--workers N]\n"
               "                [--admin SOCKET] [--log-level error|warn|info|debug]\n"
               "  --config FILE   Octavia fully-populated load balancer JSON "
               "({\"loadbalancer\": ...} or {\"loadbalancers\": [...]})\n"
               "  --api HOST:PORT serve the Octavia v2 REST API; objects live in --db\n"
               "  --db PATH       SQLite store for --api (default var/ballast.db)\n"
               "  --networks FILE VIP networks for --api (built in: loopback 127.100.0.0/16)\n"
               "  --default-provider ballast|noop_driver   provider of LBs created without one\n"
               "  --noop-settle agent|next-request   noop_driver objects leave PENDING_*\n"
               "                  once stored (default), or at the next API request without\n"
               "                  the header X-Oracle-No-Settle (as Octavia's API shows them)\n"
               "  --users FILE    require Keystone tokens; users, passwords, projects, roles\n"
               "  --certs DIR     certificate store: a ref naming id <id> reads DIR/<id>.pem\n"
               "                  (default: beside --db in API mode, the config's directory)\n"
               "  --workers N     worker threads (default: number of CPUs)\n"
               "  --admin SOCKET  UNIX socket answering 'stats' and 'reload'\n"
               "signals: SIGHUP reloads FILE, SIGUSR1 dumps stats to stderr, "
               "SIGTERM/SIGINT stop\n");
}

static int parse_args(struct daemon *d, int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"workers", required_argument, NULL, 'w'},
        {"admin", required_argument, NULL, 'a'},  {"log-level", required_argument, NULL, 'l'},
        {"api", required_argument, NULL, 'A'},    {"db", required_argument, NULL, 'D'},
        {"networks", required_argument, NULL, 'N'}, {"default-provider", required_argument, NULL, 'P'},
        {"users", required_argument, NULL, 'U'},  {"certs", required_argument, NULL, 'C'},
        {"noop-settle", required_argument, NULL, 'S'},
        {"version", no_argument, NULL, 'V'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    long n;
    char *end;

    while ((c = getopt_long(argc, argv, "c:w:a:l:A:D:N:P:U:C:S:Vh", opts, NULL)) != -1) {
        switch (c) {
        case 'N':
            d->networks = optarg;
            break;
        case 'P':
            d->provider = optarg;
            break;
        case 'U':
            d->users = optarg;
            break;
        case 'S':
            if (strcmp(optarg, "agent") != 0 && strcmp(optarg, "next-request") != 0) {
                fprintf(stderr, "ballastd: --noop-settle: must be agent or next-request, got '%s'\n",
                        optarg);
                return -EINVAL;
            }
            d->noop_next_request = strcmp(optarg, "next-request") == 0;
            break;
        case 'C':
            d->certs_dir = optarg;
            break;
        case 'A':
            d->api_listen = optarg;
            break;
        case 'D':
            d->db_path = optarg;
            break;
        case 'c':
            d->config_path = optarg;
            break;
        case 'a':
            d->admin_path = optarg;
            break;
        case 'w':
            n = strtol(optarg, &end, 10);
            if (*end != '\0' || n < 1 || n > 256) {
                fprintf(stderr, "ballastd: --workers: must be 1..256, got '%s'\n", optarg);
                return -EINVAL;
            }
            d->nworkers = (unsigned)n;
            break;
        case 'l':
            if (bl_log_level_parse(optarg, &bl_log_max) < 0) {
                fprintf(stderr, "ballastd: --log-level: unknown level '%s'\n", optarg);
                return -EINVAL;
            }
            break;
        case 'V':
            printf("ballastd %s\n", BL_VERSION);
            exit(0);
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -EINVAL;
        }
    }
    if ((d->config_path == NULL) == (d->api_listen == NULL)) {
        fprintf(stderr, "ballastd: give either --config FILE or --api HOST:PORT\n");
        usage(stderr);
        return -EINVAL;
    }
    if (d->db_path == NULL)
        d->db_path = "var/ballast.db";
    if (d->certs_dir == NULL && d->api_listen) {
        const char *slash = strrchr(d->db_path, '/');
        snprintf(d->certs_buf, sizeof(d->certs_buf), "%.*s%scerts",
                 slash ? (int)(slash - d->db_path) : 0, d->db_path, slash ? "/" : "");
        d->certs_dir = d->certs_buf;
    }
    return 0;
}

/* Loads the file and builds a snapshot; nothing running is touched on failure. */
static int load(struct daemon *d, struct bl_snapshot **out, struct bl_err *err)
{
    struct bl_cfg *cfg;
    int rc = bl_cfg_load(d->config_path, &cfg, err);

    if (rc < 0)
        return rc;
    if (d->certs_dir)
        cfg->certs_dir = bl_arena_strdup(cfg->arena, d->certs_dir);
    return bl_snapshot_build(cfg, d->nworkers, d->generation + 1, out, err, NULL);
}

static int reload(void *ctx, char *msg, size_t msglen)
{
    struct daemon *d = ctx;
    struct bl_err err = {0};
    struct bl_snapshot *s;
    int rc;

    if (d->svc != NULL) {
        snprintf(msg, msglen, "reload applies to --config; the API applies changes itself");
        return -EINVAL;
    }
    rc = load(d, &s, &err);

    if (rc < 0) {
        d->reload_failures++;
        snprintf(d->last_error, sizeof(d->last_error), "%s", err.msg);
        snprintf(msg, msglen, "%s", err.msg);
        bl_log(BL_LOG_ERROR, "reload rejected, generation %llu stays in force: %s",
               (unsigned long long)d->generation, err.msg);
        return rc;
    }
    d->generation = s->generation;
    bl_dataplane_apply(d->dp, s);
    bl_health_apply(d->health, s);
    bl_log(BL_LOG_INFO, "reloaded %s: generation %llu, %u listeners", d->config_path,
           (unsigned long long)d->generation, s->nlisteners);
    return 0;
}

static struct bl_dataplane *get_dataplane(void *ctx)
{
    struct daemon *d = ctx;
    return d->svc ? bl_api_service_dataplane(d->svc) : d->dp;
}

static unsigned long get_failures(void *ctx)
{
    return ((struct daemon *)ctx)->reload_failures;
}

static const char *get_last_error(void *ctx)
{
    struct daemon *d = ctx;
    return d->last_error[0] ? d->last_error : NULL;
}

static void on_signal(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct daemon *d = bl_container_of(io, struct daemon, sig);
    struct bl_admin_ops ops = {get_dataplane, reload, get_failures, get_last_error, d};
    struct signalfd_siginfo si;
    char msg[512];

    (void)events;
    while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            reload(d, msg, sizeof(msg));
        } else if (si.ssi_signo == SIGUSR1) {
            bl_admin_write_stats(&ops, STDERR_FILENO);
        } else {
            bl_log(BL_LOG_INFO, "signal %u: stopping", si.ssi_signo);
            bl_loop_stop(loop);
        }
    }
}

/* Signals are taken by a signalfd on the control loop; workers block them all. */
static int setup_signals(struct daemon *d)
{
    sigset_t set;
    int fd;

    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    bl_io_init(&d->sig, fd, on_signal);
    return bl_io_want(d->loop, &d->sig, EPOLLIN);
}

static int start(struct daemon *d)
{
    struct bl_admin_ops ops = {get_dataplane, reload, get_failures, get_last_error, d};
    struct bl_err err = {0};
    struct bl_snapshot *s;
    int rc;

    if ((rc = setup_signals(d)) < 0) {
        bl_log(BL_LOG_ERROR, "cannot set up signals: %s", strerror(-rc));
        return rc;
    }
    if (d->api_listen) {
        struct bl_api_service_opts o = {d->api_listen, d->db_path, d->networks, d->provider,
                                        d->users, d->nworkers, d->certs_dir,
                                        d->noop_next_request};
        rc = bl_api_service_start(d->loop, &o, &d->svc, &err);
        if (rc < 0) {
            bl_log(BL_LOG_ERROR, "cannot start: %s", err.msg);
            return rc;
        }
        s = bl_dataplane_snapshot(bl_api_service_dataplane(d->svc));
    } else if ((rc = load(d, &s, &err)) < 0) {
        bl_log(BL_LOG_ERROR, "cannot start: %s", err.msg);
        return rc;
    } else {
        d->generation = s->generation;
        if ((rc = bl_dataplane_start(d->nworkers, s, &d->dp, &err)) < 0) {
            bl_log(BL_LOG_ERROR, "cannot start data plane: %s", err.msg);
            return rc;
        }
        /* File mode logs status changes; the API service runs its own checker
         * and stores them as operating_status (api/service.c). */
        if ((rc = bl_health_start(d->loop, NULL, NULL, &d->health)) < 0) {
            bl_log(BL_LOG_ERROR, "cannot start health checks: %s", strerror(-rc));
            return rc;
        }
        bl_health_apply(d->health, s);
    }
    if (d->admin_path && (rc = bl_admin_start(d->loop, d->admin_path, &ops, &d->admin)) < 0) {
        bl_log(BL_LOG_ERROR, "cannot open admin socket %s: %s", d->admin_path, strerror(-rc));
        return rc;
    }
    bl_log(BL_LOG_INFO, "ballastd %s ready: %u listeners, %u workers, %s %s", BL_VERSION,
           s->nlisteners, d->nworkers, d->svc ? "API on" : "config",
           d->svc ? d->api_listen : d->config_path);
    return 0;
}

int main(int argc, char **argv)
{
    struct daemon d = {.sig.fd = -1};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    d.nworkers = ncpu > 0 ? (unsigned)ncpu : 1;
    if (parse_args(&d, argc, argv) < 0)
        return 2;
    d.loop = bl_loop_create();
    if (d.loop == NULL) {
        bl_log(BL_LOG_ERROR, "cannot create event loop: %s", strerror(errno));
        return 1;
    }
    rc = start(&d);
    if (rc == 0)
        rc = bl_loop_run(d.loop);
    bl_admin_stop(d.admin);
    bl_health_stop(d.health);
    bl_api_service_stop(d.svc);
    bl_dataplane_stop(d.dp);
    bl_io_close(d.loop, &d.sig);
    bl_loop_destroy(d.loop);
    return rc < 0 ? 1 : 0;
}
