#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/api.sh: the control plane through the Octavia v2 API, in one command.
#
#   bench/api.sh                               # defaults: 1,000 LBs x 10 members, about 3-5 min
#   LBS=100 MEMBERS=10 bench/api.sh            # a quick run, under a minute
#   BALLAST_REV=HEAD bench/api.sh              # what produced the figures in bench/README.md
#
# 1. provisioning latency: POST load balancer -> first byte relayed through the new VIP from a
#    member that writes a greeting (LB, listener, pool, 2 members, each write followed by
#    polling GET until the LB is ACTIVE again, as a client must); median and p95 and each step.
# 2. API write throughput: member creates per second on one pool (POST, poll to ACTIVE, next),
#    and over many LBs pipelined on several connections (one write per LB, then wait).
# 3. scale: a node with LBS load balancers (1 TCP listener on its own port, 1 pool, MEMBERS
#    members pointing at 127.0.0.1 ports where nothing listens), then the time to apply one
#    member change there (POST -> ACTIVE seen by polling), and the provisioning latency there.
#    Where the time goes: uprobes on the agent's stages (perf probe, no source change:
#    changed-LB query, per-LB render/parse/part build, assemble, hand-over, settle read, health),
#    perf record -g of ballastd during a few changes, and the agent's SQL list statement timed
#    against an indexed variant on the scale store.
#
# The driver is bench/api/driver.py (Python stdlib). Everything is on 127.0.0.1 (the VIPs are
# in 127.100.0.0/16); every ballastd runs on a fresh SQLite file in a temporary directory; every
# wait is bounded; every process started here is stopped by its PID; the uprobes are removed.
#
# Environment (defaults in brackets):
#   LBS [1000] MEMBERS [10]             size of the scale node
#   CHANGES [20]                        measured member changes at scale
#   PROV_REPS [20] SCALE_PROV_REPS [3]  provisioning runs on an empty node / at scale
#   SEQ_MEMBERS [500] PAR_MEMBERS [500] PAR_LBS [50]    throughput
#   PROFILE [2]        0 none, 1 uprobes, 2 uprobes + perf record -g (perf needs root)
#   PROBE_CHANGES [5] PERF_CHANGES [5]  extra changes at scale under uprobes / perf record
#   PARTS ["provision throughput scale"]
#   WORKERS [2] CONNS [32] PORT_BASE [41000] SCALE_PORT_BASE [42000]
#   TIMEOUT [900] s for the whole driver
#   OUTDIR [bench/results/api-<timestamp>]
#   BALLASTD    a ballastd binary to measure as is; otherwise
#   BALLAST_REV a git revision (e.g. HEAD) exported with git archive and built in OUTDIR; otherwise
#               the work tree is built with make -j2 all and build/ballastd is measured
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
LBS=${LBS:-1000}
MEMBERS=${MEMBERS:-10}
CHANGES=${CHANGES:-20}
PROV_REPS=${PROV_REPS:-20}
SCALE_PROV_REPS=${SCALE_PROV_REPS:-3}
SEQ_MEMBERS=${SEQ_MEMBERS:-500}
PAR_MEMBERS=${PAR_MEMBERS:-500}
PAR_LBS=${PAR_LBS:-50}
PROFILE=${PROFILE:-2}
PROBE_CHANGES=${PROBE_CHANGES:-5}
PERF_CHANGES=${PERF_CHANGES:-5}
PARTS=${PARTS:-"provision throughput scale"}
WORKERS=${WORKERS:-2}
CONNS=${CONNS:-32}
PORT_BASE=${PORT_BASE:-41000}
SCALE_PORT_BASE=${SCALE_PORT_BASE:-42000}
TIMEOUT=${TIMEOUT:-900}
STAMP=$(date +%Y%m%d-%H%M%S)
OUTDIR=${OUTDIR:-$BENCH/results/api-$STAMP}
mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
PY=/usr/bin/python3; [[ -x $PY ]] || PY=$(command -v python3)

log() { echo "[api.sh $(date +%T)] $*" | tee -a "$OUTDIR/run.log" >&2; }
die() { log "error: $*"; exit 1; }

DBDIR=$(mktemp -d /tmp/ballast-api-bench.XXXXXX)
DRIVER_PID=
cleanup() {
  if [[ -n $DRIVER_PID ]] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM "$DRIVER_PID" 2>/dev/null   # the driver stops its ballastd and perf by PID
    for _ in $(seq 50); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$DRIVER_PID" 2>/dev/null
  fi
  # uprobes left behind by a driver that was killed hard (it names their group in probe-group)
  if [[ -s $OUTDIR/probe-group ]] && command -v perf >/dev/null; then
    local g; g=$(cat "$OUTDIR/probe-group")
    if perf probe -l 2>/dev/null | grep -q "^ *$g:"; then perf probe -q -d "$g:*" >/dev/null 2>&1; fi
  fi
  rm -rf "$DBDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ the binary
if [[ -n ${BALLASTD:-} ]]; then
  [[ -x $BALLASTD ]] || die "BALLASTD=$BALLASTD is not executable"
  desc="$BALLASTD as given"
elif [[ -n ${BALLAST_REV:-} ]]; then
  # a clean export of one revision (git archive reads the repository; index and work tree untouched)
  rev=$(git -C "$ROOT" rev-parse --short "$BALLAST_REV") || die "unknown revision $BALLAST_REV"
  log "building ballast $rev from a clean export (BALLAST_REV=$BALLAST_REV)"
  mkdir -p "$OUTDIR/ballast-$rev"
  git -C "$ROOT" archive --format=tar "$rev" | tar -x -C "$OUTDIR/ballast-$rev" || die "git archive failed"
  make -C "$OUTDIR/ballast-$rev" -j2 build/ballastd >"$OUTDIR/build.log" 2>&1 || die "build failed, see $OUTDIR/build.log"
  BALLASTD="$OUTDIR/ballast-$rev/build/ballastd"
  desc="clean build of $rev"
else
  log "building ballast (make -j2 all)"
  make -C "$ROOT" -j2 all >"$OUTDIR/build.log" 2>&1 || die "build failed, see $OUTDIR/build.log"
  BALLASTD="$ROOT/build/ballastd"
  dirty=$(git -C "$ROOT" status --porcelain -- src Makefile 2>/dev/null | wc -l)
  desc="work tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$([[ $dirty != 0 ]] && echo " + $dirty modified files under src/")"
fi

if [[ $PROFILE != 0 ]] && { [[ $(id -u) != 0 ]] || ! command -v perf >/dev/null; }; then
  log "perf (as root) is needed for PROFILE=$PROFILE: running with PROFILE=0"
  PROFILE=0
fi

{
  echo "date: $(date -Iseconds)"
  echo "host: $(hostname) cpus=$(nproc) kernel=$(uname -r) load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ballast: $desc ($BALLASTD)"
  echo "libs: $(dpkg-query -W -f='${Package} ${Version}, ' libsqlite3-0 libjansson4 2>/dev/null)"
  echo "store: $(df -T "$DBDIR" | awk 'NR==2 {print $2" on "$1}') ($DBDIR)"
  echo "perf: $(perf --version 2>/dev/null || echo none)"
  echo "params: LBS=$LBS MEMBERS=$MEMBERS CHANGES=$CHANGES PROV_REPS=$PROV_REPS SCALE_PROV_REPS=$SCALE_PROV_REPS" \
       "SEQ_MEMBERS=$SEQ_MEMBERS PAR_MEMBERS=$PAR_MEMBERS PAR_LBS=$PAR_LBS WORKERS=$WORKERS CONNS=$CONNS PROFILE=$PROFILE"
} >"$OUTDIR/env.txt"
log "ballast: $desc; results in $OUTDIR"

# ------------------------------------------------------------------ the driver
timeout --signal=TERM --kill-after=30 "$TIMEOUT" "$PY" "$BENCH/api/driver.py" \
  --ballastd "$BALLASTD" --outdir "$OUTDIR" --tmpdir "$DBDIR" --workers "$WORKERS" \
  --parts "$PARTS" --prov-reps "$PROV_REPS" --seq-members "$SEQ_MEMBERS" \
  --par-members "$PAR_MEMBERS" --par-lbs "$PAR_LBS" --lbs "$LBS" --members "$MEMBERS" \
  --changes "$CHANGES" --scale-prov-reps "$SCALE_PROV_REPS" --probe-changes "$PROBE_CHANGES" \
  --perf-changes "$PERF_CHANGES" --conns "$CONNS" --port-base "$PORT_BASE" \
  --scale-port-base "$SCALE_PORT_BASE" --profile "$PROFILE" \
  > >(tee "$OUTDIR/table.out") 2> >(tee -a "$OUTDIR/run.log" >&2) &
DRIVER_PID=$!
wait "$DRIVER_PID"
rc=$?
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUTDIR/env.txt"
[[ $rc == 0 ]] || die "driver failed (exit $rc), see $OUTDIR/run.log"
log "done: $OUTDIR/table.md, results.json$([[ $PROFILE == 2 ]] && echo ", profile-*.txt (perf report)")"
