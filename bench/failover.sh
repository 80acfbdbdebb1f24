#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Failover timing, ballast beside HAProxy with equivalent inter/fall/rise: a
# member is killed (SIGKILL, then restarted) or frozen (SIGSTOP, then
# SIGCONT) under a bounded client load; reports kill -> mark-down, failed
# requests in between, restart -> mark-up, against delay x max_retries_down +
# timeout. Loopback only, about 2 minutes at the defaults. Knobs (environment):
#   REPEAT=3 DELAY=1 TIMEOUT=1 RISE=2 FALL=3 SCENARIOS=kill,freeze LBS=ballast,haproxy
#   BALLASTD=build/ballastd HAPROXY=haproxy OUT=bench/results/failover-<timestamp>
set -euo pipefail
cd "$(dirname "$0")/.."
BALLASTD=${BALLASTD:-build/ballastd}
HAPROXY=${HAPROXY:-haproxy}
OUT=${OUT:-bench/results/failover-$(date +%Y%m%d-%H%M%S)}
if [[ $BALLASTD == build/ballastd ]]; then make -s -j2 build/ballastd; fi
command -v "$HAPROXY" >/dev/null || { echo "failover.sh: $HAPROXY not found (apt-get install haproxy)" >&2; exit 1; }
mkdir -p "$OUT"
{ "$BALLASTD" --version; "$HAPROXY" -v | head -1; uname -r; nproc; } > "$OUT/env.txt"
exec /usr/bin/python3 bench/tools/failover.py --ballastd "$BALLASTD" --haproxy "$HAPROXY" \
  --repeat "${REPEAT:-3}" --delay "${DELAY:-1}" --timeout "${TIMEOUT:-1}" --rise "${RISE:-2}" \
  --fall "${FALL:-3}" --scenarios "${SCENARIOS:-kill,freeze}" --lbs "${LBS:-ballast,haproxy}" \
  --out "$OUT"
