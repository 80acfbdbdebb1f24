# SPDX-License-Identifier: Apache-2.0
"""Operator resources: flavor profiles, flavors, availability zones and their
profiles, quotas (enforced), provider capabilities, amphorae."""
from apiutil import LB, LISTENERS, LOOPBACK_SUBNET, assert_fault, create_lb, wait_lb
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

V = "/v2.0/lbaas"


def test_flavor_profile_and_flavor(api):
    r = api.post(f"{V}/flavorprofiles", {"flavorprofile": {
        "name": "fp", "provider_name": "ballast", "flavor_data": '{"workers": 2}'}})
    assert r.status == 201, r
    fp = r.body["flavorprofile"]
    assert set(fp) == {"id", "name", "provider_name", "flavor_data"}, fp
    r = api.post(f"{V}/flavorprofiles", {"flavorprofile": {
        "name": "bad", "provider_name": "ballast", "flavor_data": "[1]"}})
    assert r.status == 400, r
    r = api.post(f"{V}/flavors", {"flavor": {"name": "small", "flavor_profile_id": fp["id"]}})
    assert r.status == 201, r
    fl = r.body["flavor"]
    assert fl == {"id": fl["id"], "name": "small", "description": "", "enabled": True,
                  "flavor_profile_id": fp["id"]}, fl
    r = api.get(f"{V}/flavorprofiles")
    assert r.status == 200 and "flavorprofile_links" in r.body, r
    # a load balancer may use it; then neither can be deleted
    lb = create_lb(api, flavor_id=fl["id"])
    assert lb["flavor_id"] == fl["id"]
    assert api.delete(f"{V}/flavors/{fl['id']}").status == 409
    assert api.delete(f"{V}/flavorprofiles/{fp['id']}").status == 409
    # disabled: refused for new load balancers
    r = api.put(f"{V}/flavors/{fl['id']}", {"flavor": {"enabled": False}})
    assert r.status == 200 and r.body["flavor"]["enabled"] is False, r
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET, "flavor_id": fl["id"]}})
    assert r.status == 400, r
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET,
                                       "flavor_id": "00000000-0000-4000-8000-000000000000"}})
    assert_fault(r, 400, "Validation failure: Flavor 00000000-0000-4000-8000-000000000000 "
                         "not found.")
    assert api.delete(f"{LB}/{lb['id']}").status == 204
    assert api.get(f"{V}/flavors/00000000-0000-4000-8000-000000000000").status == 404


def test_availability_zones(api):
    r = api.post(f"{V}/availabilityzoneprofiles", {"availability_zone_profile": {
        "name": "azp", "provider_name": "ballast", "availability_zone_data": "{}"}})
    assert r.status == 201, r
    azp = r.body["availability_zone_profile"]
    r = api.post(f"{V}/availabilityzones", {"availability_zone": {
        "name": "zone-a", "availability_zone_profile_id": azp["id"]}})
    assert r.status == 201, r
    assert r.body["availability_zone"]["name"] == "zone-a" and "id" not in r.body[
        "availability_zone"], r
    r = api.get(f"{V}/availabilityzones/zone-a")
    assert r.status == 200 and r.body["availability_zone"]["enabled"] is True, r
    lb = create_lb(api, availability_zone="zone-a")
    assert lb["availability_zone"] == "zone-a"
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET,
                                       "availability_zone": "nowhere"}})
    assert r.status == 400, r
    r = api.post(f"{V}/availabilityzones", {"availability_zone": {
        "name": "zone-a", "availability_zone_profile_id": azp["id"]}})
    assert r.status == 409, r


def test_quotas_are_enforced(api):
    project = api.project or "ballast"
    r = api.put(f"{V}/quotas/{project}", {"quota": {"load_balancer": 1, "listener": 0}})
    assert r.status == 202, r
    assert r.body["quota"] == {"load_balancer": 1, "listener": 0, "pool": -1,
                               "health_monitor": -1, "member": -1, "l7policy": -1,
                               "l7rule": -1}, r
    quotas = api.get(f"{V}/quotas").body["quotas"]
    assert quotas[0]["project_id"] == project and quotas[0]["loadbalancer"] == 1, quotas
    assert quotas[0]["pool"] is None, quotas
    lb = create_lb(api)
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET}})
    assert_fault(r, 403, "Quota has been met for resources: LoadBalancer")
    r = api.post(LISTENERS, {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP",
                                          "protocol_port": 80}})
    assert_fault(r, 403, "Quota has been met for resources: Listener")
    assert api.delete(f"{V}/quotas/{project}").status == 202
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET}})
    assert r.status == 201, r
    r = api.get(f"{V}/quotas/defaults")
    assert r.status == 200 and r.body["quota"]["member"] == -1, r


def test_capabilities_and_amphorae(api):
    r = api.get(f"{V}/providers/ballast/flavor_capabilities")
    assert (r.status, r.body) == (200, {"flavor_capabilities": []}), r
    r = api.get(f"{V}/providers/nope/availability_zone_capabilities")
    assert r.status == 400, r
    r = api.get("/v2.0/octavia/amphorae")
    assert (r.status, r.body) == (200, {"amphorae": [], "amphorae_links": []}), r
