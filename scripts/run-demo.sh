#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make run`: starts two demo members on 127.0.0.1:3001 and :3002 and ballastd
# on examples/lb.json (TCP 127.0.0.1:2222, ROUND_ROBIN over the two), in the
# foreground. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
for port in 3001 3002; do
  /usr/bin/python3 scripts/demo_member.py "$port" "member-$port" &
  pids+=($!)
done
cat <<'MSG'
ballast demo: load balancer "lb", listener TCP 127.0.0.1:2222 -> members 127.0.0.1:3001, :3002

Try, in another terminal:
  for i in 1 2 3 4; do exec 3<>/dev/tcp/127.0.0.1/2222; head -1 <&3; exec 3<&-; done
      (consecutive connections alternate: member-3001, member-3002, member-3001, ...)
  echo stats | /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect("var/ballastd.sock"); s.sendall(b"stats\n"); print(s.recv(1<<20).decode())'
  edit examples/lb.json, then: kill -HUP $(pgrep -f "ballastd --config examples/lb.json")

MSG
build/ballastd --config examples/lb.json --admin var/ballastd.sock &
pids+=($!)
wait "${pids[-1]}"
