/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/api/networks.c: the networks file, its "interface" field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/networks.h"
#include "tap.h"

#define NET "5e1f0c2a-7a1d-4c4e-9b1e-000000000771"
#define SUB1 "5e1f0c2a-7a1d-4c4e-9b1e-000000000772"
#define SUB2 "5e1f0c2a-7a1d-4c4e-9b1e-000000000773"

/* Loads `json` from a temporary file. */
static int load(const char *json, struct bl_networks *nw, struct bl_err *err)
{
    char path[] = "/tmp/bl-networks-XXXXXX";
    int fd = mkstemp(path), rc;
    FILE *f = fdopen(fd, "w");

    fputs(json, f);
    fclose(f);
    rc = bl_networks_load(path, nw, err);
    unlink(path);
    return rc;
}

static const char *with_interface(const char *iface, char *buf, size_t n)
{
    snprintf(buf, n,
             "{\"networks\": [{\"id\": \"" NET "\", \"name\": \"ext\", %s%s%s \"subnets\": ["
             "{\"id\": \"" SUB1 "\", \"name\": \"a\", \"cidr\": \"10.77.7.0/24\"},"
             "{\"id\": \"" SUB2 "\", \"name\": \"b\", \"cidr\": \"10.77.8.0/24\"}]}]}",
             iface ? "\"interface\": " : "", iface ? iface : "", iface ? "," : "");
    return buf;
}

static void test_interface(void)
{
    struct bl_networks nw;
    struct bl_err err = {0};
    char buf[1024];

    is_int(load(with_interface("\"eth1\"", buf, sizeof(buf)), &nw, &err), 0, "loads");
    is_int((int)nw.n, 3, "loopback + two subnets");
    is_str(nw.subnets[0].ifname, "", "the built-in loopback subnet names no interface");
    is_str(bl_networks_find(&nw, SUB1, 0)->ifname, "eth1", "first subnet: the network's interface");
    is_str(bl_networks_find(&nw, SUB2, 0)->ifname, "eth1", "second subnet too");
    bl_networks_free(&nw);
    is_int(load(with_interface(NULL, buf, sizeof(buf)), &nw, &err), 0, "no interface: loads");
    is_str(bl_networks_find(&nw, SUB1, 0)->ifname, "", "no interface: nothing plumbed");
    bl_networks_free(&nw);
}

static void test_bad_interface(void)
{
    static const char *const bad[] = {
        "\"\"", "\"a-name-of-16-chr\"", "\"eth1:0\"", "\"a/b\"", "\"a b\"", "\"..\"", "3", "null"};
    struct bl_networks nw;
    char buf[1024];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct bl_err err = {0};
        is_int(load(with_interface(bad[i], buf, sizeof(buf)), &nw, &err), -22, bad[i]);
        ok(strstr(err.msg, "networks[0].interface: must be an interface name") != NULL,
           "message names the field: %s", err.msg);
    }
}

int main(void)
{
    test_interface();
    test_bad_interface();
    return done_testing();
}
