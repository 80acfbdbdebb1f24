# SPDX-License-Identifier: Apache-2.0
"""`ballast loadbalancer create|list|show|set|unset|delete|stats show|status
show|failover` against the real ballastd: whole outputs compared with golden
text (ids and times normalised, see cliutil.normalise), in every format."""
import json

from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)
from cliutil import ballast, normalise

LB_SHOW = """\
+---------------------+--------------------------------------+
| Field               | Value                                |
+---------------------+--------------------------------------+
| admin_state_up      | True                                 |
| availability_zone   | None                                 |
| created_at          | 2000-01-01T00:00:00                  |
| description         | first                                |
| flavor_id           | None                                 |
| id                  | 00000000-0000-0000-0000-000000000001 |
| listeners           |                                      |
| name                | lb1                                  |
| operating_status    | ONLINE                               |
| pools               |                                      |
| project_id          | ballast                              |
| provider            | ballast                              |
| provisioning_status | ACTIVE                               |
| updated_at          | 2000-01-01T00:00:00                  |
| vip_address         | 127.100.0.1                          |
| vip_network_id      | 00000000-0000-0000-0000-000000000002 |
| vip_port_id         | 00000000-0000-0000-0000-000000000003 |
| vip_qos_policy_id   | None                                 |
| vip_subnet_id       | 00000000-0000-0000-0000-000000000004 |
| tags                | blue                                 |
|                     | green                                |
| additional_vips     | []                                   |
+---------------------+--------------------------------------+
"""

LB_LIST = """\
+--------------------------------------+------+------------+-------------+---------------------+------------------+----------+
| id                                   | name | project_id | vip_address | provisioning_status | operating_status | provider |
+--------------------------------------+------+------------+-------------+---------------------+------------------+----------+
| 00000000-0000-0000-0000-000000000001 | lb1  | ballast    | 127.100.0.1 | ACTIVE              | ONLINE           | ballast  |
| 00000000-0000-0000-0000-000000000002 | lb2  | ballast    | 127.100.0.2 | ACTIVE              | ONLINE           | ballast  |
+--------------------------------------+------+------------+-------------+---------------------+------------------+----------+
"""


def two_lbs(server):
    a = ballast(server, "loadbalancer", "create", "--name", "lb1", "--description", "first",
                "--vip-subnet-id", "loopback", "--tag", "blue", "--tag", "green", "--wait").out
    ballast(server, "loadbalancer", "create", "--name", "lb2", "--vip-subnet-id", "loopback",
            "--wait", "-f", "value", "-c", "id")
    return a


def test_create_prints_the_active_load_balancer(server):
    assert normalise(two_lbs(server)) == LB_SHOW


def test_show_by_name_and_by_id_and_list(server):
    two_lbs(server)
    assert normalise(ballast(server, "loadbalancer", "show", "lb1").out) == LB_SHOW
    lb_id = ballast(server, "loadbalancer", "show", "lb1", "-f", "value", "-c", "id").out.strip()
    assert normalise(ballast(server, "loadbalancer", "show", lb_id).out) == LB_SHOW
    assert normalise(ballast(server, "loadbalancer", "list", "--sort-column", "name").out) == LB_LIST
    # the implicit "loadbalancer" for other nouns does not apply to list itself, which is the LB list
    assert normalise(ballast(server, "list", "--sort-column", "name").out) == LB_LIST


def test_formats(server):
    two_lbs(server)
    args = ("loadbalancer", "list", "--sort-column", "name", "-c", "name", "-c", "vip_address")
    assert ballast(server, *args, "-f", "value").out == "lb1 127.100.0.1\nlb2 127.100.0.2\n"
    assert ballast(server, *args, "-f", "csv").out == (
        '"name","vip_address"\n"lb1","127.100.0.1"\n"lb2","127.100.0.2"\n')
    assert ballast(server, *args, "-f", "json").out == (
        '[\n  {\n    "name": "lb1",\n    "vip_address": "127.100.0.1"\n  },\n'
        '  {\n    "name": "lb2",\n    "vip_address": "127.100.0.2"\n  }\n]\n')
    assert ballast(server, *args, "-f", "json", "--noindent").out == (
        '[{"name": "lb1", "vip_address": "127.100.0.1"}, '
        '{"name": "lb2", "vip_address": "127.100.0.2"}]\n')
    assert ballast(server, *args, "-f", "yaml").out == (
        "- name: lb1\n  vip_address: 127.100.0.1\n- name: lb2\n  vip_address: 127.100.0.2\n")
    assert ballast(server, *args, "--sort-descending").out.index("lb2") < \
        ballast(server, *args, "--sort-descending").out.index("lb1")
    one = ("loadbalancer", "show", "lb1", "-c", "name", "-c", "tags", "-c", "admin_state_up",
           "-c", "flavor_id", "-c", "created_at")
    assert normalise(ballast(server, *one, "-f", "yaml").out) == (
        "admin_state_up: true\ncreated_at: '2000-01-01T00:00:00'\nflavor_id: null\nname: lb1\n"
        "tags: 'blue\n\n  green'\n")
    doc = json.loads(ballast(server, *one, "-f", "json").out)
    assert list(doc) == ["admin_state_up", "created_at", "flavor_id", "name", "tags"]
    assert (doc["admin_state_up"], doc["flavor_id"], doc["name"], doc["tags"]) == (
        True, None, "lb1", "blue\ngreen")
    value = ballast(server, *one, "-f", "value").out.split("\n")
    assert (value[0], value[2], value[3], value[4:]) == ("True", "None", "lb1", ["blue", "green", ""])
    assert ballast(server, *one, "-f", "shell", "--prefix", "lb_").out.startswith(
        'lb_admin_state_up="True"\nlb_created_at="')
    # the tutorial's idiom
    assert ballast(server, "loadbalancer", "show", "lb1", "-c", "vip_address",
                   "-f", "value").out == "127.100.0.1\n"


def test_empty_list_and_print_empty(server):
    assert ballast(server, "loadbalancer", "list").out == "\n"
    assert ballast(server, "loadbalancer", "list", "-f", "json").out == "[]\n"
    assert ballast(server, "loadbalancer", "list", "--print-empty", "-c", "id").out == (
        "+----+\n| id |\n+----+\n+----+\n")


def test_set_unset_tags_and_wait(server):
    two_lbs(server)
    ballast(server, "loadbalancer", "set", "--name", "lb1x", "--tag", "red", "--disable",
            "--wait", "lb1")
    out = ballast(server, "loadbalancer", "show", "lb1x", "-f", "json").out
    doc = json.loads(out)
    assert (doc["name"], doc["tags"], doc["admin_state_up"]) == ("lb1x", "blue\ngreen\nred", False)
    ballast(server, "loadbalancer", "unset", "--tag", "green", "--description", "--wait", "lb1x")
    doc = json.loads(ballast(server, "loadbalancer", "show", "lb1x", "-f", "json").out)
    assert (doc["tags"], doc["description"]) == ("blue\nred", "")
    ballast(server, "loadbalancer", "set", "--no-tag", "--enable", "lb1x", "--wait")
    doc = json.loads(ballast(server, "loadbalancer", "show", "lb1x", "-f", "json").out)
    assert (doc["tags"], doc["admin_state_up"]) == ("", True)
    ballast(server, "loadbalancer", "unset", "--all-tag", "lb2")


def test_stats_status_failover_delete(server):
    two_lbs(server)
    stats = ballast(server, "loadbalancer", "stats", "show", "lb1").out
    assert stats == (
        "+--------------------+-------+\n| Field              | Value |\n"
        "+--------------------+-------+\n| active_connections | 0     |\n"
        "| bytes_in           | 0     |\n| bytes_out          | 0     |\n"
        "| request_errors     | 0     |\n| total_connections  | 0     |\n"
        "+--------------------+-------+\n")
    status = ballast(server, "loadbalancer", "status", "show", "lb1").out
    assert normalise(status) == (
        '{\n    "loadbalancer": {\n        "id": "00000000-0000-0000-0000-000000000001",\n'
        '        "provisioning_status": "ACTIVE",\n        "operating_status": "ONLINE",\n'
        '        "name": "lb1",\n        "listeners": []\n    }\n}\n')
    ballast(server, "loadbalancer", "failover", "--wait", "lb1")
    assert ballast(server, "loadbalancer", "show", "lb1", "-c", "provisioning_status",
                   "-f", "value").out == "ACTIVE\n"
    ballast(server, "loadbalancer", "delete", "--wait", "lb1")
    r = ballast(server, "loadbalancer", "show", "lb1", ok=False)
    assert (r.rc, r.out, r.err) == (1, "", "Unable to locate lb1 in loadbalancers\n")
    assert ballast(server, "loadbalancer", "list", "-f", "value", "-c", "name").out == "lb2\n"
