#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ballast as the candidate of the shared lb-compare harness (shared/bench/lb-compare.sh).
#
#   CANDIDATE_CMD='bench/candidate-ballast.sh {MODE} {LISTEN} {BACKENDS} {BALANCE} {THREADS} {CONF}' \
#   CANDIDATE_MODES=tcp ../shared/bench/lb-compare.sh
#
# Writes an Octavia-style JSON load balancer (one TCP listener, one pool) from the harness's
# placeholders and execs ballastd in the foreground, so SIGTERM from the harness stops it.
#   MODE      tcp or http (an HTTP listener and pool)
#   LISTEN    127.0.0.1:PORT
#   BACKENDS  host:port,host:port,...
#   BALANCE   roundrobin -> ROUND_ROBIN, source -> SOURCE_IP
#   THREADS   --workers (default 1)
#   CONF      scratch path from the harness; the JSON goes to CONF.ballast.json (default: a temp file)
# Environment: BALLASTD (default <repo>/build/ballastd), BALLAST_LOG_LEVEL (default warn),
#   BALLAST_PREFIX (a command put before ballastd, e.g. "valgrind --tool=callgrind"; run.sh uses it).
set -euo pipefail
usage() { echo "usage: $0 MODE LISTEN BACKENDS BALANCE [THREADS] [CONF]" >&2; exit 2; }
[[ $# -ge 4 ]] || usage
mode=$1 listen=$2 backends=$3 balance=$4 threads=${5:-1} conf=${6:-}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ballastd=${BALLASTD:-$root/build/ballastd}

case $mode in
  tcp) proto=TCP;;
  http) proto=HTTP;;
  *) echo "candidate-ballast: unknown mode '$mode' (want tcp or http)" >&2; exit 2;;
esac
case $balance in
  roundrobin) algo=ROUND_ROBIN;;
  source)     algo=SOURCE_IP;;
  *) echo "candidate-ballast: unknown balance '$balance' (want roundrobin or source)" >&2; exit 2;;
esac
[[ $threads =~ ^[1-9][0-9]*$ ]] || { echo "candidate-ballast: bad THREADS '$threads'" >&2; exit 2; }
[[ $listen =~ ^(.+):([0-9]+)$ ]] || { echo "candidate-ballast: LISTEN must be host:port, got '$listen'" >&2; exit 2; }
vip=${BASH_REMATCH[1]} port=${BASH_REMATCH[2]}
vip=${vip#[}; vip=${vip%]}
[[ -x $ballastd ]] || { echo "candidate-ballast: $ballastd not built (run: make -j2 all)" >&2; exit 1; }

members=""
IFS=, read -r -a blist <<< "$backends"
[[ ${#blist[@]} -gt 0 ]] || { echo "candidate-ballast: no backends" >&2; exit 2; }
for b in "${blist[@]}"; do
  [[ $b =~ ^\[?([^]]+)\]?:([0-9]+)$ ]] || { echo "candidate-ballast: bad backend '$b'" >&2; exit 2; }
  members+="${members:+, }{\"address\": \"${BASH_REMATCH[1]}\", \"protocol_port\": ${BASH_REMATCH[2]}}"
done

if [[ -n $conf ]]; then
  json=$conf.ballast.json
else
  json=$(mktemp /tmp/candidate-ballast.XXXXXX.json)
fi
# Timeouts as HAProxy's in the harness (client/server 300 s, connect 5 s).
cat > "$json" <<EOF
{"loadbalancer": {"name": "bench", "vip_address": "$vip",
  "listeners": [{"name": "l", "protocol": "$proto", "protocol_port": $port,
    "timeout_client_data": 300000, "timeout_member_data": 300000, "timeout_member_connect": 5000,
    "default_pool": {"name": "p", "protocol": "$proto", "lb_algorithm": "$algo",
      "members": [$members]}}]}}
EOF
exec ${BALLAST_PREFIX:-} "$ballastd" --config "$json" --workers "$threads" --log-level "${BALLAST_LOG_LEVEL:-warn}"
