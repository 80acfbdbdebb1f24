/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API service as one unit: the store, the agent (and through it the data
 * plane, rebuilt from the store before the API answers), the REST API and
 * its HTTP server. `ballastd --api HOST:PORT --db PATH` runs one.
 */
#ifndef BL_API_SERVICE_H
#define BL_API_SERVICE_H

#include "core/err.h"
#include "core/loop.h"
#include "proxy/dataplane.h"

struct bl_api_service;

struct bl_api_service_opts {
    const char *listen;           /* "HOST:PORT" ("[::1]:9876" for IPv6) */
    const char *db_path;          /* SQLite file */
    const char *networks;         /* networks file (api/networks.h), or NULL */
    const char *default_provider; /* "ballast" (NULL) or "noop_driver" */
    const char *users;            /* users file: Keystone auth (api/auth.h); NULL = noauth */
    unsigned nworkers;
    const char *certs_dir;        /* certificate store: <id>.pem files (config/certs.h) */
    bool noop_next_request;       /* --noop-settle next-request (api/api.h) */
};

/* Starts the service on `loop`. Returns 0 or -errno with `err` filled. */
int bl_api_service_start(struct bl_loop *loop, const struct bl_api_service_opts *o,
                         struct bl_api_service **out, struct bl_err *err);

struct bl_dataplane *bl_api_service_dataplane(struct bl_api_service *s);

void bl_api_service_stop(struct bl_api_service *s);

#endif
