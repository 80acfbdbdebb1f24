/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Octavia v2 REST API: routes, validation, provisioning-status locking,
 * Octavia's JSON shapes and error bodies (../shared/octavia/octavia-api.md).
 * Every write is one store transaction; after it the agent is asked (at the
 * end of the loop iteration, so a burst of writes costs one rebuild) to bring
 * the data plane to the new revision and settle the statuses.
 *
 * Control thread only.
 */
#ifndef BL_API_API_H
#define BL_API_API_H

#include "agent/agent.h"
#include "api/server.h"
#include "core/loop.h"
#include "store/store.h"

struct bl_api;

/* The built-in network for VIPs: 127.100.0.0/16 on lo needs no privilege. */
#define BL_LOOPBACK_NETWORK_ID "a2b1c0d0-0000-4000-8000-000000000001"
#define BL_LOOPBACK_SUBNET_ID "a2b1c0d0-0000-4000-8000-000000000002"

struct bl_networks;

/* `nw` (VIP networks) must outlive the API. */
struct bl_api *bl_api_create(struct bl_loop *loop, struct bl_store *st, struct bl_agent *agent,
                             const struct bl_networks *nw);

void bl_api_destroy(struct bl_api *api);

struct bl_auth;

/* Requires Keystone tokens from now on (api/auth.h); `auth` must outlive the API. */
void bl_api_set_auth(struct bl_api *api, struct bl_auth *auth);

/* The provider of load balancers created without one ("ballast" unless set). */
void bl_api_set_default_provider(struct bl_api *api, const char *provider);

/*
 * --noop-settle next-request: the objects of no-op provider load balancers
 * stay PENDING_* until the next request, which settles them first unless it
 * carries "X-Oracle-No-Settle: 1". This is what Octavia's API shows when its
 * worker acts between two requests (the oracle in ../shared/octavia does
 * exactly that), and lets a test observe the PENDING_* states and the 409s
 * they cause. The ballast provider is not affected.
 */
void bl_api_set_noop_settle(struct bl_api *api, bool next_request);

/* The request handler to give bl_api_server_start(); `ctx` is the struct bl_api. */
void bl_api_handle(void *ctx, const struct bl_api_req *req, struct bl_api_resp *resp);

#endif
