/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the --networks file (api/networks.c): any bytes must
 * load or fail with a message and leave nothing to free. What loads must be
 * usable as the API uses it: the built-in loopback subnet first, every
 * subnet an IPv4 CIDR whose text reads back the same, found by its id (ids
 * are unique), and its first and last host addresses inside it, one past
 * the last refused.
 * `make fuzz` builds it with clang; `make unit` replays the corpus.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/api.h"
#include "api/networks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
    if (!cond)
        __builtin_trap();
}

static void check_host(const struct bl_networks *nw, const struct bl_subnet *sn, uint32_t i)
{
    char ip[64];
    struct bl_addr a;

    check(bl_subnet_host(sn, i, ip, sizeof(ip)) == 0);
    check(bl_addr_parse(&a, ip, 0) == 0 && bl_cidr_match(&sn->cidr, &a));
    check(bl_networks_containing(nw, ip) != NULL);
}

static void check_subnet(const struct bl_networks *nw, const struct bl_subnet *sn)
{
    struct bl_cidr again;
    uint32_t hosts = bl_subnet_hosts(sn);
    char ip[64];

    check(sn->cidr.family == AF_INET && sn->cidr.prefix <= 30 && hosts >= 2);
    check(bl_cidr_parse(&again, sn->cidr_text) == 0 && again.prefix == sn->cidr.prefix &&
          memcmp(again.bytes, sn->cidr.bytes, 4) == 0);
    check(bl_networks_find(nw, sn->id, 0) == sn);
    check(bl_networks_find(nw, sn->network_id, 1) != NULL);
    check(strlen(sn->ifname) < sizeof(sn->ifname) && strchr(sn->ifname, '/') == NULL);
    check_host(nw, sn, 1);
    check_host(nw, sn, hosts);
    check(bl_subnet_host(sn, 0, ip, sizeof(ip)) == -ERANGE);
    if (hosts < UINT32_MAX)
        check(bl_subnet_host(sn, hosts + 1, ip, sizeof(ip)) == -ERANGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bl_networks nw;
    struct bl_err err = {0};

    if (bl_networks_parse((const char *)data, size, "fuzz", &nw, &err) < 0) {
        check(err.msg[0] != '\0' && nw.subnets == NULL && nw.n == 0);
        return 0;
    }
    check(nw.n >= 1 && strcmp(nw.subnets[0].id, BL_LOOPBACK_SUBNET_ID) == 0);
    for (size_t i = 0; i < nw.n; i++)
        check_subnet(&nw, &nw.subnets[i]);
    bl_networks_free(&nw);
    return 0;
}
