#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Creates the demo load balancer through the API unless it exists, waits
until it is ACTIVE, and prints its VIP address (used by `make run`)."""
import json
import sys
import time
import urllib.request

API = sys.argv[1] + "/v2.0/lbaas"
SUBNET = "a2b1c0d0-0000-4000-8000-000000000002"  # the built-in loopback subnet


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"null")


def main():
    for _ in range(100):  # ballastd is starting: up to 5 s
        try:
            lbs = call("GET", "/loadbalancers?name=demo")["loadbalancers"]
            break
        except OSError:
            time.sleep(0.05)
    else:
        sys.exit("ballastd did not answer on " + API)
    if not lbs:
        lbs = [call("POST", "/loadbalancers", {"loadbalancer": {
            "name": "demo", "vip_subnet_id": SUBNET,
            "listeners": [{"name": "demo-tcp", "protocol": "TCP", "protocol_port": 2222,
                           "default_pool": {"name": "demo-pool"}}],
            "pools": [{"name": "demo-pool", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
                       "members": [{"address": "127.0.0.1", "protocol_port": 3001},
                                   {"address": "127.0.0.1", "protocol_port": 3002}]}]}})[
            "loadbalancer"]]
    lb_id = lbs[0]["id"]
    for _ in range(100):
        lb = call("GET", "/loadbalancers/" + lb_id)["loadbalancer"]
        if lb["provisioning_status"] == "ACTIVE":
            print(lb["vip_address"])
            return
        time.sleep(0.05)
    sys.exit("the demo load balancer did not become ACTIVE")


if __name__ == "__main__":
    main()
