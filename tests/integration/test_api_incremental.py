# SPDX-License-Identifier: Apache-2.0
"""REST API: the agent applies only the load balancers a write touched. These
tests would catch an incremental apply that forgets a change: among several
serving load balancers, a member change, a member delete, an LB delete and
re-create, a status-only write and a restart must each land exactly where a
full rebuild would, with the other load balancers still serving as before."""
from apiutil import (LB, create_lb, create_listener, create_member, create_pool, free_port,
                     members_path, poll, relay, wait_gone, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

N = 6  # load balancers on the node


def build(api, stubs):
    """N load balancers, LB i relaying to stubs[i]; returns [(lb, pool, member, vip, port)]."""
    out = []
    for i in range(N):
        lb = create_lb(api, name=f"lb{i}")
        vip = lb["vip_address"]
        port = free_port(vip)
        l = create_listener(api, lb["id"], port=port)
        p = create_pool(api, listener_id=l["id"])
        m = create_member(api, p["id"], port=stubs[i].port)
        wait_lb(api, lb["id"])
        out.append((lb, p, m, vip, port))
    return out


def all_serve(lbs, stubs, skip=()):
    """Every LB not in `skip` still relays to its own stub."""
    for i, (_, _, _, vip, port) in enumerate(lbs):
        if i not in skip:
            assert relay(vip, port) == stubs[i].name, f"lb{i}"


def test_member_change_in_one_of_many(server, api, tcp_member):
    stubs = [tcp_member() for _ in range(N)]
    other = tcp_member()
    lbs = build(api, stubs)
    all_serve(lbs, stubs)

    # LB #3 moves its member to another stub: the new member serves at once
    lb, p, m, vip, port = lbs[3]
    r = api.put(f"{members_path(p['id'])}/{m['id']}", {"member": {"name": "x"}})
    assert r.status == 200, r
    wait_lb(api, lb["id"])
    r = api.delete(f"{members_path(p['id'])}/{m['id']}")
    assert r.status == 204, r
    wait_gone(api, f"{members_path(p['id'])}/{m['id']}")
    assert poll(lambda: relay(vip, port, timeout=1) in ("reset", "eof"),
                what="no member: nothing relayed")
    create_member(api, p["id"], port=other.port)
    wait_lb(api, lb["id"])
    assert relay(vip, port) == other.name
    all_serve(lbs, stubs, skip=(3,))

    # admin down is honoured too
    m2 = api.get(members_path(p["id"])).body["members"][0]
    r = api.put(f"{members_path(p['id'])}/{m2['id']}", {"member": {"admin_state_up": False}})
    assert r.status == 200, r
    wait_lb(api, lb["id"])
    assert relay(vip, port, timeout=1) in ("reset", "eof")
    all_serve(lbs, stubs, skip=(3,))


def test_delete_and_recreate_on_the_same_port(server, api, tcp_member):
    stubs = [tcp_member() for _ in range(N)]
    lbs = build(api, stubs)
    lb, _, _, vip, port = lbs[1]
    r = api.delete(f"{LB}/{lb['id']}?cascade=true")
    assert r.status == 204, r
    wait_gone(api, f"{LB}/{lb['id']}")
    assert poll(lambda: relay(vip, port, timeout=1) == "refused", what="the port closes")
    all_serve(lbs, stubs, skip=(1,))

    # a new LB on the freed VIP and port serves
    again = create_lb(api, name="again", vip_address=vip)
    l = create_listener(api, again["id"], port=port)
    p = create_pool(api, listener_id=l["id"])
    create_member(api, p["id"], port=stubs[1].port)
    wait_lb(api, again["id"])
    assert relay(vip, port) == stubs[1].name
    all_serve(lbs, stubs, skip=(1,))


def test_status_write_then_restart(server, api, tcp_member):
    stubs = [tcp_member() for _ in range(N)]
    other = tcp_member()
    lbs = build(api, stubs)
    # a change in the last LB, then a restart: everything comes back as it was
    lb, p, m, vip, port = lbs[N - 1]
    api.delete(f"{members_path(p['id'])}/{m['id']}")
    wait_gone(api, f"{members_path(p['id'])}/{m['id']}")
    create_member(api, p["id"], port=other.port)
    wait_lb(api, lb["id"])
    # an update that changes nothing the data plane runs still settles
    r = api.put(f"{LB}/{lbs[0][0]['id']}", {"loadbalancer": {"description": "d"}})
    assert r.status == 200, r
    wait_lb(api, lbs[0][0]["id"])
    server.stop()
    server.start()
    api = server.api
    assert relay(vip, port) == other.name
    all_serve(lbs, stubs, skip=(N - 1,))
    # and a change after the restart is applied too
    lb, p, _, vip, port = lbs[2]
    create_member(api, p["id"], port=other.port)
    wait_lb(api, lb["id"])
    assert {relay(vip, port) for _ in range(4)} == {stubs[2].name, other.name}
