#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `ballast loadbalancer list` beside `openstack loadbalancer list`, wall time per
# command, against the same ballastd (its own temporary db, 127.0.0.1 only,
# holding N load balancers, default 10). Uses hyperfine (Debian's) when present,
# else a bounded loop of RUNS runs (default 20 for ballast, 5 for openstack).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10}
TMP=$(mktemp -d /tmp/ballast-bench-cli.XXXXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
build/ballastd --api "127.0.0.1:$PORT" --db "$TMP/db" >"$TMP/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$TMP"' EXIT
export BALLAST_URL="http://127.0.0.1:$PORT" OS_AUTH_TYPE=none OS_ENDPOINT="http://127.0.0.1:$PORT"
unset OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_TOKEN
for _ in $(seq 100); do build/ballast loadbalancer list >/dev/null 2>&1 && break; sleep 0.05; done
for i in $(seq "$N"); do build/ballast loadbalancer create --name "lb$i" --vip-subnet-id loopback >/dev/null; done
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs "${RUNS:-20}" "build/ballast loadbalancer list" \
      --export-markdown "$TMP/ballast.md" >/dev/null
  hyperfine -N --warmup 1 --runs 5 "openstack loadbalancer list" \
      --export-markdown "$TMP/openstack.md" >/dev/null
  cat "$TMP/ballast.md"; tail -1 "$TMP/openstack.md"
else
  for cmd in "build/ballast loadbalancer list" "openstack loadbalancer list"; do
    runs=${RUNS:-20}; [[ $cmd == openstack* ]] && runs=5
    t0=$(date +%s%N)
    for _ in $(seq "$runs"); do $cmd >/dev/null; done
    echo "$cmd: $(( ($(date +%s%N) - t0) / runs / 1000 )) us per run ($runs runs)"
  done
fi
