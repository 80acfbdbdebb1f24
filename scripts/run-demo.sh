#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make run`: ballast on its embedded default — the Octavia API on 127.0.0.1:9876,
# objects in SQLite (var/ballast.db), VIPs on the built-in loopback network
# (127.100.0.0/16) — plus two demo members on 127.0.0.1:3001 and :3002 and,
# on first run, the tutorial's load balancer created through the API:
# "demo", TCP listener on port 2222, ROUND_ROBIN over the two members.
# Ctrl-C stops everything; the load balancer stays in the store for next time.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
API=http://127.0.0.1:9876
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
for port in 3001 3002; do
  /usr/bin/python3 scripts/demo_member.py "$port" "member-$port" &
  pids+=($!)
done
build/ballastd --api 127.0.0.1:9876 --db var/ballast.db --admin var/ballastd.sock &
pids+=($!)
vip=$(/usr/bin/python3 scripts/demo_lb.py "$API")
cat <<MSG

ballast is running: Octavia API on $API, store var/ballast.db.
Load balancer "demo": listener TCP $vip:2222 -> members 127.0.0.1:3001, 127.0.0.1:3002

Try, in another terminal:
  for i in 1 2 3 4; do exec 3<>/dev/tcp/$vip/2222; head -1 <&3; exec 3<&-; done
      (consecutive connections alternate: member-3001, member-3002, member-3001, ...)
  curl -s "$API/v2.0/lbaas/loadbalancers?name=demo"
  build/ballast loadbalancer list        (or the ssh walkthrough: docs/tutorial.md)
  OS_AUTH_TYPE=none OS_ENDPOINT=$API openstack loadbalancer list
      (Debian's python3-octaviaclient; see README for the whole tutorial)

MSG
wait "${pids[-1]}"
