# SPDX-License-Identifier: Apache-2.0
"""The accepted shapes of the file: loadbalancers lists, shared pools referenced by
name or id, listeners without a pool."""
from conftest import banner, free_port, lb_config, listener, member, pool


def test_pool_referenced_by_name(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(lb_config([listener(port, {"name": "shared"})],
                            pools=[pool([a, b], name="shared")]))
    assert [banner(port) for _ in range(4)] == [a.name, b.name] * 2
    assert bd.listener_stats()["default_pool"] == bd.stats()["pools"][0]["key"]


def test_pool_referenced_by_id(ballastd, tcp_member):
    a = tcp_member()
    port = free_port()
    l = listener(port)
    l["default_pool_id"] = "1b7e-pool"
    ballastd(lb_config([l], pools=[pool([a], name="x", id="1b7e-pool")]))
    assert banner(port) == a.name


def test_two_listeners_share_one_pool_and_its_cursor(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    p1, p2 = free_port(), free_port()
    bd = ballastd(lb_config([listener(p1, {"name": "shared"}),
                             listener(p2, {"name": "shared"}, name="l2")],
                            pools=[pool([a, b], name="shared")]))
    seen = [banner(p1), banner(p2), banner(p1), banner(p2)]
    assert seen == [a.name, b.name, a.name, b.name], seen
    assert len(bd.stats()["pools"]) == 1


def test_several_load_balancers(ballastd, tcp_member):
    """Two load balancers on different VIPs, one port."""
    a, b = tcp_member(), tcp_member()
    port = free_port()
    cfg = {"loadbalancers": [
        lb_config([listener(port, pool([a]))], name="lb1", vip="127.0.0.1")["loadbalancer"],
        lb_config([listener(port, pool([b]))], name="lb2", vip="127.0.0.2")["loadbalancer"]]}
    bd = ballastd(cfg)
    from conftest import connect, read_line
    for host, m in (("127.0.0.1", a), ("127.0.0.2", b)):
        s = connect(port, host=host)
        assert read_line(s).decode().strip() == m.name, host
        s.close()
    assert sorted(l["address"] for l in bd.stats()["listeners"]) == \
        [f"127.0.0.1:{port}", f"127.0.0.2:{port}"]


def test_listener_without_pool_resets(ballastd):
    port = free_port()
    bd = ballastd(lb_config([listener(port)]))
    assert banner(port) == "reset"
    l = bd.listener_stats()
    assert l["request_errors"] == 1 and l["default_pool"] is None, l


def test_tcp_and_udp_listeners_on_the_same_port(ballastd, tcp_member, udp_member):
    import socket
    from conftest import free_port_both, scaled
    t, u = tcp_member(), udp_member()
    port = free_port_both()
    ballastd(lb_config([listener(port, pool([t])),
                        listener(port, pool([u], protocol="UDP", name="pu"),
                                 protocol="UDP", name="lu")]))
    assert banner(port) == t.name
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(scaled(2))
    c.sendto(b"hi", ("127.0.0.1", port))
    assert c.recvfrom(100)[0] == u.name.encode() + b":hi"
    c.close()


def test_octavia_extra_fields_accepted(ballastd, tcp_member):
    """Fields Octavia returns in a GET (ids, statuses, tags...) are accepted."""
    a = tcp_member()
    port = free_port()
    m = member(a, id="m-1", name="web1", subnet_id="s", provisioning_status="ACTIVE",
               operating_status="ONLINE", tags=["x"], monitor_port=a.port)
    p = pool([m], id="p-1", description="d", session_persistence=None, tags=[],
             healthmonitor={"type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3})
    l = listener(port, p, id="l-1", description="x", insert_headers={}, tags=[],
                 provisioning_status="ACTIVE", operating_status="ONLINE")
    cfg = lb_config([l], id="lb-1", provider="ballast", tags=[],
                    provisioning_status="ACTIVE", operating_status="ONLINE")
    bd = ballastd(cfg)
    assert banner(port) == a.name
    assert bd.member_stats(a)["name"] == "web1"
