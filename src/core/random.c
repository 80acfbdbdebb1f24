/* SPDX-License-Identifier: Apache-2.0 */
#include "core/random.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

void bl_random_bytes(void *buf, size_t n)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = getrandom((char *)buf + done, n - done, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            perror("ballast: getrandom");
            abort();
        }
        done += (size_t)r;
    }
}
