#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh: ballast beside HAProxy (and nginx stream) on loopback, in one command.
#
#   bench/run.sh            (or: make bench, which also runs bench/http.sh)
#   BENCH_MODE=http bench/run.sh   (= bench/http.sh) the same for ballast's HTTP listener against
#                           HAProxy `mode http` and nginx `proxy_pass` with upstream keep-alive
#
# Part 1, throughput and CPU: the shared harness ../shared/bench/lb-compare.sh, called by path
#   (never copied), with ballast as its tcp candidate (bench/candidate-ballast.sh), against
#   direct, haproxy-tcp and nginx-stream, workloads ka_small close_small ka_64k iperf connrate idle.
# Part 2, deterministic costs on a fixed workload (bench/tools/rtload.c: N request/response round
#   trips, at most one in flight per connection), each LB with one worker thread:
#   (a) system calls per request: `strace -c -f -p PID` attached to the running LB,
#   (b) user-space instructions per request: the LB under `valgrind --tool=callgrind`,
#       counters dumped with callgrind_control before and after each workload.
# Part 3: one table with the ratios ballast/HAProxy against the project's goals
#   (bench/summarize.py), written to OUTDIR/summary.md as well.
#
# Everything listens on and talks to 127.0.0.1 only; every loop is bounded in count and time;
# every process started here is stopped by PID on exit (trap), never by name.
#
# Environment (defaults in brackets; "http:" = the default when BENCH_MODE=http):
#   BENCH_MODE [tcp]  tcp: L4 listeners; http: HTTP listeners (the L7 proxy), the same three parts
#   REPEAT [3]  DURATION [4]  MAX_STEAL [60]  MAX_TRIES [2]     passed to lb-compare
#   WORKLOADS [ka_small close_small ka_64k iperf connrate idle]   http: [ka_small close_small ka_64k]
#   SYSTEMS   [direct haproxy-tcp nginx-stream candidate-tcp]  http: [direct haproxy-http nginx-http candidate-http]
#   BASE_PORT [19000] http: [19200]   the harness's ports
#   PARTS     [harness det]   which parts to run (det = strace + callgrind)
#   DET_SYSTEMS [haproxy ballast nginx]      LBs measured in part 2
#   DET_BASE_PORT [19500] http: [19600]   origins on +1,+2; LBs on +100..
#   STRACE_N_KA [5000] STRACE_N_KA32 [20000] STRACE_N_CLOSE [2000] STRACE_N_CLOSE16 [2000] STRACE_N_BULK [500]
#   CG_N_KA [2000]     CG_N_KA32 [5000]      CG_N_CLOSE [1000]     CG_N_CLOSE16 [1000]     CG_N_BULK [200]
#   IPERF_OWN_CPU [1]  also run iperf with the LB alone on cpu 1 (lb-compare LB_CPUS=1)
#   HARNESS_TIMEOUT [1800] s   DET_TIMEOUT [120] s per rtload run
#   OUTDIR [bench/results/<timestamp>]  http: [bench/results/http-<timestamp>]
#   BALLASTD    a ballastd binary to measure as is; otherwise
#   BALLAST_REV a git revision (e.g. HEAD) exported with git archive and built in OUTDIR; otherwise
#               the work tree is built with make -j2 all and build/ballastd is measured
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
HARNESS="$ROOT/../shared/bench/lb-compare.sh"
[[ -f $HARNESS ]] || HARNESS=/work/shared/bench/lb-compare.sh

BENCH_MODE=${BENCH_MODE:-tcp}
REPEAT=${REPEAT:-3}
DURATION=${DURATION:-4}
MAX_STEAL=${MAX_STEAL:-60}
MAX_TRIES=${MAX_TRIES:-2}
STAMP=$(date +%Y%m%d-%H%M%S)
case $BENCH_MODE in
  tcp)
    WORKLOADS=${WORKLOADS:-"ka_small close_small ka_64k iperf connrate idle"}
    SYSTEMS=${SYSTEMS:-"direct haproxy-tcp nginx-stream candidate-tcp"}
    BASE_PORT=${BASE_PORT:-19000}
    DET_BASE_PORT=${DET_BASE_PORT:-19500}
    OUTDIR=${OUTDIR:-$BENCH/results/$STAMP};;
  http)
    # TERMINATED_HTTPS (handshakes per CPU-second, keep-alive requests over TLS) goes here when
    # ballast terminates TLS: the harness has no TLS workload yet, so it will need its own part.
    WORKLOADS=${WORKLOADS:-"ka_small close_small ka_64k"}
    SYSTEMS=${SYSTEMS:-"direct haproxy-http nginx-http candidate-http"}
    BASE_PORT=${BASE_PORT:-19200}       # apart from the tcp run's ports: both can run at once
    DET_BASE_PORT=${DET_BASE_PORT:-19600}
    OUTDIR=${OUTDIR:-$BENCH/results/http-$STAMP};;
  *) echo "bench: BENCH_MODE must be tcp or http, got '$BENCH_MODE'" >&2; exit 2;;
esac
export BASE_PORT
PARTS=${PARTS:-"harness det"}
DET_SYSTEMS=${DET_SYSTEMS:-"haproxy ballast nginx"}
STRACE_N_KA=${STRACE_N_KA:-5000};       CG_N_KA=${CG_N_KA:-2000}
STRACE_N_KA32=${STRACE_N_KA32:-20000};  CG_N_KA32=${CG_N_KA32:-5000}
STRACE_N_CLOSE=${STRACE_N_CLOSE:-2000}; CG_N_CLOSE=${CG_N_CLOSE:-1000}
STRACE_N_CLOSE16=${STRACE_N_CLOSE16:-2000}; CG_N_CLOSE16=${CG_N_CLOSE16:-1000}
STRACE_N_BULK=${STRACE_N_BULK:-500};    CG_N_BULK=${CG_N_BULK:-200}
HARNESS_TIMEOUT=${HARNESS_TIMEOUT:-1800}
DET_TIMEOUT=${DET_TIMEOUT:-120}
mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
PY=/usr/bin/python3; [[ -x $PY ]] || PY=$(command -v python3)
NGX_STREAM_MOD=/usr/lib/nginx/modules/ngx_stream_module.so

log() { echo "[bench $(date +%T)] $*" | tee -a "$OUTDIR/run.log" >&2; }
die() { log "error: $*"; exit 1; }
has() { [[ " $PARTS " == *" $1 "* ]]; }

# ------------------------------------------------------------------ prerequisites
# command -> Debian package; installed with apt-get when missing (root only; BENCH_NO_INSTALL=1 to skip)
declare -A PKG=([haproxy]=haproxy [nginx]=nginx [wrk]=wrk [iperf3]=iperf3 [taskset]=util-linux [gcc]=gcc
                [strace]=strace [valgrind]=valgrind [callgrind_control]=valgrind [timeout]=coreutils)
missing_pkgs() {
  local b out=()
  for b in "${!PKG[@]}"; do command -v "$b" >/dev/null || out+=("${PKG[$b]}"); done
  [[ -f $NGX_STREAM_MOD ]] || out+=(libnginx-mod-stream)
  printf '%s\n' "${out[@]}" | sort -u | tr '\n' ' '
}
missing=$(missing_pkgs)
if [[ -n ${missing// /} && $(id -u) == 0 && -z ${BENCH_NO_INSTALL:-} ]]; then
  log "installing $missing"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >"$OUTDIR/apt.log" 2>&1 \
    || die "apt-get install $missing failed, see $OUTDIR/apt.log"
  missing=$(missing_pkgs)
fi
[[ -z ${missing// /} ]] || die "missing packages: $missing (apt-get install -y $missing)"
[[ -f $HARNESS ]] || die "shared harness not found at $HARNESS"

BALLAST_DESC=""
if [[ -n ${BALLASTD:-} ]]; then
  BALLAST_DESC="given binary"
elif [[ -n ${BALLAST_REV:-} ]]; then
  # a clean export of one revision (git archive: reads the repo, touches neither index nor work
  # tree), built in OUTDIR: figures that edits in progress under src/ cannot change
  rev=$(git -C "$ROOT" rev-parse --short "$BALLAST_REV") || die "unknown revision $BALLAST_REV"
  log "building ballast $rev from a clean export (BALLAST_REV=$BALLAST_REV)"
  rm -rf "$OUTDIR/ballast-$rev"; mkdir -p "$OUTDIR/ballast-$rev"
  git -C "$ROOT" archive --format=tar "$rev" | tar -x -C "$OUTDIR/ballast-$rev" || die "git archive failed"
  make -C "$OUTDIR/ballast-$rev" -j2 build/ballastd >"$OUTDIR/build.log" 2>&1 || die "build failed, see $OUTDIR/build.log"
  BALLASTD=$OUTDIR/ballast-$rev/build/ballastd
  BALLAST_DESC="clean build of $rev"
else
  log "building ballast (make -j2 all)"
  make -C "$ROOT" -j2 all >"$OUTDIR/build.log" 2>&1 || die "build failed, see $OUTDIR/build.log"
  BALLASTD=$ROOT/build/ballastd
  BALLAST_DESC="work tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
  git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || BALLAST_DESC+=" + uncommitted changes under src/"
fi
[[ -x $BALLASTD ]] || die "$BALLASTD is not executable"
BALLASTD=$(realpath "$BALLASTD")
export BALLASTD
TOOLS_BIN="$BENCH/results/bin"; mkdir -p "$TOOLS_BIN"
RTLOAD="$TOOLS_BIN/rtload"
if [[ ! -x $RTLOAD || $RTLOAD -ot $BENCH/tools/rtload.c ]]; then
  gcc -O2 -Wall -o "$RTLOAD" "$BENCH/tools/rtload.c" || die "cannot build rtload"
fi

{
  echo "date: $(date -Is)"
  echo "mode: $BENCH_MODE"
  echo "host: $(hostname) cpus=$(nproc) kernel=$(uname -r)"
  echo "ballast: $BALLAST_DESC ($BALLASTD)"
  echo "haproxy: $(haproxy -v 2>&1 | head -1)"
  echo "nginx: $(nginx -v 2>&1)"
  echo "strace: $(strace -V | head -1); valgrind: $(valgrind --version)"
} > "$OUTDIR/env.txt"
cat "$OUTDIR/env.txt" >&2

# ------------------------------------------------------------------ process bookkeeping
PIDS=()     # everything long-lived started here, stopped on exit
RUN=$(mktemp -d /tmp/ballast-bench.XXXXXX)
stop_pid() {  # SIGTERM, wait up to 10 s, then SIGKILL; only the given pid
  local p=$1
  [[ -z $p ]] && return 0
  kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  return 0
}
cleanup() {
  local p
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  PIDS=()
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget() { local p=$1 q keep=(); for q in "${PIDS[@]}"; do [[ $q == "$p" ]] || keep+=("$q"); done; PIDS=("${keep[@]}"); }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {  # port [tries of 0.2 s]
  for _ in $(seq 1 "${2:-50}"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------------ part 1: the shared harness
if has harness; then
  log "part 1: lb-compare (SYSTEMS=$SYSTEMS WORKLOADS=$WORKLOADS REPEAT=$REPEAT DURATION=$DURATION); about 5 min at REPEAT=3"
  cand="$BENCH/candidate-ballast.sh {MODE} {LISTEN} {BACKENDS} {BALANCE} {THREADS} {CONF}"
  SYSTEMS="$SYSTEMS" WORKLOADS="$WORKLOADS" REPEAT="$REPEAT" DURATION="$DURATION" \
  MAX_STEAL="$MAX_STEAL" MAX_TRIES="$MAX_TRIES" CANDIDATE_MODES="$BENCH_MODE" CANDIDATE_NAME=ballast \
  CANDIDATE_CMD="$cand" OUTDIR="$OUTDIR/lb-compare" \
    timeout -s TERM -k 30 "$HARNESS_TIMEOUT" bash "$HARNESS" > "$OUTDIR/lb-compare.out" 2>&1 &
  hp=$!; PIDS+=("$hp")
  wait "$hp"; rc=$?; forget "$hp"
  (( rc == 0 )) || log "lb-compare exited $rc (see $OUTDIR/lb-compare.out)"
  tail -n 25 "$OUTDIR/lb-compare.out" >&2
  # The harness pins LB, client and servers to cpu 0, so a proxy shares one core with iperf's
  # two ends and can reach about half of direct at best. Bulk throughput against direct is
  # therefore also measured with the LB on its own core (cpu 1), client and servers on cpu 0.
  if [[ " $WORKLOADS " == *" iperf "* && $(nproc) -ge 2 && ${IPERF_OWN_CPU:-1} == 1 ]]; then
    log "part 1b: lb-compare iperf with the LB on cpu 1 (client and servers on cpu 0)"
    SYSTEMS="$SYSTEMS" WORKLOADS=iperf REPEAT="$REPEAT" DURATION="$DURATION" LB_CPUS=1 \
    MAX_STEAL="$MAX_STEAL" MAX_TRIES="$MAX_TRIES" CANDIDATE_MODES=tcp CANDIDATE_NAME=ballast \
    CANDIDATE_CMD="$cand" OUTDIR="$OUTDIR/lb-compare-iperf-lbcpu1" \
      timeout -s TERM -k 30 600 bash "$HARNESS" > "$OUTDIR/lb-compare-iperf-lbcpu1.out" 2>&1 &
    hp=$!; PIDS+=("$hp")
    wait "$hp"; rc=$?; forget "$hp"
    (( rc == 0 )) || log "lb-compare (iperf, LB on cpu 1) exited $rc"
    tail -n 12 "$OUTDIR/lb-compare-iperf-lbcpu1.out" >&2
  fi
fi

# ------------------------------------------------------------------ part 2: strace + callgrind
O1=$((DET_BASE_PORT + 1)); O2=$((DET_BASE_PORT + 2))
DET="$OUTDIR/det"; DET_TSV="$DET/det.tsv"

start_origins() {  # two nginx HTTP origins like the harness's: /small = 100 B, /64k = 65536 B
  local small name port
  for port in "$O1" "$O2"; do
    port_busy "$port" && { log "!! port $port is already in use (set DET_BASE_PORT)"; return 1; }
  done
  mkdir -p "$RUN/www" "$RUN/tmp"
  head -c 65536 /dev/zero | tr '\0' 'b' > "$RUN/www/64k"
  small=$(printf 'a%.0s' $(seq 1 100))
  for spec in "A $O1" "B $O2"; do
    set -- $spec; name=$1; port=$2
    cat > "$RUN/origin$name.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $RUN/origin$name.pid;
error_log $RUN/origin$name.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $RUN/tmp/cb$name; proxy_temp_path $RUN/tmp/px$name;
  fastcgi_temp_path $RUN/tmp/fc$name; uwsgi_temp_path $RUN/tmp/uw$name; scgi_temp_path $RUN/tmp/sc$name;
  keepalive_timeout 300s;
  keepalive_requests 100000000;
  sendfile on;
  server {
    listen 127.0.0.1:$port backlog=4096;
    root $RUN/www;
    add_header X-Backend $name;
    location = /small { default_type text/plain; return 200 "$small"; }
    location / { default_type application/octet-stream; }
  }
}
EOF
    nginx -c "$RUN/origin$name.conf" -p "$RUN" >"$RUN/origin$name.out" 2>&1 &
    PIDS+=($!)
  done
  wait_port "$O1" && wait_port "$O2"
}

lb_conf() {  # system port -> writes the config, prints the command line (BENCH_MODE: tcp or http)
  local sys=$1 port=$2 d="$RUN/$1"
  mkdir -p "$d"
  case $sys in
    haproxy)  # as lb-compare's haproxy-tcp / haproxy-http (nbthread 1), without ulimit-n
              # (valgrind keeps a few fds)
      cat > "$d/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 9000
defaults
    mode $BENCH_MODE
    maxconn 9000
    timeout connect 5s
    timeout client 300s
    timeout server 300s
$( [[ $BENCH_MODE == http ]] && echo "    timeout http-keep-alive 300s" )
frontend fe
    bind 127.0.0.1:$port
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:$O1
    server s2 127.0.0.1:$O2
EOF
      echo "haproxy -db -f $d/haproxy.cfg";;
    ballast)  # through the same wrapper the harness uses; the JSON lands in $d/cand.ballast.json
      echo "$BENCH/candidate-ballast.sh $BENCH_MODE 127.0.0.1:$port 127.0.0.1:$O1,127.0.0.1:$O2 roundrobin 1 $d/cand";;
    nginx)    # as lb-compare's nginx-stream / nginx-http (one process, no master)
      { cat <<EOF
load_module $NGX_STREAM_MOD;
worker_processes 1;
master_process off;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 9000; }
EOF
        if [[ $BENCH_MODE == http ]]; then
          cat <<EOF
http {
  access_log off;
  client_body_temp_path $d/cb; proxy_temp_path $d/px;
  fastcgi_temp_path $d/fc; uwsgi_temp_path $d/uw; scgi_temp_path $d/sc;
  keepalive_timeout 300s;
  keepalive_requests 100000000;
  upstream be {
    server 127.0.0.1:$O1; server 127.0.0.1:$O2;
    keepalive 128; keepalive_requests 100000000; keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:$port backlog=4096;
    location / {
      proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffer_size 16k; proxy_buffers 4 16k; proxy_busy_buffers_size 32k;
      proxy_max_temp_file_size 0;
    }
  }
}
EOF
        else
          cat <<EOF
stream {
  upstream be { server 127.0.0.1:$O1; server 127.0.0.1:$O2; }
  server { listen 127.0.0.1:$port backlog=4096; proxy_pass be; proxy_timeout 300s; }
}
EOF
        fi; } > "$d/nginx.conf"
      echo "nginx -c $d/nginx.conf -p $d";;
  esac
}

# name mode N conc path unit: the fixed workloads (unit: req, or MiB for bulk)
det_workloads() {  # tool (strace|cg)
  if [[ $1 == strace ]]; then
    echo "ka_c1 ka $STRACE_N_KA 1 /small req"
    echo "ka_c32 ka $STRACE_N_KA32 32 /small req"
    echo "close_c1 close $STRACE_N_CLOSE 1 /small req"
    echo "close_c16 close $STRACE_N_CLOSE16 16 /small req"
    echo "bulk_64k ka $STRACE_N_BULK 1 /64k MiB"
  else
    echo "ka_c1 ka $CG_N_KA 1 /small req"
    echo "ka_c32 ka $CG_N_KA32 32 /small req"
    echo "close_c1 close $CG_N_CLOSE 1 /small req"
    echo "close_c16 close $CG_N_CLOSE16 16 /small req"
    echo "bulk_64k ka $CG_N_BULK 1 /64k MiB"
  fi
}

rtload() {  # port mode N conc path -> prints rtload's line; fails if not all requests succeeded
  timeout -k 5 "$((DET_TIMEOUT + 10))" "$RTLOAD" 127.0.0.1 "$1" "$2" "$3" "$4" "$5" "$DET_TIMEOUT"
}
warm_up() { rtload "$1" ka 200 1 /small >/dev/null && rtload "$1" close 100 4 /small >/dev/null \
            && rtload "$1" ka 20 1 /64k >/dev/null; }
units_of() {  # unit N -> units (MiB: N x 64 KiB bodies)
  if [[ $1 == MiB ]]; then echo "$2" | awk '{printf "%.4f", $1 * 65536 / 1048576}'; else echo "$2"; fi
}

traced() {  # pid: true once strace is attached to every thread
  local t
  for t in /proc/"$1"/task/*; do
    [[ $(awk '/^TracerPid:/{print $2}' "$t/status" 2>/dev/null) != 0 ]] || return 1
  done
  return 0
}

det_strace() {  # system port
  local sys=$1 port=$2 cmd pid sp name mode n conc path unit out r
  cmd=$(lb_conf "$sys" "$port")
  port_busy "$port" && { log "!! port $port is already in use: skipping $sys (set DET_BASE_PORT)"; return 1; }
  bash -c "exec $cmd" >"$DET/$sys.strace.lb.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  if ! wait_port "$port" || ! kill -0 "$pid" 2>/dev/null; then
    log "!! $sys did not listen on $port: $(tail -n 3 "$DET/$sys.strace.lb.log")"; stop_pid "$pid"; forget "$pid"; return 1
  fi
  warm_up "$port" || log "!! $sys: warm-up failed"
  while read -r name mode n conc path unit; do
    out="$DET/strace.$sys.$name.txt"
    strace -c -f -p "$pid" -o "$out" 2>"$DET/strace.$sys.$name.err" &
    sp=$!; PIDS+=("$sp")
    for _ in $(seq 1 50); do traced "$pid" && break; sleep 0.1; done
    sleep 0.3
    r=$(rtload "$port" "$mode" "$n" "$conc" "$path") || log "!! $sys $name: $r"
    sleep 0.5   # let the LB finish the last closes
    kill -INT "$sp" 2>/dev/null; wait "$sp" 2>/dev/null; forget "$sp"
    printf '%s\t%s\tstrace\t%s\t%s\t%s\t%s\n' "$sys" "$name" "$n" "$(units_of "$unit" "$n")" "$unit" "$out" >> "$DET_TSV"
    log "strace   $sys $name: $r"
  done < <(det_workloads strace)
  stop_pid "$pid"; forget "$pid"
}

det_callgrind() {  # system port
  local sys=$1 port=$2 cmd pid name mode n conc path unit base k=1 r
  cmd=$(lb_conf "$sys" "$port")
  port_busy "$port" && { log "!! port $port is already in use: skipping $sys (set DET_BASE_PORT)"; return 1; }
  base="$DET/callgrind.$sys.out"
  rm -f "$base" "$base".*
  # ballast's wrapper puts BALLAST_PREFIX before ballastd, so valgrind runs ballastd, not bash
  if [[ $sys == ballast ]]; then
    BALLAST_PREFIX="valgrind --tool=callgrind --compress-strings=no --callgrind-out-file=$base" \
      bash -c "exec $cmd" >"$DET/$sys.callgrind.lb.log" 2>&1 &
  else
    bash -c "exec valgrind --tool=callgrind --compress-strings=no --callgrind-out-file=$base $cmd" >"$DET/$sys.callgrind.lb.log" 2>&1 &
  fi
  pid=$!; PIDS+=("$pid")
  if ! wait_port "$port" 300 || ! kill -0 "$pid" 2>/dev/null; then
    log "!! $sys under callgrind did not listen on $port"; stop_pid "$pid"; forget "$pid"; return 1
  fi
  warm_up "$port" || log "!! $sys: warm-up failed"
  sleep 1
  cg_dump() {  # -> waits for dump file number k
    callgrind_control -d "$pid" >/dev/null 2>&1
    for _ in $(seq 1 150); do [[ -s $base.$k ]] && grep -q '^totals:' "$base.$k" && return 0; sleep 0.2; done
    return 1
  }
  cg_dump || log "!! $sys: callgrind_control dump $k failed"   # dump 1: start-up + warm-up
  while read -r name mode n conc path unit; do
    k=$((k + 1))
    r=$(rtload "$port" "$mode" "$n" "$conc" "$path") || log "!! $sys $name: $r"
    sleep 1
    cg_dump || log "!! $sys: callgrind_control dump $k failed"
    printf '%s\t%s\tcallgrind\t%s\t%s\t%s\t%s\n' "$sys" "$name" "$n" "$(units_of "$unit" "$n")" "$unit" "$base.$k" >> "$DET_TSV"
    log "callgrind $sys $name: $r"
  done < <(det_workloads cg)
  stop_pid "$pid"; forget "$pid"
}

if has det; then
  mkdir -p "$DET"
  printf 'system\tworkload\ttool\tn\tunits\tunit\tfile\n' > "$DET_TSV"
  log "part 2: deterministic costs (strace -c, callgrind) for: $DET_SYSTEMS"
  start_origins || die "origins did not come up on $O1/$O2"
  j=0
  for sys in $DET_SYSTEMS; do
    det_strace "$sys" $((DET_BASE_PORT + 100 + j))
    j=$((j + 1))
  done
  for sys in $DET_SYSTEMS; do
    det_callgrind "$sys" $((DET_BASE_PORT + 100 + j))
    j=$((j + 1))
  done
fi

# ------------------------------------------------------------------ part 3: the table
"$PY" "$BENCH/summarize.py" "$OUTDIR" | tee "$OUTDIR/summary.md"
log "results: $OUTDIR"
