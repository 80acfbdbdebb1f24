/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate refs to files, and files to TLS contexts (certs.h). The files
 * are read by net/tls.c; its messages name the file, and this file puts the
 * JSON path of the field that named it in front, so an operator sees which
 * ref of which listener is wrong.
 */
#include "config/certs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "core/arena.h"

#define FILE_MAX 1024
#define ID_MAX 200

static bool is_id(const char *s, size_t n)
{
    if (n == 0 || n > ID_MAX || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* "web.pem", "ca.crt": a file name, not an id. */
static bool file_like(const char *s)
{
    static const char *const ext[] = {".pem", ".crt", ".cer", ".crl"};
    size_t n = strlen(s);

    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        if (n > 4 && strcmp(s + n - 4, ext[i]) == 0)
            return true;
    }
    return false;
}

static int file_ref(const struct bl_cfg *cfg, const char *path, char *out, size_t cap,
                    const char **why)
{
    int n;

    if (cfg->files_dir == NULL) {
        *why = "is a file path, taken in file mode only: use an id naming <certs dir>/<id>.pem";
        return -EINVAL;
    }
    if (path[0] == '\0') {
        *why = "names no file";
        return -EINVAL;
    }
    n = path[0] == '/' ? snprintf(out, cap, "%s", path)
                       : snprintf(out, cap, "%s/%s", cfg->files_dir, path);
    if (n < 0 || (size_t)n >= cap) {
        *why = "is too long";
        return -EINVAL;
    }
    return 0;
}

static int id_ref(const struct bl_cfg *cfg, const char *id, size_t len, char *out, size_t cap,
                  const char **why)
{
    int n;

    if (!is_id(id, len)) {
        *why = "is neither a file path nor an id (letters, digits, '.', '_', '-'; not starting "
               "with '.')";
        return -EINVAL;
    }
    if (cfg->certs_dir == NULL) {
        *why = "is an id, but there is no certificate directory (--certs)";
        return -EINVAL;
    }
    n = snprintf(out, cap, "%s/%.*s.pem", cfg->certs_dir, (int)len, id);
    if (n < 0 || (size_t)n >= cap) {
        *why = "is too long";
        return -EINVAL;
    }
    return 0;
}

int bl_certs_path(const struct bl_cfg *cfg, const char *ref, char *out, size_t cap,
                  const char **why)
{
    const char *scheme = strstr(ref, "://");
    size_t end;
    const char *seg;

    if (strncmp(ref, "file://", 7) == 0)
        return file_ref(cfg, ref + 7, out, cap, why);
    if (scheme == NULL) {
        if (strchr(ref, '/') || file_like(ref))
            return file_ref(cfg, ref, out, cap, why);
        return id_ref(cfg, ref, strlen(ref), out, cap, why);
    }
    /* A URL (Barbican's, say): the id is its last path segment. */
    end = strcspn(ref, "?#");
    while (end > 0 && ref[end - 1] == '/')
        end--;
    seg = ref + end;
    while (seg > scheme + 3 && seg[-1] != '/')
        seg--;
    if (seg == scheme + 3) {
        *why = "is a URL without a path: its last segment names the certificate";
        return -EINVAL;
    }
    return id_ref(cfg, seg, (size_t)(ref + end - seg), out, cap, why);
}

void bl_cfg_set_file_dirs(struct bl_cfg *cfg, const char *config_path)
{
    const char *slash = strrchr(config_path, '/');
    char dir[FILE_MAX];

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == config_path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - config_path), config_path);
    cfg->files_dir = bl_arena_strdup(cfg->arena, dir);
    cfg->certs_dir = cfg->files_dir;
}

/* ---- contexts ---------------------------------------------------------------------- */

#define MAX_FILES 64 /* refs of one listener: default, CA, CRL and SNI certificates */

struct files {
    const struct bl_cfg *cfg;
    const struct bl_cfg_tls *tls;
    char path[MAX_FILES][FILE_MAX];
    char field[MAX_FILES][48];
    const char *ref[MAX_FILES];
    unsigned n;
};

/* Resolves one ref; returns its file, or NULL with `err` naming the field. */
static const char *add(struct files *fs, const char *field, const char *ref, struct bl_err *err)
{
    const char *why;
    unsigned i = fs->n;

    if (ref == NULL)
        return NULL;
    if (i == MAX_FILES) {
        bl_err_set(err, -EINVAL, "%s.%s: more than %d certificate refs", fs->tls->where, field,
                   MAX_FILES - 3);
        return NULL;
    }
    if (bl_certs_path(fs->cfg, ref, fs->path[i], sizeof(fs->path[i]), &why) < 0) {
        bl_err_set(err, -EINVAL, "%s.%s: '%s' %s", fs->tls->where, field, ref, why);
        return NULL;
    }
    snprintf(fs->field[i], sizeof(fs->field[i]), "%s", field);
    fs->ref[i] = ref;
    fs->n++;
    return fs->path[i];
}

/* Puts the JSON path of the field in front of net/tls.c's message. */
static int blame(const struct files *fs, int rc, struct bl_err *err)
{
    char msg[sizeof(err->msg)];

    if (err == NULL)
        return rc;
    for (unsigned i = 0; i < fs->n; i++) {
        size_t n = strlen(fs->path[i]);
        if (strncmp(err->msg, fs->path[i], n) == 0 && err->msg[n] == ':') {
            snprintf(msg, sizeof(msg), "%s.%s: '%s': %s", fs->tls->where, fs->field[i], fs->ref[i],
                     err->msg);
            memcpy(err->msg, msg, sizeof(msg));
            return rc;
        }
    }
    snprintf(msg, sizeof(msg), "%s.%s", fs->tls->where, err->msg); /* "tls_ciphers: ..." */
    memcpy(err->msg, msg, sizeof(msg));
    return rc;
}

int bl_certs_listener_ctx(const struct bl_cfg *cfg, const struct bl_cfg_listener *l,
                          struct bl_tls_ctx **out, struct bl_err *err)
{
    const struct bl_cfg_tls *t = &l->tls;
    struct files *fs = calloc(1, sizeof(*fs));
    const char *sni[MAX_FILES];
    struct bl_tls_server_cfg sc = {.versions = t->versions,
                                   .ciphers = t->ciphers,
                                   .alpn = t->alpn,
                                   .nalpn = t->nalpn,
                                   .client_auth = t->client_auth,
                                   .sni_files = sni};
    bool from_sni = t->nsni > 0 && t->cert_ref == t->sni_refs[0];
    int rc = -EINVAL;

    if (fs == NULL)
        return bl_err_set(err, -ENOMEM, "out of memory");
    fs->cfg = cfg;
    fs->tls = t;
    sc.cert_file =
        add(fs, from_sni ? "sni_container_refs[0]" : "default_tls_container_ref", t->cert_ref, err);
    if (sc.cert_file == NULL)
        goto out;
    for (uint32_t i = 0; i < t->nsni; i++) {
        char field[48];
        snprintf(field, sizeof(field), "sni_container_refs[%u]", i);
        if ((sni[sc.nsni++] = add(fs, field, t->sni_refs[i], err)) == NULL)
            goto out;
    }
    if ((t->ca_ref &&
         !(sc.client_ca_file = add(fs, "client_ca_tls_container_ref", t->ca_ref, err))) ||
        (t->crl_ref &&
         !(sc.client_crl_file = add(fs, "client_crl_container_ref", t->crl_ref, err))))
        goto out;
    rc = bl_tls_server_new(&sc, out, err);
    if (rc < 0)
        blame(fs, rc, err);
out:
    free(fs);
    return rc;
}

int bl_certs_pool_ctx(const struct bl_cfg *cfg, const struct bl_cfg_pool *pool,
                      struct bl_tls_ctx **out, struct bl_err *err)
{
    const struct bl_cfg_tls *t = &pool->tls;
    struct files *fs = calloc(1, sizeof(*fs));
    struct bl_tls_client_cfg cc = {
        .versions = t->versions, .ciphers = t->ciphers, .alpn = t->alpn, .nalpn = t->nalpn};
    int rc = -EINVAL;

    if (fs == NULL)
        return bl_err_set(err, -ENOMEM, "out of memory");
    fs->cfg = cfg;
    fs->tls = t;
    if ((!t->cert_ref || (cc.cert_file = add(fs, "tls_container_ref", t->cert_ref, err))) &&
        (!t->ca_ref || (cc.ca_file = add(fs, "ca_tls_container_ref", t->ca_ref, err))) &&
        (!t->crl_ref || (cc.crl_file = add(fs, "crl_container_ref", t->crl_ref, err)))) {
        rc = bl_tls_client_new(&cc, out, err);
        if (rc < 0)
            blame(fs, rc, err);
    }
    free(fs);
    return rc;
}
