# SPDX-License-Identifier: Apache-2.0
"""
VIPs on a host interface (api/vips.c, net/ifaddr.c): ballast adds the VIP to
the interface its network names when the load balancer is created, announces
it (gratuitous ARP), removes it on delete, re-adds it after a restart.

Each test builds its own two network namespaces joined by a veth pair:
  bl-nl-<tag>   runs build/ballastd (`ip netns exec`), its API on the
                namespace's loopback, member stubs on that loopback too, and
                the veth end `bln<tag>` the network names (no address of its own)
  bl-nlc-<tag>  the client: the other veth end with 10.77.7.254/24
Traffic goes only between these namespaces; both are deleted at teardown,
also when the test fails. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN for setns):
without it the tests fail, they do not skip.
"""
import contextlib
import ctypes
import json
import os
import secrets
import subprocess

import pytest

from apiutil import LB, LISTENERS, LOOPBACK_SUBNET, Api, ApiBallastd, create_listener, \
    create_member, create_pool, free_port, poll, relay, wait_gone, wait_lb
from conftest import TcpMember

NET_ID = "5e1f0c2a-7a1d-4c4e-9b1e-000000000771"
SUBNET_ID = "5e1f0c2a-7a1d-4c4e-9b1e-000000000772"
MISSING_NET_ID = "5e1f0c2a-7a1d-4c4e-9b1e-000000000773"
MISSING_SUBNET_ID = "5e1f0c2a-7a1d-4c4e-9b1e-000000000774"
CLIENT_IP = "10.77.7.254"

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def sh(*argv, check=True):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr}")
    return r.stdout


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"setns: {os.strerror(e)}")


@contextlib.contextmanager
def in_netns(name):
    """This thread in namespace `name`: sockets made meanwhile stay in it."""
    here = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    there = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        _setns(there)
        try:
            yield
        finally:
            _setns(here)
    finally:
        os.close(here)
        os.close(there)


class NsApi(Api):
    """The API client, talking from inside the server's namespace."""

    ns = None

    def request(self, *a, **kw):
        with in_netns(self.ns):
            return super().request(*a, **kw)


class Topo:
    def __init__(self):
        assert os.geteuid() == 0, "test_api_netlink needs root (network namespaces, " \
                                  "CAP_NET_ADMIN); CI runs as root"
        tag = secrets.token_hex(3)
        self.ns, self.nsc = f"bl-nl-{tag}", f"bl-nlc-{tag}"
        self.dev, self.peer = f"bln{tag}", f"blc{tag}"
        self.made = []

    def up(self):
        for ns in (self.ns, self.nsc):
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "name", self.dev, "netns", self.ns, "type", "veth", "peer",
           "name", self.peer, "netns", self.nsc)
        sh("ip", "-n", self.ns, "link", "set", self.dev, "up")
        sh("ip", "-n", self.nsc, "link", "set", self.peer, "up")
        sh("ip", "-n", self.nsc, "addr", "add", f"{CLIENT_IP}/24", "dev", self.peer)
        # The client learns an unknown address from a gratuitous ARP only with arp_accept.
        sh("ip", "netns", "exec", self.nsc, "sysctl", "-q", "-w",
           f"net.ipv4.conf.{self.peer}.arp_accept=1")

    def down(self):
        for ns in self.made:
            sh("ip", "netns", "del", ns, check=False)

    def addrs(self):
        """IPv4 addresses (with prefix) on the VIP interface."""
        out = json.loads(sh("ip", "-j", "-n", self.ns, "-4", "addr", "show", "dev", self.dev))
        return sorted(f"{a['local']}/{a['prefixlen']}" for i in out for a in i["addr_info"])

    def mac(self):
        return json.loads(sh("ip", "-j", "-n", self.ns, "link", "show", self.dev))[0]["address"]

    def client_neigh(self, ip):
        out = json.loads(sh("ip", "-j", "-n", self.nsc, "neigh", "show", ip, "dev", self.peer))
        return out[0].get("lladdr") if out else None

    def relay(self, vip, port):
        with in_netns(self.nsc):
            return relay(vip, port, timeout=1.0)

    def member(self):
        with in_netns(self.ns):
            return TcpMember(host="127.0.0.1")


@pytest.fixture(name="topo")
def topo_fixture():
    t = Topo()
    try:
        t.up()
        yield t
    finally:
        t.down()


def networks_file(workdir, topo, missing="bl-nosuch0"):
    path = os.path.join(workdir, "networks.json")
    with open(path, "w") as f:
        json.dump({"networks": [
            {"id": NET_ID, "name": "ext", "interface": topo.dev,
             "subnets": [{"id": SUBNET_ID, "name": "ext-v4", "cidr": "10.77.7.0/24"}]},
            {"id": MISSING_NET_ID, "name": "gone", "interface": missing,
             "subnets": [{"id": MISSING_SUBNET_ID, "name": "gone-v4", "cidr": "10.78.0.0/24"}]},
        ]}, f)
    return path


def start(workdir, topo, wrap=()):
    NsApi.ns = topo.ns
    b = ApiBallastd(workdir, prefix=["ip", "netns", "exec", topo.ns, *wrap], make_api=NsApi,
                    extra_args=["--networks", networks_file(workdir, topo)])
    return b.start()


@pytest.fixture(name="server")
def server_fixture(short_tmp, topo):
    b = start(short_tmp, topo)
    yield b
    problems = b.check()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def create_lb(api, **kw):
    body = {"vip_subnet_id": SUBNET_ID}
    body.update(kw)
    r = api.post(LB, {"loadbalancer": body})
    assert r.status == 201, r
    return wait_lb(api, r.body["loadbalancer"]["id"])


def serve(api, topo, lb, member):
    port = free_port()
    l = create_listener(api, lb["id"], port=port)
    p = create_pool(api, listener_id=l["id"])
    create_member(api, p["id"], port=member.port)
    wait_lb(api, lb["id"])
    return port


@pytest.fixture(name="served")
def served_fixture(server, topo):
    """A load balancer on the interface network relaying to a member stub in
    the server's namespace: (lb, port, member)."""
    member = topo.member()
    try:
        lb = create_lb(server.api)
        yield lb, serve(server.api, topo, lb, member), member
    finally:
        member.stop()


def delete_lb(api, lb):
    r = api.delete(f"{LB}/{lb['id']}?cascade=true")
    assert r.status == 204, r
    wait_gone(api, f"{LB}/{lb['id']}")


def test_vip_added_announced_served_and_removed(server, topo):
    api = server.api
    member = topo.member()
    try:
        assert topo.addrs() == []
        lb = create_lb(api)
        assert lb["vip_address"] == "10.77.7.1"
        assert lb["vip_network_id"] == NET_ID and lb["vip_subnet_id"] == SUBNET_ID
        assert lb["vip_port_id"]
        assert topo.addrs() == ["10.77.7.1/24"], "the VIP is on the interface, subnet prefix"
        # The gratuitous ARP reached the client before any traffic did.
        poll(lambda: topo.client_neigh("10.77.7.1") == topo.mac(), timeout=2.0,
             what="the client's neighbour entry from the gratuitous ARP")
        port = serve(api, topo, lb, member)
        assert topo.relay("10.77.7.1", port) == member.name
        delete_lb(api, lb)
        assert topo.addrs() == [], f"the VIP left the interface on delete:\n{server.log()}"
        assert topo.relay("10.77.7.1", port) != member.name
        assert "VIP 10.77.7.1/24 removed from" in server.log()
    finally:
        member.stop()


def test_deleting_first_vip_keeps_the_others(server, topo):
    """Two VIPs of one subnet: the second is a secondary address, which the
    kernel deletes with the primary unless promote_secondaries is on."""
    api = server.api
    a = create_lb(api)
    b = create_lb(api)
    c = create_lb(api, vip_address="10.77.7.50")
    assert (a["vip_address"], b["vip_address"], c["vip_address"]) == \
        ("10.77.7.1", "10.77.7.2", "10.77.7.50")
    assert topo.addrs() == ["10.77.7.1/24", "10.77.7.2/24", "10.77.7.50/24"]
    delete_lb(api, a)
    assert topo.addrs() == ["10.77.7.2/24", "10.77.7.50/24"]
    delete_lb(api, c)
    assert topo.addrs() == ["10.77.7.2/24"]


def test_addresses_already_on_the_interface(server, topo):
    """An address the host already has is never taken (nor removed later)."""
    api = server.api
    sh("ip", "-n", topo.ns, "addr", "add", "10.77.7.1/24", "dev", topo.dev)
    lb = create_lb(api)
    assert lb["vip_address"] == "10.77.7.2", "allocation skips the host's address"
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": SUBNET_ID, "vip_address": "10.77.7.1"}})
    assert r.status == 409, r
    assert r.fault == (f"IP address 10.77.7.1 already allocated in subnet {SUBNET_ID} "
                       f"(it is configured on interface {topo.dev})")
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": SUBNET_ID, "vip_address": "10.77.7.2"}})
    assert r.status == 409 and "already allocated" in r.fault, r
    assert len(api.get(LB).body["loadbalancers"]) == 1
    delete_lb(api, lb)
    assert topo.addrs() == ["10.77.7.1/24"], "the host's own address stays"


def test_missing_interface_refuses_and_stores_nothing(server, topo, served):
    api = server.api
    lb, port, member = served
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": MISSING_SUBNET_ID}})
    assert r.status == 500, r
    assert r.fault == (f"Error creating the VIP port on network {MISSING_NET_ID} due to: "
                       f"cannot add 10.78.0.1/24 to interface bl-nosuch0: no such interface.")
    assert [x["id"] for x in api.get(LB).body["loadbalancers"]] == [lb["id"]]
    assert topo.relay("10.77.7.1", port) == member.name, "what runs is untouched"
    assert "no such interface" in server.log()


def test_create_rolled_back_removes_the_address(server, topo):
    """The address is added inside the create's transaction: a graph create
    refused after the VIP was plumbed leaves nothing on the interface."""
    api = server.api
    r = api.post(LB, {"loadbalancer": {
        "vip_subnet_id": SUBNET_ID,
        "listeners": [{"protocol": "TCP", "protocol_port": free_port(),
                       "default_pool": {"protocol": "TCP", "lb_algorithm": "NOPE"}}]}})
    assert r.status == 400, r
    assert api.get(LB).body["loadbalancers"] == []
    assert topo.addrs() == []
    assert "create not committed" in server.log()


def test_noop_provider_touches_no_interface(server, topo):
    api = server.api
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": SUBNET_ID, "provider": "noop_driver"}})
    assert r.status == 201, r
    wait_lb(api, r.body["loadbalancer"]["id"])
    assert topo.addrs() == []
    r = api.delete(f"{LB}/{r.body['loadbalancer']['id']}")
    assert r.status == 204, r
    assert topo.addrs() == []


def test_restart_readds_and_failover_repairs(server, topo, served):
    lb, port, member = served
    other = create_lb(server.api, vip_subnet_id=LOOPBACK_SUBNET)  # on no interface
    server.stop()
    assert topo.addrs() == ["10.77.7.1/24"], "a stop leaves the VIPs: the LBs still exist"
    server.start()
    assert topo.addrs() == ["10.77.7.1/24"]
    assert "1 already there" in server.log()
    server.kill9()
    sh("ip", "-n", topo.ns, "addr", "del", "10.77.7.1/24", "dev", topo.dev)
    server.start()
    assert topo.addrs() == ["10.77.7.1/24"], "re-added before the API answers"
    assert "1 re-added" in server.log()
    api = server.api  # on a new port
    wait_lb(api, lb["id"])
    assert topo.relay("10.77.7.1", port) == member.name
    # A failover keeps the VIP, and puts it back if it went missing.
    sh("ip", "-n", topo.ns, "addr", "del", "10.77.7.1/24", "dev", topo.dev)
    r = api.put(f"{LB}/{lb['id']}/failover")
    assert r.status == 202, r
    assert topo.addrs() == ["10.77.7.1/24"]
    wait_lb(api, lb["id"])
    assert topo.relay("10.77.7.1", port) == member.name
    delete_lb(api, other)
    assert topo.addrs() == ["10.77.7.1/24"]


def test_without_cap_net_admin_the_create_says_so(short_tmp, topo):
    b = start(short_tmp, topo, wrap=["setpriv", "--bounding-set", "-net_admin",
                                     "--inh-caps", "-net_admin"])
    try:
        r = b.api.post(LB, {"loadbalancer": {"vip_subnet_id": SUBNET_ID}})
        assert r.status == 500, r
        assert r.fault == (f"Error creating the VIP port on network {NET_ID} due to: cannot add "
                           f"10.77.7.1/24 to interface {topo.dev}: Operation not permitted "
                           f"(ballastd needs CAP_NET_ADMIN).")
        assert b.api.get(LB).body["loadbalancers"] == []
        lb = create_lb(b.api, vip_subnet_id=LOOPBACK_SUBNET)
        assert lb["provisioning_status"] == "ACTIVE", "other networks still work"
    finally:
        problems = b.check()
    assert not problems, problems
