/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guard-page placement for parser tests (the picohttpparser test.c idea): each
 * input is copied so that it ends right before a PROT_NONE page, so a single
 * byte read past the end faults at once, with or without ASan.
 */
#ifndef BL_TESTS_HTTP_GUARD_H
#define BL_TESTS_HTTP_GUARD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUARD_AREA_BYTES (256 * 1024) /* the largest input a test may place */

static char *guard_area;

/* Maps the area plus one inaccessible page after it; aborts on failure. */
static void guard_init(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *base = mmap(NULL, GUARD_AREA_BYTES + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (base == MAP_FAILED || mprotect(base + GUARD_AREA_BYTES, page, PROT_NONE) != 0) {
        perror("guard_init");
        abort();
    }
    guard_area = base;
}

/* Copies `s[0..n)` to end at the guard page; returns the copy (writable). */
static char *guard_place(const void *s, size_t n)
{
    char *p;

    if (n > GUARD_AREA_BYTES)
        abort();
    p = guard_area + GUARD_AREA_BYTES - n;
    memcpy(p, s, n);
    return p;
}

#endif
