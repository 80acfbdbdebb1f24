# SPDX-License-Identifier: Apache-2.0
"""Start-up with a bad configuration: non-zero exit, one clear error line naming
the JSON path (or the JSON syntax position)."""
import copy
import socket

import pytest

from conftest import lb_config, listener, pool, simple_config

GOOD = simple_config(2222, [3001, 3002])


def _bad(path_setter):
    cfg = copy.deepcopy(GOOD)
    path_setter(cfg)
    return cfg


def _l0(cfg):
    return cfg["loadbalancer"]["listeners"][0]


def _expect_startup_failure(ballastd, config, *needles):
    bd = ballastd(config, start=False)
    rc = bd.wait_exit(timeout=5.0)
    log = bd.log()
    errors = bd.log_lines("error")
    assert rc != 0, f"ballastd exited {rc} on a bad config:\n{log}"
    assert len(errors) == 1, f"expected exactly one error line, got:\n{log}"
    assert " ready: " not in log, log  # the start-up banner "ballastd X ready: ..."
    for n in needles:
        assert n in errors[0], f"{n!r} not in the error line: {errors[0]}"
    return errors[0]


CASES = {
    "malformed_json": ('{"loadbalancer": {"name": "lb",, }}',
                       ["invalid JSON", "line 1"]),
    "truncated_json": ('{"loadbalancer": {"name": "lb", "vip_address": "127.0.0.1", ',
                       ["invalid JSON"]),
    "wrong_top_level": ({"loadbalancer": {"vip_address": "127.0.0.1"}, "extra": 1},
                        ['{"loadbalancer"']),
    "port_too_big": (_bad(lambda c: _l0(c).update(protocol_port=70000)),
                     ["loadbalancer.listeners[0].protocol_port: must be 1..65535"]),
    "port_zero": (_bad(lambda c: _l0(c).update(protocol_port=0)),
                  ["loadbalancer.listeners[0].protocol_port"]),
    "port_not_int": (_bad(lambda c: _l0(c).update(protocol_port="80")),
                     ["loadbalancer.listeners[0].protocol_port: must be an integer"]),
    "unknown_listener_field": (_bad(lambda c: _l0(c).update(bogus=1)),
                               ["loadbalancer.listeners[0].bogus: unknown field"]),
    "unknown_member_field": (_bad(lambda c: _l0(c)["default_pool"]["members"][1]
                                  .update(wieght=2)),
                             ["loadbalancer.listeners[0].default_pool.members[1].wieght: "
                              "unknown field"]),
    "unknown_algorithm": (_bad(lambda c: _l0(c)["default_pool"]
                               .update(lb_algorithm="FASTEST")),
                          ["loadbalancer.listeners[0].default_pool.lb_algorithm",
                           "ROUND_ROBIN"]),
    "udp_listener_tcp_pool": (_bad(lambda c: _l0(c).update(protocol="UDP")),
                              ["loadbalancer.listeners[0].default_pool.protocol",
                               "'TCP'", "'UDP'"]),
    "tcp_listener_udp_pool": (_bad(lambda c: _l0(c)["default_pool"].update(protocol="UDP")),
                              ["loadbalancer.listeners[0].default_pool.protocol",
                               "'UDP'", "'TCP'"]),
    "http_listener_tcp_pool": (_bad(lambda c: _l0(c).update(protocol="HTTP")),
                               ["loadbalancer.listeners[0].default_pool.protocol",
                                "'TCP'", "'HTTP'"]),
    "insert_headers_unknown": (_bad(lambda c: (_l0(c).update(protocol="HTTP"),
                                               _l0(c)["default_pool"].update(protocol="HTTP"),
                                               _l0(c).update(insert_headers={"X-Evil": "true"}))),
                               ["loadbalancer.listeners[0].insert_headers.X-Evil"]),
    "insert_headers_on_tcp": (_bad(lambda c: _l0(c).update(
                                  insert_headers={"X-Forwarded-For": "true"})),
                              ["loadbalancer.listeners[0].insert_headers.X-Forwarded-For",
                               "TCP"]),
    "insert_headers_value": (_bad(lambda c: (_l0(c).update(protocol="HTTP"),
                                             _l0(c)["default_pool"].update(protocol="HTTP"),
                                             _l0(c).update(insert_headers={
                                                 "X-Forwarded-For": "yes"}))),
                             ["loadbalancer.listeners[0].insert_headers.X-Forwarded-For",
                              "\"true\""]),
    # a PROMETHEUS listener answers itself: no pool (Octavia's table of protocol pairs)
    "prometheus_default_pool": (_bad(lambda c: _l0(c).update(protocol="PROMETHEUS")),
                                ["loadbalancer.listeners[0].default_pool.protocol",
                                 "'TCP' is invalid while the listener protocol is 'PROMETHEUS'"]),
    "l7_bad_regex": (_bad(lambda c: (_l0(c).update(protocol="HTTP", l7policies=[
        {"action": "REJECT", "rules": [{"type": "PATH", "compare_type": "REGEX",
                                        "value": "[a-"}]}]),
                                     _l0(c)["default_pool"].update(protocol="HTTP"))),
                     ["loadbalancer.listeners[0].l7policies[0].rules[0].value",
                      "not a valid regular expression"]),
    "l7_on_tcp": (_bad(lambda c: _l0(c).update(l7policies=[{"action": "REJECT"}])),
                  ["loadbalancer.listeners[0].l7policies", "TCP listeners do not support"]),
    "bad_member_address": (_bad(lambda c: _l0(c)["default_pool"]["members"][0]
                                .update(address="not-an-ip")),
                           ["loadbalancer.listeners[0].default_pool.members[0].address"]),
    "weight_too_big": (_bad(lambda c: _l0(c)["default_pool"]["members"][0]
                            .update(weight=1000)),
                       ["loadbalancer.listeners[0].default_pool.members[0].weight"]),
    "bad_cidr": (_bad(lambda c: _l0(c).update(allowed_cidrs=["127.0.0.0/33"])),
                 ["loadbalancer.listeners[0].allowed_cidrs[0]"]),
    "negative_timeout": (_bad(lambda c: _l0(c).update(timeout_client_data=-5)),
                         ["loadbalancer.listeners[0].timeout_client_data"]),
    "missing_vip": (_bad(lambda c: c["loadbalancer"].pop("vip_address")),
                    ["loadbalancer.vip_address"]),
    "duplicate_port": (lb_config([listener(2222, pool([3001])),
                                  listener(2222, pool([3002], name="p2"), name="l2")]),
                       ["loadbalancer.listeners[1].protocol_port", "2222"]),
    "unknown_pool_reference": (lb_config([listener(2222, {"name": "nope"})],
                                         pools=[pool([3001])]),
                               ["loadbalancer.listeners[0].default_pool.name", "nope"]),
    "second_lb_bad": ({"loadbalancers": [GOOD["loadbalancer"],
                                         _bad(lambda c: _l0(c).update(protocol_port=-1))
                                         ["loadbalancer"]]},
                      ["loadbalancers[1].listeners[0].protocol_port"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config_at_startup(ballastd, case):
    config, needles = CASES[case]
    line = _expect_startup_failure(ballastd, config, *needles)
    print(f"\n{case}: {line}")


def test_missing_config_file(ballastd):
    import os
    bd = ballastd(GOOD, start=False, spawn=False)
    os.unlink(bd.config_path)
    bd.spawn()
    rc = bd.wait_exit()
    assert rc != 0
    errors = bd.log_lines("error")
    assert len(errors) == 1 and bd.config_path in errors[0], bd.log()
    assert "No such file" in errors[0], errors[0]


def test_port_already_in_use(ballastd, tcp_member):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        line = _expect_startup_failure(ballastd, simple_config(port, [tcp_member()]),
                                       str(port), "in use")
        print(f"\nport in use: {line}")
        # the error must point at the offending listener in the file
        assert "loadbalancer.listeners[0]" in line, line
    finally:
        busy.close()


def test_good_config_starts(ballastd, tcp_member):
    """The control case: the same builder with sane values starts."""
    m = tcp_member()
    from conftest import banner, free_port
    port = free_port()
    ballastd(simple_config(port, [m]))
    assert banner(port) == m.name
