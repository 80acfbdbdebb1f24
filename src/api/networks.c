/* SPDX-License-Identifier: Apache-2.0 */
#include "api/networks.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/fields.h"
#include "core/file.h"
#include "core/xalloc.h"

static void add(struct bl_networks *nw, const struct bl_subnet *sn)
{
    nw->subnets = bl_xrealloc(nw->subnets, (nw->n + 1) * sizeof(*sn));
    nw->subnets[nw->n++] = *sn;
}

static int set_cidr(struct bl_subnet *sn, const char *cidr)
{
    if (bl_cidr_parse(&sn->cidr, cidr) < 0 || sn->cidr.family != AF_INET || sn->cidr.prefix > 30)
        return -EINVAL;
    snprintf(sn->cidr_text, sizeof(sn->cidr_text), "%s", cidr);
    return 0;
}

static int copy_str(char *dst, size_t n, json_t *v, bool uuid)
{
    if (!json_is_string(v) || json_string_length(v) >= n || (uuid && !bl_is_uuid(json_string_value(v))))
        return -EINVAL;
    snprintf(dst, n, "%s", json_string_value(v));
    return 0;
}

/* The kernel's rule for interface names (dev_valid_name), ':' aside: that
 * is an IPv4 label, not an interface. Absent = no interface. */
static int read_ifname(struct bl_subnet *sn, json_t *v)
{
    const char *s = json_string_value(v);

    if (v == NULL)
        return 0;
    if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof(sn->ifname) || strcmp(s, ".") == 0 ||
        strcmp(s, "..") == 0 || strpbrk(s, "/: \t\n\r\v\f") != NULL)
        return -EINVAL;
    snprintf(sn->ifname, sizeof(sn->ifname), "%s", s);
    return 0;
}

static int load_network(json_t *net, size_t i, struct bl_networks *nw, struct bl_err *err)
{
    struct bl_subnet sn = {0};
    json_t *subs = json_object_get(net, "subnets"), *s;
    size_t k;

    if (copy_str(sn.network_id, sizeof(sn.network_id), json_object_get(net, "id"), true) < 0)
        return bl_err_set(err, -EINVAL, "networks[%zu].id: must be a UUID", i);
    if (copy_str(sn.network_name, sizeof(sn.network_name), json_object_get(net, "name"), false) < 0)
        return bl_err_set(err, -EINVAL, "networks[%zu].name: must be a string", i);
    if (read_ifname(&sn, json_object_get(net, "interface")) < 0)
        return bl_err_set(err, -EINVAL, "networks[%zu].interface: must be an interface name "
                          "(1 to 15 characters, no '/', ':' or white space)", i);
    /* A second network or subnet with an id already taken could never be found. */
    if (bl_networks_find(nw, sn.network_id, 1) != NULL)
        return bl_err_set(err, -EINVAL, "networks[%zu].id: %s is already declared", i,
                          sn.network_id);
    if (!json_is_array(subs) || json_array_size(subs) == 0)
        return bl_err_set(err, -EINVAL, "networks[%zu].subnets: must be a non-empty list", i);
    json_array_foreach(subs, k, s) {
        if (copy_str(sn.id, sizeof(sn.id), json_object_get(s, "id"), true) < 0)
            return bl_err_set(err, -EINVAL, "networks[%zu].subnets[%zu].id: must be a UUID", i, k);
        if (copy_str(sn.name, sizeof(sn.name), json_object_get(s, "name"), false) < 0)
            return bl_err_set(err, -EINVAL, "networks[%zu].subnets[%zu].name: must be a string",
                              i, k);
        if (bl_networks_find(nw, sn.id, 0) != NULL)
            return bl_err_set(err, -EINVAL, "networks[%zu].subnets[%zu].id: %s is already declared",
                              i, k, sn.id);
        if (!json_is_string(json_object_get(s, "cidr")) ||
            set_cidr(&sn, json_string_value(json_object_get(s, "cidr"))) < 0)
            return bl_err_set(err, -EINVAL, "networks[%zu].subnets[%zu].cidr: must be an IPv4 "
                              "CIDR of /30 or larger", i, k);
        add(nw, &sn);
    }
    return 0;
}

int bl_networks_parse(const char *text, size_t len, const char *name, struct bl_networks *nw,
                      struct bl_err *err)
{
    struct bl_subnet lo = {.id = BL_LOOPBACK_SUBNET_ID,
                           .name = "loopback",
                           .network_id = BL_LOOPBACK_NETWORK_ID,
                           .network_name = "loopback"};
    json_error_t jerr;
    json_t *doc = NULL, *nets, *net;
    size_t i;
    int rc = 0;

    memset(nw, 0, sizeof(*nw));
    set_cidr(&lo, "127.100.0.0/16");
    add(nw, &lo);
    if (text == NULL)
        return 0;
    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        bl_networks_free(nw);
        return bl_err_set(err, -EINVAL, "%s: line %d: %s", name, jerr.line, jerr.text);
    }
    nets = json_object_get(doc, "networks");
    if (!json_is_array(nets))
        rc = bl_err_set(err, -EINVAL, "%s: expected {\"networks\": [...]}", name);
    json_array_foreach(nets, i, net) {
        if (rc == 0)
            rc = load_network(net, i, nw, err);
    }
    json_decref(doc);
    if (rc < 0)
        bl_networks_free(nw);
    return rc;
}

int bl_networks_load(const char *path, struct bl_networks *nw, struct bl_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (path != NULL && (rc = bl_read_file(path, &text, &len, err)) < 0) {
        memset(nw, 0, sizeof(*nw));
        return rc;
    }
    rc = bl_networks_parse(text, len, path, nw, err);
    free(text);
    return rc;
}

void bl_networks_free(struct bl_networks *nw)
{
    free(nw->subnets);
    memset(nw, 0, sizeof(*nw));
}

const struct bl_subnet *bl_networks_find(const struct bl_networks *nw, const char *id,
                                         int by_network)
{
    for (size_t i = 0; i < nw->n; i++) {
        const struct bl_subnet *sn = &nw->subnets[i];
        if (strcmp(by_network ? sn->network_id : sn->id, id) == 0)
            return sn;
    }
    return NULL;
}

const struct bl_subnet *bl_networks_containing(const struct bl_networks *nw, const char *ip)
{
    struct bl_addr a;

    if (bl_addr_parse(&a, ip, 0) < 0)
        return NULL;
    for (size_t i = 0; i < nw->n; i++) {
        if (bl_cidr_match(&nw->subnets[i].cidr, &a))
            return &nw->subnets[i];
    }
    return NULL;
}

uint32_t bl_subnet_hosts(const struct bl_subnet *sn)
{
    /* 64 bits: a /0 has 2^32 addresses, one too many to shift a 32-bit 1 by. */
    return (uint32_t)((UINT64_C(1) << (32 - sn->cidr.prefix)) - 2);
}

int bl_subnet_host(const struct bl_subnet *sn, uint32_t i, char *out, size_t outlen)
{
    uint32_t base;
    struct in_addr in;

    if (i < 1 || i > bl_subnet_hosts(sn))
        return -ERANGE;
    memcpy(&base, sn->cidr.bytes, 4);
    in.s_addr = htonl(ntohl(base) + i);
    inet_ntop(AF_INET, &in, out, (socklen_t)outlen);
    return 0;
}
