/* SPDX-License-Identifier: Apache-2.0 */
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "ballast: out of memory allocating %zu bytes\n", n);
    abort();
}

void *bl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *bl_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (p == NULL)
        oom(nmemb * size);
    return p;
}

void *bl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

char *bl_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = bl_xmalloc(n);
    memcpy(d, s, n);
    return d;
}
