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

/* Found by tests/fuzz/fuzz_networks.c: a second declaration of an id shadowed nothing visibly. */
static void test_duplicate_ids(void)
{
    static const char twice_subnet[] =
        "{\"networks\": [{\"id\": \"" NET "\", \"name\": \"a\", \"subnets\": ["
        "{\"id\": \"" SUB1 "\", \"name\": \"a\", \"cidr\": \"10.77.7.0/24\"},"
        "{\"id\": \"" SUB1 "\", \"name\": \"b\", \"cidr\": \"10.77.8.0/24\"}]}]}";
    static const char twice_network[] =
        "{\"networks\": [{\"id\": \"" NET "\", \"name\": \"a\", \"subnets\": ["
        "{\"id\": \"" SUB1 "\", \"name\": \"a\", \"cidr\": \"10.77.7.0/24\"}]},"
        "{\"id\": \"" NET "\", \"name\": \"b\", \"subnets\": ["
        "{\"id\": \"" SUB2 "\", \"name\": \"b\", \"cidr\": \"10.77.8.0/24\"}]}]}";
    struct bl_networks nw;
    struct bl_err err = {0};

    is_int(load(twice_subnet, &nw, &err), -22, "a subnet id declared twice is refused");
    ok(strstr(err.msg, "networks[0].subnets[1].id: " SUB1 " is already declared") != NULL,
       "names the second one: %s", err.msg);
    ok(nw.subnets == NULL && nw.n == 0, "nothing left to free");
    is_int(load(twice_network, &nw, &err), -22, "a network id declared twice is refused");
    ok(strstr(err.msg, "networks[1].id: " NET " is already declared") != NULL, "%s", err.msg);
}

/* Found by tests/fuzz/fuzz_networks.c: a /0 shifted a 32-bit 1 by 32 (UB). */
static void test_hosts_of_whole_space(void)
{
    static const char all[] =
        "{\"networks\": [{\"id\": \"" NET "\", \"name\": \"a\", \"subnets\": ["
        "{\"id\": \"" SUB1 "\", \"name\": \"a\", \"cidr\": \"0.0.0.0/0\"}]}]}";
    struct bl_networks nw;
    struct bl_err err = {0};
    char ip[32];

    is_int(load(all, &nw, &err), 0, "0.0.0.0/0 loads");
    ok(bl_subnet_hosts(&nw.subnets[1]) == 4294967294u, "2^32 - 2 hosts");
    is_int(bl_subnet_host(&nw.subnets[1], 4294967294u, ip, sizeof(ip)), 0, "the last one");
    is_str(ip, "255.255.255.254", "is 255.255.255.254");
    is_int(bl_subnet_host(&nw.subnets[1], 4294967295u, ip, sizeof(ip)), -34, "broadcast: -ERANGE");
    ok(bl_subnet_hosts(&nw.subnets[0]) == 65534, "the loopback /16: 65534 hosts");
    bl_networks_free(&nw);
}

int main(void)
{
    test_interface();
    test_bad_interface();
    test_duplicate_ids();
    test_hosts_of_whole_space();
    return done_testing();
}
