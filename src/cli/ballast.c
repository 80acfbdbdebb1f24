/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ballast: the command-line client. For now it only reports its version; the
 * Octavia-compatible commands arrive with the REST API.
 */
#include <stdio.h>
#include <string.h>

#ifndef BL_VERSION
#define BL_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        printf("ballast %s\n", BL_VERSION);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
        printf("usage: ballast --version\n"
               "The load balancer commands (ballast loadbalancer create ...) arrive with the "
               "REST API.\n");
        return 0;
    }
    fprintf(stderr, "usage: ballast --version\n");
    return 2;
}
