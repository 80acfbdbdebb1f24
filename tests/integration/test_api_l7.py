# SPDX-License-Identifier: Apache-2.0
"""REST API: L7 policies and rules (CRUD, Octavia's defaults and messages,
dense positions, locking, cascade, the graph create) on the no-op provider,
and the ballast provider's 501 on listeners that cannot run L7."""
from apiutil import (L7P, LB, LISTENERS, POOLS, UNKNOWN, assert_fault, create_lb, create_listener,
                     create_pool, pipeline, wait_active, wait_gone, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)




def rules_path(pid):
    return f"{L7P}/{pid}/rules"


def base(api, protocol="HTTP"):
    lb = create_lb(api, provider="noop_driver")
    l = create_listener(api, lb["id"], port=80, protocol=protocol)
    return lb, l


def post_policy(api, listener_id, **kw):
    body = {"listener_id": listener_id, "action": "REJECT"}
    body.update(kw)
    return api.post(L7P, {"l7policy": body})


def create_policy(api, listener_id, **kw):
    r = post_policy(api, listener_id, **kw)
    assert r.status == 201, r
    return wait_active(api, f"{L7P}/{r.body['l7policy']['id']}", "l7policy")


def test_create_show_list(server, api):
    lb, l = base(api)
    r, rlb, rl = pipeline(server.port, [
        ("POST", L7P, {"l7policy": {"listener_id": l["id"], "action": "REJECT", "name": "deny"}}),
        ("GET", f"{LB}/{lb['id']}", None), ("GET", f"{LISTENERS}/{l['id']}", None)])
    assert r.status == 201, r
    p = r.body["l7policy"]
    expected = {"name": "deny", "description": "", "admin_state_up": True, "action": "REJECT",
                "listener_id": l["id"], "redirect_pool_id": None, "redirect_url": None,
                "redirect_prefix": None, "redirect_http_code": None, "position": 1, "rules": [],
                "tags": [], "provisioning_status": "PENDING_CREATE",
                "operating_status": "OFFLINE", "updated_at": None}
    assert {k: p.get(k, "<absent>") for k in expected} == expected
    assert rlb.body["loadbalancer"]["provisioning_status"] == "PENDING_UPDATE", rlb
    assert rl.body["listener"]["provisioning_status"] == "PENDING_UPDATE", rl
    settled = wait_active(api, f"{L7P}/{p['id']}", "l7policy")
    assert settled["operating_status"] == "ONLINE", settled
    wait_lb(api, lb["id"])
    assert api.get(f"{LISTENERS}/{l['id']}").body["listener"]["l7policies"] == [{"id": p["id"]}]
    r = api.get(L7P)
    assert r.status == 200 and r.body == {"l7policies": [settled], "l7policies_links": []}, r
    assert api.get(f"{L7P}?action=REDIRECT_TO_URL").body["l7policies"] == []
    assert api.get(f"{L7P}?fields=id&fields=action").body["l7policies"] == \
        [{"id": p["id"], "action": "REJECT"}]


def test_positions_stay_dense(api):
    lb, l = base(api)
    a = create_policy(api, l["id"], name="a")
    b = create_policy(api, l["id"], name="b")
    c = create_policy(api, l["id"], name="c", position=1)
    wait_lb(api, lb["id"])

    def order():
        ps = api.get(f"{LISTENERS}/{l['id']}").body["listener"]["l7policies"]
        return [api.get(f"{L7P}/{x['id']}").body["l7policy"]["name"] for x in ps]

    assert order() == ["c", "a", "b"]
    assert api.get(f"{L7P}/{a['id']}").body["l7policy"]["position"] == 2
    r = api.put(f"{L7P}/{c['id']}", {"l7policy": {"position": 99}})
    assert r.status == 200 and r.body["l7policy"]["position"] == 3, r
    wait_lb(api, lb["id"])
    assert order() == ["a", "b", "c"]
    assert api.delete(f"{L7P}/{a['id']}").status == 204
    wait_gone(api, f"{L7P}/{a['id']}")
    wait_lb(api, lb["id"])
    assert [api.get(f"{L7P}/{x['id']}").body["l7policy"]["position"] for x in (b, c)] == [1, 2]


def test_targets_and_actions(api):
    lb, l = base(api)
    pool = create_pool(api, lb_id=lb["id"], protocol="HTTP")
    tcp_pool = create_pool(api, lb_id=lb["id"], protocol="TCP")
    assert_fault(post_policy(api, l["id"], action="REDIRECT_TO_URL"), 400,
                 "Invalid L7 Policy arguments: redirect_url must not be None")
    assert_fault(post_policy(api, l["id"], action="REDIRECT_TO_URL", redirect_url="ftp://x"), 400,
                 "Invalid input for field/attribute redirect_url. Value: 'ftp://x'. Value must be "
                 "a valid URL string")
    assert_fault(post_policy(api, l["id"], action="REDIRECT_TO_URL", redirect_url="http://x",
                             redirect_http_code=300), 400,
                 "Invalid input for field/attribute redirect_http_code. Value: '300'. Value "
                 "should be one of: 301, 302, 303, 307, 308")
    assert_fault(post_policy(api, l["id"], action="REDIRECT_TO_POOL",
                             redirect_pool_id=tcp_pool["id"]), 400,
                 "Validation failure: The pool protocol 'TCP' is invalid while the listener "
                 "protocol is 'HTTP'.")
    other = create_lb(api, provider="noop_driver")
    other_pool = create_pool(api, lb_id=other["id"], protocol="HTTP")
    assert_fault(post_policy(api, l["id"], action="REDIRECT_TO_POOL",
                             redirect_pool_id=other_pool["id"]), 404,
                 f"Pool {other_pool['id']} not found.")
    # a redirect target decides the action; redirects default to 302
    p = create_policy(api, l["id"], redirect_prefix="https://p.example")
    assert (p["action"], p["redirect_http_code"]) == ("REDIRECT_PREFIX", 302), p
    r = api.put(f"{L7P}/{p['id']}", {"l7policy": {"redirect_pool_id": pool["id"]}})
    assert r.status == 200, r
    got = r.body["l7policy"]
    assert (got["action"], got["redirect_prefix"], got["redirect_http_code"]) == \
        ("REDIRECT_TO_POOL", None, None), got
    wait_lb(api, lb["id"])
    assert_fault(api.delete(f"{POOLS}/{pool['id']}"), 409,
                 f"Pool {pool['id']} is in use by L7 policy {p['id']}")
    r = api.put(f"{L7P}/{p['id']}", {"l7policy": {"action": "REJECT"}})
    assert r.body["l7policy"]["redirect_pool_id"] is None, r
    assert_fault(api.put(f"{L7P}/{p['id']}", {"l7policy": {"listener_id": l["id"]}}), 400,
                 "Unknown attribute for argument l7policy_.l7policy: listener_id")


def test_redirect_pool_is_used_by_the_listener(api):
    """As Octavia's listener.pools / pool.listeners: an enabled REDIRECT_TO_POOL
    policy with at least one rule makes its pool one of the listener's (status
    tree) and the listener one of the pool's (transcript "status tree")."""
    lb, l = base(api)
    pool = create_pool(api, lb_id=lb["id"], protocol="HTTP")

    def status_pools():
        tree = api.get(f"{LB}/{lb['id']}/status").body["statuses"]["loadbalancer"]
        return [p["id"] for p in tree["listeners"][0]["pools"]]

    def pool_listeners():
        return api.get(f"{POOLS}/{pool['id']}").body["pool"]["listeners"]

    p = create_policy(api, l["id"], action="REDIRECT_TO_POOL", redirect_pool_id=pool["id"])
    wait_lb(api, lb["id"])
    assert (status_pools(), pool_listeners()) == ([], []), "no rule yet: not used"
    r = api.post(rules_path(p["id"]), {"rule": {"type": "PATH", "compare_type": "STARTS_WITH",
                                                "value": "/api"}})
    assert r.status == 201, r
    wait_lb(api, lb["id"])
    assert (status_pools(), pool_listeners()) == ([pool["id"]], [{"id": l["id"]}])
    assert api.put(f"{L7P}/{p['id']}", {"l7policy": {"admin_state_up": False}}).status == 200
    wait_lb(api, lb["id"])
    assert (status_pools(), pool_listeners()) == ([], []), "disabled: not used"


def test_rules(server, api):
    lb, l = base(api)
    p = create_policy(api, l["id"])
    wait_lb(api, lb["id"])
    r, rp, r2 = pipeline(server.port, [
        ("POST", rules_path(p["id"]), {"rule": {"type": "HEADER", "key": "X-A",
                                                "compare_type": "REGEX", "value": "^a+$"}}),
        ("GET", f"{L7P}/{p['id']}", None),
        ("POST", rules_path(p["id"]), {"rule": {"type": "PATH", "compare_type": "EQUAL_TO",
                                                "value": "/a"}})])
    assert r.status == 201, r
    rule = r.body["rule"]
    assert {k: rule[k] for k in ("type", "compare_type", "key", "value", "invert",
                                 "admin_state_up", "provisioning_status")} == \
        {"type": "HEADER", "compare_type": "REGEX", "key": "X-A", "value": "^a+$",
         "invert": False, "admin_state_up": True, "provisioning_status": "PENDING_CREATE"}
    assert rp.body["l7policy"]["provisioning_status"] == "PENDING_UPDATE", rp
    assert_fault(r2, 409, f"L7Policy {p['id']} is immutable and cannot be updated.")
    rule = wait_active(api, f"{rules_path(p['id'])}/{rule['id']}", "rule")
    wait_active(api, f"{L7P}/{p['id']}", "l7policy")
    wait_lb(api, lb["id"])
    assert api.get(rules_path(p["id"])).body == {"rules": [rule], "rules_links": []}
    assert api.get(f"{L7P}/{p['id']}").body["l7policy"]["rules"] == [{"id": rule["id"]}]
    # PATH drops the key on update (Octavia's repository)
    r = api.put(f"{rules_path(p['id'])}/{rule['id']}",
                {"rule": {"type": "PATH", "value": "/x", "compare_type": "STARTS_WITH"}})
    assert r.status == 200 and r.body["rule"]["key"] is None, r
    wait_lb(api, lb["id"])
    for body, msg in [
        ({"type": "PATH", "compare_type": "REGEX", "value": "(a"},
         "Error parsing L7Rule: Unable to parse regular expression: missing closing "
         "parenthesis at offset 2"),
        ({"type": "HEADER", "compare_type": "EQUAL_TO", "value": "a"},
         "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key"),
        ({"type": "COOKIE", "key": "c", "compare_type": "EQUAL_TO", "value": "a;b"},
         "Error parsing L7Rule: Invalid characters in cookie value"),
        ({"type": "FILE_TYPE", "compare_type": "CONTAINS", "value": "a"},
         "Error parsing L7Rule: Invalid L7 Rule: invalid comparison type for rule type"),
        ({"type": "SSL_VERIFY_RESULT", "compare_type": "EQUAL_TO", "value": "-1"},
         "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_VERIFY_RESULT needs a int "
         "value, which is >= 0"),
        ({"type": "SSL_DN_FIELD", "compare_type": "EQUAL_TO", "value": "x", "key": "1CN"},
         "Error parsing L7Rule: Invalid L7 Rule: Invalid L7rule distinguished name field."),
    ]:
        assert_fault(api.post(rules_path(p["id"]), {"rule": body}), 400, msg)
    assert_fault(api.get(f"{rules_path(UNKNOWN)}"), 404, f"L7Policy {UNKNOWN} not found.")
    assert api.delete(f"{rules_path(p['id'])}/{rule['id']}").status == 204
    wait_gone(api, f"{rules_path(p['id'])}/{rule['id']}")


def test_fifty_rules_at_most(api):
    lb, l = base(api)
    rules = [{"type": "PATH", "compare_type": "STARTS_WITH", "value": f"/{i}"} for i in range(51)]
    r = post_policy(api, l["id"], rules=rules)
    assert r.status == 409 and r.body["faultstring"].startswith("Too many rules on L7 policy"), r
    p = create_policy(api, l["id"], rules=rules[:50])
    assert len(p["rules"]) == 50
    wait_lb(api, lb["id"])
    assert_fault(api.post(rules_path(p["id"]), {"rule": rules[50]}), 409,
                 f"Too many rules on L7 policy {p['id']}")


def test_listener_delete_cascades(api):
    lb, l = base(api)
    p = create_policy(api, l["id"], rules=[{"type": "PATH", "compare_type": "EQUAL_TO",
                                            "value": "/a"}])
    wait_lb(api, lb["id"])
    assert api.delete(f"{LISTENERS}/{l['id']}").status == 204
    wait_gone(api, f"{LISTENERS}/{l['id']}")
    assert api.get(f"{L7P}/{p['id']}").status == 404
    assert api.get(L7P).body["l7policies"] == []


def test_graph_create(api):
    r = api.post(LB, {"loadbalancer": {
        "vip_subnet_id": UNKNOWN, "provider": "noop_driver",
        "listeners": [{"protocol": "HTTP", "protocol_port": 80, "default_pool": {"name": "web"},
                       "l7policies": [{"action": "REDIRECT_TO_POOL",
                                       "redirect_pool": {"name": "api"},
                                       "rules": [{"type": "PATH", "compare_type": "STARTS_WITH",
                                                  "value": "/api"}]},
                                      {"action": "REJECT", "position": 1,
                                       "rules": [{"type": "HEADER", "key": "X-Bad",
                                                  "compare_type": "EQUAL_TO", "value": "1"}]}]}],
        "pools": [{"name": "web", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"},
                  {"name": "api", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}]}})
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    pols = lb["listeners"][0]["l7policies"]
    api_pool = [p for p in lb["pools"] if p["name"] == "api"][0]
    assert [(p["action"], p["position"]) for p in pols] == [("REJECT", 1),
                                                             ("REDIRECT_TO_POOL", 2)], pols
    assert pols[1]["redirect_pool_id"] == api_pool["id"]
    assert pols[1]["rules"][0]["value"] == "/api" and "id" in pols[1]["rules"][0], pols
    wait_lb(api, lb["id"])
    assert len(api.get(L7P).body["l7policies"]) == 2


def test_ballast_provider_needs_an_http_listener(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    assert_fault(post_policy(api, l["id"]), 501,
                 "Provider 'ballast' does not support a requested option: TCP protocol "
                 "listeners do not support L7 policies")
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["provisioning_status"] == "ACTIVE"
