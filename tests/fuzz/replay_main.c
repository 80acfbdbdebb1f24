/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs a libFuzzer target over corpus files without libFuzzer, so the
 * corpus is a regression suite under gcc and ASan alike (make fuzz-replay).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;

    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        long len;
        uint8_t *buf;
        if (f == NULL) {
            perror(argv[i]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        rewind(f);
        buf = malloc((size_t)len + 1);
        if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
            perror(argv[i]);
            return 1;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, (size_t)len);
        free(buf);
        n++;
    }
    printf("replayed %d inputs\n", n);
    return 0;
}
