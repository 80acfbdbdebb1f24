/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Prometheus text exposition (format 0.0.4) of one load balancer: its
 * listeners, pools and members, with the counters the admin socket's `stats`
 * shows and their operating status. Metric names follow Octavia's amphora
 * exporter (octavia_loadbalancer_*, octavia_listener_*, octavia_pool_*,
 * octavia_member_*); what it has no name for is ballast_*. docs/metrics.md
 * lists them.
 *
 * Rendered per scrape from the snapshot part and the shared atomics (relaxed
 * loads, no lock): a PROMETHEUS listener serves it (prom_http.c).
 */
#ifndef BL_PROXY_PROM_H
#define BL_PROXY_PROM_H

#include <stddef.h>

#include "config/snapshot.h"

/* A growing text buffer; `p` is malloc'd (NULL until the first append). */
struct bl_prom_text {
    char *p;
    size_t len, cap;
};

/* Appends the exposition of load balancer part `p` to `t`. */
void bl_prom_render(const struct bl_snap_lb *p, struct bl_prom_text *t);

#endif
