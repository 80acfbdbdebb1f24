/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ballast's certificate store in place of Barbican (docs/tls.md): Octavia's
 * *_container_ref values name PEM files, and the TLS contexts of a snapshot
 * are built from them. A ref is
 *   - a file path or a file:// URL (file mode only; relative to the
 *     configuration file's directory): anything with a '/' or ending in
 *     .pem, .crt, .cer or .crl, or
 *   - an id, or any URL whose last path segment is the id
 *     (https://barbican.example/v1/containers/<id>): <certs dir>/<id>.pem.
 * Control thread only.
 */
#ifndef BL_CONFIG_CERTS_H
#define BL_CONFIG_CERTS_H

#include <stddef.h>

#include "config/model.h"
#include "core/err.h"
#include "net/tls.h"

/*
 * Writes the file `ref` names to `out`. Returns 0, or -EINVAL with `*why`
 * (static text) saying what is wrong with the ref; the file is not opened.
 */
int bl_certs_path(const struct bl_cfg *cfg, const char *ref, char *out, size_t cap,
                  const char **why);

/* The listener's server context (TERMINATED_HTTPS) or the pool's client
 * context (tls_enabled). Errors start with the JSON path of the field:
 *   loadbalancer.listeners[0].default_tls_container_ref: 'web': /var/certs/web.pem: no private key
 */
int bl_certs_listener_ctx(const struct bl_cfg *cfg, const struct bl_cfg_listener *l,
                          struct bl_tls_ctx **out, struct bl_err *err);
int bl_certs_pool_ctx(const struct bl_cfg *cfg, const struct bl_cfg_pool *pool,
                      struct bl_tls_ctx **out, struct bl_err *err);

#endif
