# SPDX-License-Identifier: Apache-2.0
"""What health does to traffic and status: backup takeover, panic mode,
passive ejection (outlier detection), state across reloads, and bad monitor
input refused with its JSON path."""
import time

from conftest import (banner, echo_ok, free_port, lb_config, listener, member, monitor, outcome,
                      pool, pool_stats, scaled, simple_config, wait_log, wait_member_status,
                      wait_until)
from test_health_monitors import http_get, transition


def test_backup_takes_over_when_no_primary_is_online(ballastd, tcp_member):
    primary, backup = tcp_member(), tcp_member()
    port = free_port()
    cfg = simple_config(port, [member(primary), member(backup, backup=True)],
                        pool_kw={"healthmonitor": monitor("TCP")})
    b = ballastd(cfg)
    wait_until(lambda: b.member_stats(primary)["last_check"] == "TCP connect OK", 3,
               what="a first check")
    assert [banner(port) for _ in range(3)] == [primary.name] * 3, "backups idle while a primary is up"

    p_port = primary.port
    primary.stop()
    wait_member_status(b, p_port, "ERROR")
    wait_log(b, "pool p1: no primary member is usable: backup members take new connections")
    assert pool_stats(b)["operating_status"] == "DEGRADED"
    assert [banner(port) for _ in range(3)] == [backup.name] * 3

    again = tcp_member(port=p_port)
    wait_member_status(b, p_port, "ONLINE")
    wait_log(b, "pool p1: primary members take new connections")
    assert [banner(port) for _ in range(3)] == [again.name] * 3


def test_panic_mode_spreads_over_all_members_when_all_are_down(ballastd, http_member):
    a, c = http_member(status=503), http_member(status=503)
    port = free_port()
    hm = monitor("HTTP", fall=1)

    def config(panic):
        return simple_config(port, [a, c], pool_kw={"healthmonitor": hm, "ballast_panic": panic})

    b = ballastd(config(False))
    wait_member_status(b, a, "ERROR")
    wait_member_status(b, c, "ERROR")
    st = b.stats()
    assert st["pools"][0]["operating_status"] == "ERROR"
    assert st["loadbalancers"][0]["operating_status"] == "ERROR"
    wait_log(b, "pool p1: no member is usable: new connections are refused")
    assert http_get(port) in ("reset", "eof"), "without panic, nobody is served"

    b.reload(config(True))
    assert pool_stats(b)["panic"] is True
    # The members' health survived the reload: still ERROR, no flap through ONLINE.
    assert b.member_stats(a)["operating_status"] == "ERROR"
    assert "ERROR -> ONLINE" not in b.log()
    wait_log(b, "pool p1: every member is down: panic mode spreads new connections over all "
                "members")
    assert {http_get(port) for _ in range(6)} == {a.name, c.name}

    a.status = 200
    wait_member_status(b, a, "ONLINE")
    wait_log(b, "pool p1: primary members take new connections")
    assert {http_get(port) for _ in range(4)} == {a.name}, "panic ends once a member is up"


def test_passive_checks_eject_and_return_members(ballastd, tcp_member):
    """Connect failures counted by the workers eject a member (no active monitor
    needed). Pool p1 (one good, two refusing) shows the budget: 10% of the pool,
    but one member at least. Pool p2 (one good, one refusing) shows the return
    after base_ejection_time and the longer ejection on a repeat."""
    good1, good2 = tcp_member(), tcp_member()
    bad1, bad2, bad3 = free_port(), free_port(), free_port()  # connects are refused
    port1, port2 = free_port(), free_port()
    od = {"consecutive_errors": 3, "interval": 1, "base_ejection_time": 1}
    p1 = pool([good1, bad1, bad2], name="p1", ballast_outlier_detection=od)
    p2 = pool([good2, bad3], name="p2", ballast_outlier_detection=od)
    b = ballastd(lb_config([listener(port1, p1, name="l1"), listener(port2, p2, name="l2")]))

    def ejected(name):
        return [m["protocol_port"] for m in pool_stats(b, name)["members"] if m["ejected"]]

    for _ in range(30):
        banner(port1)
        banner(port2)
        if ejected("p1") and ejected("p2"):
            break
    out = ejected("p1")
    assert len(out) == 1, f"exactly one member ejected (budget: 10% of 3, at least one): {out}"
    other = bad2 if out[0] == bad1 else bad1
    assert b.member_stats(out[0], "p1")["operating_status"] == "ERROR"
    for _ in range(6):
        banner(port1)
    assert b.member_stats(other, "p1")["operating_status"] == "NO_MONITOR", "budget used up"
    assert b.member_stats(other, "p1")["consecutive_errors"] >= 3
    assert pool_stats(b, "p1")["ejected_members"] == 1

    assert ejected("p2") == [bad3]
    # The reason is written when the checker notices (within 250 ms).
    wait_until(lambda: b.member_stats(bad3, "p2")["status_reason"] ==
               "ejected for 1 s after 3 consecutive connect failures", 2, what="the reason")
    transition(b, bad3, "NO_MONITOR", "ERROR",
               "ejected for 1 s after 3 consecutive connect failures", pool_name="p2")
    assert [banner(port2) for _ in range(4)] == [good2.name] * 4, "no connect tried on it"
    # Back after base_ejection_time (at the next 1 s sweep)...
    wait_member_status(b, bad3, "NO_MONITOR", timeout=4, pool_name="p2")
    transition(b, bad3, "ERROR", "NO_MONITOR", "ejection time over, back in service",
               pool_name="p2")
    # ... and ejected for twice as long when it fails again at once.
    deadline = time.monotonic() + scaled(3)
    while not b.member_stats(bad3, "p2")["ejected"]:
        assert time.monotonic() < deadline, b.member_stats(bad3, "p2")
        banner(port2)
    wait_log(b, "p2: NO_MONITOR -> ERROR (ejected for 2 s after 3 consecutive connect failures)")
    assert b.member_stats(bad3, "p2")["ejections"] == 2

    # A member that comes back to life serves again once its ejection is over.
    revived = tcp_member(port=bad3)
    wait_member_status(b, bad3, "NO_MONITOR", timeout=5, pool_name="p2")
    assert {banner(port2) for _ in range(4)} == {revived.name, good2.name}


def test_reload_keeps_health_and_stops_probing_removed_members(ballastd, http_member):
    a, c, d = http_member(status=503), http_member(), http_member()
    port = free_port()
    hm = monitor("HTTP")

    def config(members, with_monitor=True):
        kw = {"healthmonitor": hm} if with_monitor else {}
        return simple_config(port, members, pool_kw=kw)

    b = ballastd(config([a, c, d]))
    wait_member_status(b, a, "ERROR")
    wait_until(lambda: b.member_stats(c)["last_check"] == "HTTP 200 from /", 3,
               what="a first check of c")

    b.reload(config([member(a), member(c, weight=0), member(d, admin_state_up=False)]))
    assert b.member_stats(a)["operating_status"] == "ERROR", "health survives the reload"
    wait_member_status(b, c, "DRAINING")
    transition(b, c.port, "ONLINE", "DRAINING", "weight 0")
    wait_member_status(b, d, "OFFLINE")
    transition(b, d.port, "ONLINE", "OFFLINE", "admin_state_up is false")
    n_d = d.count
    time.sleep(scaled(1.5))
    assert d.count == n_d, "an admin-down member is not probed"

    b.reload(config([member(c), member(d)], with_monitor=False))
    wait_member_status(b, c, "NO_MONITOR")
    transition(b, c.port, "DRAINING", "NO_MONITOR", "no health monitor")
    n_a = a.count
    time.sleep(scaled(1.5))
    assert a.count == n_a, "a member removed by reload is no longer probed"
    assert {http_get(port) for _ in range(4)} == {c.name, d.name}


def test_bad_monitor_input_is_refused_with_its_path(ballastd, tcp_member):
    m = tcp_member()
    port = free_port()
    good = simple_config(port, [m], pool_kw={"healthmonitor": monitor("TCP")})
    b = ballastd(good)
    path = "loadbalancer.listeners[0].default_pool.healthmonitor"
    cases = [
        (monitor("TCP", delay=1, timeout=2), f"{path}.timeout: must not exceed delay (1 s)"),
        (monitor("HTTP", expected_codes="2xx"),
         f"{path}.expected_codes: '2xx' is not valid: expected a three-digit HTTP status code"),
        (monitor("HTTP-ISH"), f"{path}.type: must be one of HTTP, HTTPS, PING, TCP, TLS-HELLO, "
                              "UDP-CONNECT, SCTP"),
        (monitor("SCTP"), f"{path}.type: SCTP health monitors are not supported by ballast"),
    ]
    for hm, msg in cases:
        ans = b.reload(simple_config(port, [m], pool_kw={"healthmonitor": hm}))
        assert not ans["ok"] and ans["error"].endswith(msg) or msg in ans["error"], (ans, msg)
    st = b.stats()
    assert st["reload_failures"] == len(cases) and st["generation"] == 1
    # The running configuration (and its checks) stays in force.
    n = m.accepted
    wait_until(lambda: m.accepted > n, 3, what="probes continuing after rejected reloads")
    assert b.member_stats(m)["operating_status"] == "ONLINE"


def test_established_connections_stay_unless_the_pool_closes_them(ballastd, tcp_member):
    """Mark-down stops new connections only; with ballast_close_on_markdown the
    member's established connections are reset too. Both pools probe the same
    health port, so one event marks the member down in both."""
    app1, app2, health = tcp_member(), tcp_member(), tcp_member()
    port1, port2 = free_port(), free_port()
    hm = monitor("TCP")
    p1 = pool([member(app1, monitor_port=health.port)], name="p1", healthmonitor=hm)
    p2 = pool([member(app2, monitor_port=health.port)], name="p2", healthmonitor=hm,
              ballast_close_on_markdown=True)
    b = ballastd(lb_config([listener(port1, p1, name="l1"), listener(port2, p2, name="l2")]))
    name1, keep = banner(port1, keep=True)
    name2, cut = banner(port2, keep=True)
    assert (name1, name2) == (app1.name, app2.name)

    health.stop()
    wait_member_status(b, app1, "ERROR", pool_name="p1")
    wait_member_status(b, app2, "ERROR", pool_name="p2")
    assert echo_ok(keep), "p1 keeps the established connection (the default)"
    cut.settimeout(scaled(2))
    assert outcome(cut)[0] in ("reset", "eof"), "p2 reset it"
    assert echo_ok(keep), "still alive after p2's reset"
    keep.close()
