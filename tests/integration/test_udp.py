# SPDX-License-Identifier: Apache-2.0
"""UDP listeners: per-client flows, replies from the VIP, idle expiry."""
import socket
import time

from conftest import VIP, free_port, member, pool, lb_config, listener, scaled, wait_until


def udp_config(port, members, algo="ROUND_ROBIN", **kw):
    return lb_config([listener(port, pool(members, protocol="UDP", algo=algo),
                               protocol="UDP", **kw)])


def client(src=VIP):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    return s


def ask(s, port, data, timeout=2.0):
    """Sends data to VIP:port; returns (reply, source address) or (None, None)."""
    s.settimeout(scaled(timeout))
    s.sendto(data, (VIP, port))
    try:
        return s.recvfrom(65536)
    except socket.timeout:
        return None, None


def who(reply):
    return reply.split(b":", 1)[0].decode() if reply else None


def test_round_robin_and_reply_from_vip(ballastd, udp_member):
    a, b = udp_member(), udp_member()
    port = free_port(udp=True)
    ballastd(udp_config(port, [a, b]))
    clients = [client() for _ in range(6)]
    seen = []
    for i, c in enumerate(clients):
        reply, src = ask(c, port, b"hello %d" % i)
        assert reply is not None, f"no reply for client {i}"
        assert src == (VIP, port), src  # the reply comes from the VIP:port
        assert reply.split(b":", 1)[1] == b"hello %d" % i
        seen.append(who(reply))
    assert seen == [a.name, b.name] * 3, seen
    for c in clients:
        c.close()


def test_flow_sticks_to_its_member(ballastd, udp_member):
    a, b = udp_member(), udp_member()
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [a, b]))
    c1, c2 = client(), client()
    first1 = who(ask(c1, port, b"x")[0])
    first2 = who(ask(c2, port, b"y")[0])
    assert {first1, first2} == {a.name, b.name}
    for i in range(10):
        r1, s1 = ask(c1, port, b"c1-%d" % i)
        r2, s2 = ask(c2, port, b"c2-%d" % i)
        assert (who(r1), who(r2)) == (first1, first2), i
        assert s1 == s2 == (VIP, port)
    # the member saw each flow from one and the same ballastd socket
    assert len(set(a.peers)) == 1 and len(set(b.peers)) == 1, (a.peers, b.peers)
    lst = bd.listener_stats()
    assert lst["active_connections"] == 2 and lst["total_connections"] == 2, lst
    c1.close()
    c2.close()


def test_flow_expires_after_idle_timeout(ballastd, udp_member):
    a, b = udp_member(), udp_member()
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [a, b], timeout_client_data=400))
    c = client()
    assert who(ask(c, port, b"1")[0]) == a.name
    # activity within the timeout keeps the flow
    for _ in range(4):
        time.sleep(0.2)
        assert who(ask(c, port, b"again")[0]) == a.name
    assert bd.listener_stats()["active_connections"] == 1
    # silence: the flow goes away ...
    wait_until(lambda: bd.listener_stats()["active_connections"] == 0, 3.0,
               what="the UDP flow to expire")
    assert bd.member_stats(a)["active_connections"] == 0
    # ... and the next datagram opens a new flow: round robin moves on to b
    assert who(ask(c, port, b"2")[0]) == b.name
    assert bd.listener_stats()["total_connections"] == 2
    c.close()


def test_flow_expiry_timing(ballastd, udp_member):
    a = udp_member()
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [a], timeout_client_data=500))
    c = client()
    assert ask(c, port, b"1")[0] is not None
    t0 = time.monotonic()
    wait_until(lambda: bd.listener_stats()["active_connections"] == 0, 3.0,
               what="the UDP flow to expire")
    elapsed = time.monotonic() - t0
    assert 0.4 <= elapsed <= 0.5 + scaled(0.5), elapsed
    c.close()


def test_udp_source_ip_same_member(ballastd, udp_member):
    ms = [udp_member() for _ in range(3)]
    port = free_port(udp=True)
    ballastd(udp_config(port, ms, algo="SOURCE_IP", timeout_client_data=100))
    for src in ("127.0.0.4", "127.0.0.44"):
        seen = set()
        for _ in range(3):
            c = client(src)  # a new source port each time, a new flow
            seen.add(who(ask(c, port, b"q")[0]))
            c.close()
        assert len(seen) == 1 and None not in seen, (src, seen)


def test_udp_allowed_cidrs(ballastd, udp_member):
    a = udp_member()
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [a], allowed_cidrs=["127.0.0.2/32"]))
    ok, bad = client("127.0.0.2"), client("127.0.0.3")
    assert who(ask(ok, port, b"in")[0]) == a.name
    assert ask(bad, port, b"out", timeout=0.5) == (None, None)
    assert a.received == [b"in"]
    assert bd.listener_stats()["denied_connections"] >= 1
    ok.close()
    bad.close()


def test_udp_byte_counters(ballastd, udp_member):
    a = udp_member()
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [a]))
    c = client()
    sent = recv = 0
    for n in (10, 100, 1000):
        reply, _ = ask(c, port, b"z" * n)
        assert reply is not None
        sent += n
        recv += len(reply)
    # a reply is counted right after it is sent: allow the counter to catch up
    wait_until(lambda: bd.listener_stats()["bytes_out"] >= recv, 2.0, what="bytes_out")
    lst = bd.listener_stats()
    assert (lst["bytes_in"], lst["bytes_out"]) == (sent, recv), lst
    mst = bd.member_stats(a)
    assert (mst["bytes_in"], mst["bytes_out"]) == (sent, recv), mst
    c.close()


def test_udp_connection_limit_counts_flows(ballastd, udp_member):
    a = udp_member()
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [a], connection_limit=2))
    cs = [client() for _ in range(3)]
    assert who(ask(cs[0], port, b"1")[0]) == a.name
    assert who(ask(cs[1], port, b"2")[0]) == a.name
    assert ask(cs[2], port, b"3", timeout=0.5) == (None, None)
    assert b"3" not in a.received
    lst = bd.listener_stats()
    assert lst["active_connections"] == 2 and lst["denied_connections"] >= 1, lst
    for c in cs:
        c.close()


def test_udp_unreachable_member_counted(ballastd, udp_member):
    a = udp_member()
    dead = free_port(udp=True)
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [member(dead), a]))
    c = client()
    assert ask(c, port, b"into the void", timeout=0.5) == (None, None)  # flow to dead
    ask(c, port, b"again", timeout=0.3)
    wait_until(lambda: bd.member_stats(dead)["connection_errors"] >= 1, 2.0,
               what="the ICMP port unreachable to be counted")
    c2 = client()
    assert who(ask(c2, port, b"ok")[0]) == a.name  # the next flow goes to a
    c.close()
    c2.close()


def test_udp_large_datagram(ballastd, udp_member):
    a = udp_member()
    port = free_port(udp=True)
    ballastd(udp_config(port, [a]))
    c = client()
    big = bytes(range(256)) * 200  # 51200 bytes
    reply, src = ask(c, port, big)
    assert src == (VIP, port)
    assert reply == a.name.encode() + b":" + big
    c.close()


def test_udp_flow_survives_reload(ballastd, udp_member):
    a, b = udp_member(), udp_member()
    port = free_port(udp=True)
    bd = ballastd(udp_config(port, [a]))
    c = client()
    assert who(ask(c, port, b"before")[0]) == a.name
    assert bd.reload(udp_config(port, [b, a]))["ok"]
    for i in range(3):
        reply, src = ask(c, port, b"after %d" % i)
        assert who(reply) == a.name and src == (VIP, port), (reply, src)
    assert len(set(a.peers)) == 1, a.peers  # the same flow socket all along
    assert bd.listener_stats()["total_connections"] == 1
    c2 = client()
    assert who(ask(c2, port, b"new")[0]) in (a.name, b.name)
    c.close()
    c2.close()
