# SPDX-License-Identifier: Apache-2.0
"""Every other `ballast loadbalancer` noun against the real ballastd:
listener, pool, member, healthmonitor (create/list/show/set/unset/delete,
stats), l7policy/l7rule (with HTTP traffic through them), quota,
provider, amphora, flavor(profile), availabilityzone(profile); name
resolution errors and exit statuses."""
import json

from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)
from apiutil import free_port
from cliutil import ballast, normalise, table_rows


def show(server, *args):
    return json.loads(ballast(server, *args, "-f", "json").out)


def stack(server):
    """lb, listener l1 (TCP), pool p1 as its default pool, member m1, health monitor."""
    ballast(server, "loadbalancer", "create", "--name", "lb", "--vip-subnet-id", "loopback",
            "--wait")
    port = free_port("127.100.0.1")
    ballast(server, "loadbalancer", "listener", "create", "--name", "l1", "--protocol", "TCP",
            "--protocol-port", str(port), "--wait", "lb")
    ballast(server, "loadbalancer", "pool", "create", "--name", "p1", "--lb-algorithm",
            "ROUND_ROBIN", "--listener", "l1", "--protocol", "TCP", "--wait")
    ballast(server, "loadbalancer", "member", "create", "--name", "m1", "--address", "127.0.0.1",
            "--protocol-port", "3001", "--weight", "3", "--wait", "p1")
    return port


def test_listener(server):
    port = stack(server)
    rows = table_rows(ballast(server, "loadbalancer", "listener", "list").out)
    assert rows[0] == ["id", "default_pool_id", "name", "project_id", "protocol",
                       "protocol_port", "admin_state_up"]
    pool_id = show(server, "loadbalancer", "pool", "show", "p1")["id"]
    assert rows[1][1:] == [pool_id, "l1", "ballast", "TCP", str(port), "True"]
    # numbers are right-aligned in list tables, as cliff does
    line = ballast(server, "loadbalancer", "listener", "list").out.splitlines()[3]
    assert f"| {' ' * (len('protocol_port') - len(str(port)))}{port} |" in line
    ballast(server, "loadbalancer", "listener", "set", "--connection-limit", "10",
            "--allowed-cidr", "127.0.0.0/8", "--allowed-cidr", "10.0.0.0/8",
            "--timeout-client-data", "1000", "--wait", "l1")
    doc = show(server, "loadbalancer", "listener", "show", "l1")
    assert (doc["connection_limit"], doc["allowed_cidrs"], doc["timeout_client_data"]) == (
        10, "127.0.0.0/8\n10.0.0.0/8", 1000)
    assert doc["loadbalancers"] == show(server, "loadbalancer", "show", "lb")["id"]
    ballast(server, "loadbalancer", "listener", "unset", "--connection-limit", "--allowed-cidrs",
            "--timeout-client-data", "--wait", "l1")
    doc = show(server, "loadbalancer", "listener", "show", "l1")
    assert (doc["connection_limit"], doc["allowed_cidrs"], doc["timeout_client_data"]) == (
        -1, None, 50000)
    stats = ballast(server, "loadbalancer", "listener", "stats", "show", "l1", "-f", "value").out
    assert stats == "0\n0\n0\n0\n0\n"
    assert ballast(server, "loadbalancer", "listener", "list", "--loadbalancer", "lb", "-f",
                   "value", "-c", "name").out == "l1\n"


def test_pool_member_healthmonitor(server):
    stack(server)
    doc = show(server, "loadbalancer", "pool", "show", "p1")
    member_id = show(server, "loadbalancer", "member", "show", "p1", "m1")["id"]
    assert (doc["lb_algorithm"], doc["members"], doc["protocol"]) == (
        "ROUND_ROBIN", member_id, "TCP")
    ballast(server, "loadbalancer", "pool", "set", "--lb-algorithm", "LEAST_CONNECTIONS",
            "--session-persistence", "type=SOURCE_IP", "--wait", "p1")
    out = ballast(server, "loadbalancer", "pool", "show", "p1", "-c", "session_persistence",
                  "-c", "lb_algorithm").out
    assert "| session_persistence | {'type': 'SOURCE_IP'" in out and "LEAST_CONNECTIONS" in out
    ballast(server, "loadbalancer", "pool", "unset", "--session-persistence", "--wait", "p1")
    assert show(server, "loadbalancer", "pool", "show", "p1")["session_persistence"] is None

    members = ballast(server, "loadbalancer", "member", "list", "p1").out
    assert normalise(members) == """\
+--------------------------------------+------+------------+---------------------+-----------+---------------+------------------+--------+
| id                                   | name | project_id | provisioning_status | address   | protocol_port | operating_status | weight |
+--------------------------------------+------+------------+---------------------+-----------+---------------+------------------+--------+
| 00000000-0000-0000-0000-000000000001 | m1   | ballast    | ACTIVE              | 127.0.0.1 |          3001 | NO_MONITOR       |      3 |
+--------------------------------------+------+------------+---------------------+-----------+---------------+------------------+--------+
"""
    ballast(server, "loadbalancer", "member", "set", "--weight", "7", "--enable-backup",
            "--wait", "p1", "m1")
    doc = show(server, "loadbalancer", "member", "show", "p1", member_id)
    assert (doc["weight"], doc["backup"]) == (7, True)
    ballast(server, "loadbalancer", "member", "unset", "--weight", "--backup", "--wait",
            "p1", "m1")
    doc = show(server, "loadbalancer", "member", "show", "p1", "m1")
    assert (doc["weight"], doc["backup"]) == (1, False)

    hm = show(server, "loadbalancer", "healthmonitor", "create", "--name", "hm", "--delay", "5",
              "--timeout", "4", "--max-retries", "3", "--type", "TCP", "--wait", "p1")
    assert (hm["pools"], hm["type"], hm["provisioning_status"]) == (
        show(server, "loadbalancer", "pool", "show", "p1")["id"], "TCP", "ACTIVE")
    assert table_rows(ballast(server, "loadbalancer", "healthmonitor", "list").out)[1][1:] == [
        "hm", "ballast", "TCP", "True"]
    ballast(server, "loadbalancer", "healthmonitor", "set", "--delay", "7", "--max-retries-down",
            "2", "--wait", "hm")
    doc = show(server, "loadbalancer", "healthmonitor", "show", "hm")
    assert (doc["delay"], doc["max_retries_down"]) == (7, 2)
    ballast(server, "loadbalancer", "healthmonitor", "unset", "--max-retries-down", "--name",
            "--wait", hm["id"])
    doc = show(server, "loadbalancer", "healthmonitor", "show", hm["id"])
    assert (doc["max_retries_down"], doc["name"]) == (3, "")
    ballast(server, "loadbalancer", "healthmonitor", "delete", "--wait", hm["id"])
    ballast(server, "loadbalancer", "member", "delete", "--wait", "p1", "m1")
    assert ballast(server, "loadbalancer", "member", "list", "p1").out == "\n"
    ballast(server, "loadbalancer", "pool", "delete", "--wait", "p1")
    ballast(server, "loadbalancer", "listener", "delete", "--wait", "l1")
    assert ballast(server, "loadbalancer", "pool", "list").out == "\n"
    assert ballast(server, "loadbalancer", "listener", "list").out == "\n"


def test_names_resolve_exactly_once(server):
    ballast(server, "loadbalancer", "create", "--name", "twin", "--vip-subnet-id", "loopback")
    ballast(server, "loadbalancer", "create", "--name", "twin", "--vip-subnet-id", "loopback")
    r = ballast(server, "loadbalancer", "show", "twin", ok=False)
    assert (r.rc, r.out, r.err) == (
        1, "", "2 loadbalancers found with name or ID of twin. Please try again with UUID\n")
    r = ballast(server, "loadbalancer", "listener", "create", "--protocol", "TCP",
                "--protocol-port", "80", "nothing", ok=False)
    assert (r.rc, r.err) == (1, "Unable to locate nothing in loadbalancers\n")
    r = ballast(server, "loadbalancer", "create", "--vip-subnet-id", "nowhere", ok=False)
    assert (r.rc, r.err) == (1, "Unable to locate nowhere in subnets\n")
    # an id that names nothing: the API's 404 is not shown, the client's message is
    r = ballast(server, "loadbalancer", "show", "6a1d2c1e-1111-4c1b-9d7e-0d1f4b0e9a11", ok=False)
    assert (r.rc, r.err) == (1, "Unable to locate 6a1d2c1e-1111-4c1b-9d7e-0d1f4b0e9a11 in "
                                "loadbalancers\n")


def test_api_errors_and_usage_errors(server):
    r = ballast(server, "loadbalancer", "create", "--name", "x", ok=False)
    assert r.rc == 1 and r.err.startswith("Validation failure:") and "(HTTP 400)" in r.err
    assert "(Request-ID: req-" in r.err
    r = ballast(server, "loadbalancer", "l7policy", "show", "nothing", ok=False)
    assert (r.rc, r.err) == (1, "Unable to locate nothing in l7policies\n"), r
    for args, msg in [
        (("loadbalancer", "listener", "create", "lb"),
         "the following arguments are required: --protocol, --protocol-port"),
        (("loadbalancer", "listener", "create", "--protocol", "FTP", "--protocol-port", "1",
          "lb"), "argument --protocol: invalid choice: 'FTP' (choose from 'TCP', 'HTTP'"),
        (("loadbalancer", "member", "create", "--address", "1.2.3.4", "--protocol-port", "x",
          "p"), "argument --protocol-port: invalid int value: 'x'"),
        (("loadbalancer", "set", "--enable", "--disable", "lb"),
         "argument --disable: not allowed with argument --enable"),
        (("loadbalancer", "show", "a", "b"), "unrecognized arguments: b"),
        (("loadbalancer", "list", "--bogus"), "unrecognized arguments: --bogus"),
        (("loadbalancer", "list", "-c", "nope"), "No recognized column names in ['nope']"),
        (("loadbalancer", "frobnicate"), "unknown command 'loadbalancer frobnicate'"),
    ]:
        r = ballast(server, *args, ok=False)
        assert r.rc == 2 and msg in r.err and r.out == "", (args, r)
    # nothing listening: a connection error, exit 1
    r = ballast(None, "--os-url", "http://127.0.0.1:1", "loadbalancer", "list", ok=False)
    assert r.rc == 1 and "Unable to establish connection to http://127.0.0.1:1/v2/lbaas/" in r.err


def test_quota_provider_amphora(server):
    defaults = ballast(server, "loadbalancer", "quota", "defaults", "show").out
    assert table_rows(defaults)[1:] == [[k, "-1"] for k in (
        "load_balancer", "listener", "pool", "health_monitor", "member", "l7policy", "l7rule")]
    out = ballast(server, "loadbalancer", "quota", "set", "--loadbalancer", "5", "--member",
                  "50", "proj1").out
    assert ["load_balancer", "5"] in table_rows(out) and ["member", "50"] in table_rows(out)
    rows = table_rows(ballast(server, "loadbalancer", "quota", "list").out)
    assert rows[0] == ["project_id", "load_balancer", "listener", "pool", "health_monitor",
                       "member", "l7policy", "l7rule"]
    assert rows[1][:2] == ["proj1", "5"] and rows[1][5] == "50"
    ballast(server, "loadbalancer", "quota", "unset", "--member", "proj1")
    doc = show(server, "loadbalancer", "quota", "show", "proj1")
    assert (doc["member"], doc["load_balancer"]) == (-1, 5)  # null: back to the default
    ballast(server, "loadbalancer", "quota", "reset", "proj1")
    assert show(server, "loadbalancer", "quota", "show", "proj1")["load_balancer"] == -1
    assert table_rows(ballast(server, "loadbalancer", "provider", "list").out)[0] == [
        "name", "description"]
    assert ballast(server, "loadbalancer", "provider", "list", "-f", "value", "-c",
                   "name").out.split() == ["ballast", "noop_driver"]
    caps = ballast(server, "loadbalancer", "provider", "capability", "list", "ballast",
                   "--print-empty").out
    assert table_rows(caps)[0] == ["type", "name", "description"]
    assert ballast(server, "loadbalancer", "amphora", "list").out == "\n"


def test_flavors_and_zones(server):
    fp = show(server, "loadbalancer", "flavorprofile", "create", "--name", "fp", "--provider",
              "ballast", "--flavor-data", "{}")
    assert (fp["name"], fp["provider_name"], fp["flavor_data"]) == ("fp", "ballast", "{}")
    fl = show(server, "loadbalancer", "flavor", "create", "--name", "small", "--flavorprofile",
              "fp", "--description", "tiny", "--enable")
    assert (fl["flavor_profile_id"], fl["enabled"], fl["description"]) == (fp["id"], True, "tiny")
    ballast(server, "loadbalancer", "flavor", "set", "--disable", "small")
    ballast(server, "loadbalancer", "flavor", "unset", "--description", "small")
    fl = show(server, "loadbalancer", "flavor", "show", "small")
    assert (fl["enabled"], fl["description"]) == (False, "")
    assert table_rows(ballast(server, "loadbalancer", "flavor", "list").out)[1][1:] == [
        "small", fp["id"], "False"]
    ballast(server, "loadbalancer", "flavor", "delete", "small")
    ballast(server, "loadbalancer", "flavorprofile", "set", "--name", "fp2", "fp")
    ballast(server, "loadbalancer", "flavorprofile", "delete", "fp2")
    assert ballast(server, "loadbalancer", "flavorprofile", "list").out == "\n"

    azp = show(server, "loadbalancer", "availabilityzoneprofile", "create", "--name", "azp",
               "--provider", "ballast", "--availability-zone-data", "{}")
    az = show(server, "loadbalancer", "availabilityzone", "create", "--name", "az1",
               "--availabilityzoneprofile", "azp", "--description", "d")
    assert (az["name"], az["availability_zone_profile_id"], az["enabled"]) == (
        "az1", azp["id"], True)
    ballast(server, "loadbalancer", "availabilityzone", "set", "--description", "e", "az1")
    assert show(server, "loadbalancer", "availabilityzone", "show", "az1")["description"] == "e"
    ballast(server, "loadbalancer", "availabilityzone", "delete", "az1")
    r = ballast(server, "loadbalancer", "availabilityzone", "show", "az1", ok=False)
    assert (r.rc, r.err) == (1, "Unable to locate az1 in availability_zones\n")
    ballast(server, "loadbalancer", "availabilityzoneprofile", "delete", "azp")


def test_l7policy_and_l7rule_route_http_traffic(server):
    import urllib.error
    import urllib.request
    ballast(server, "loadbalancer", "create", "--name", "lb7", "--vip-subnet-id", "loopback",
            "--wait")
    vip = show(server, "loadbalancer", "show", "lb7")["vip_address"]
    port = free_port(vip)
    ballast(server, "loadbalancer", "listener", "create", "--name", "web", "--protocol", "HTTP",
            "--protocol-port", str(port), "--wait", "lb7")
    ballast(server, "loadbalancer", "l7policy", "create", "--name", "deny", "--action",
            "REJECT", "--wait", "web")
    ballast(server, "loadbalancer", "l7rule", "create", "--type", "PATH", "--compare-type",
            "STARTS_WITH", "--value", "/admin", "--wait", "deny")
    rows = table_rows(ballast(server, "loadbalancer", "l7policy", "list").out)
    assert rows[1][1:] == ["deny", "ballast", "ACTIVE", "REJECT", "1", "True"], rows
    rule = show(server, "loadbalancer", "l7rule", "list", "deny")
    assert [(r["type"], r["value"]) for r in rule] == [("PATH", "/admin")]
    try:
        urllib.request.urlopen(f"http://{vip}:{port}/admin/x", timeout=5)
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    assert status == 403
    ballast(server, "loadbalancer", "l7policy", "set", "--action", "REDIRECT_TO_URL",
            "--redirect-url", "http://example.com/", "--wait", "deny")
    req = urllib.request.Request(f"http://{vip}:{port}/admin/x")
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None}))
    try:
        opener.open(req, timeout=5)
        status, location = 200, None
    except urllib.error.HTTPError as e:
        status, location = e.code, e.headers.get("Location")
    assert (status, location) == (302, "http://example.com/")
    ballast(server, "loadbalancer", "l7policy", "delete", "--wait", "deny")
    assert ballast(server, "loadbalancer", "l7policy", "list", "-f", "value").out == ""
