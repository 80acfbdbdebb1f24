/* SPDX-License-Identifier: Apache-2.0 */
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

int bl_read_file(const char *path, char **out, size_t *len, struct bl_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    int rc;

    if (f == NULL)
        return bl_err_set(err, -errno, "%s: %s", path, strerror(errno));
    do {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 65536;
            buf = bl_xrealloc(buf, cap + 1);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    rc = ferror(f) ? -EIO : 0;
    fclose(f);
    if (rc < 0) {
        free(buf);
        return bl_err_set(err, rc, "%s: read error", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}
