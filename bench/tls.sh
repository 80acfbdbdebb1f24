#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tls.sh: TERMINATED_HTTPS, ballast beside HAProxy and nginx, in one run (make bench-tls).
#
# Makes a CA and a server certificate per key type (RSA 2048, ECDSA P-256) with the openssl
# CLI in a temp dir, starts two nginx origins on 127.0.0.1 (plain HTTP, 100-byte and 64 KiB
# bodies), then per key type starts the three LBs (1 thread / 1 worker each, TLS to the
# client, plain HTTP with keep-alive to the origins) and measures them in turn, round after
# round (REPEAT), pinned with taskset as ../shared/bench/lb-compare.sh does, with the LB's
# CPU read from /proc/<pid>/stat and the benchmark CPUs' busy and steal time from /proc/stat.
#
# Workloads (each bounded by DURATION seconds, tlsload also by HS_MAX connections):
#   ka_small   wrk keep-alive over https, 100-byte body: a handshake per connection (CONNS
#              of them at the start), then only requests
#   ka_64k     the same with the 64 KiB body (cost counted per request and per MiB)
#   close_wrk  wrk -H 'Connection: close': a connection per request. wrk keeps its SSL
#              object and SSL_clear()s it, so it offers the previous session: these are
#              RESUMED handshakes (tlsload resume reports the reuse; see README.md)
#   full_hs    tools/tlsload full: a fresh SSL per connection, no session offered: one FULL
#              handshake (certificate signature + key exchange) + 1 request per connection
#   resume_hs  tools/tlsload resume: the same with each thread offering its last session
# Every process started here is stopped by its PID when the script ends.
#
# Environment (defaults in brackets):
#   REPEAT [3]  DURATION [4]  CONNS [64] (wrk -t1)  HS_CONC [8] (tlsload threads)
#   HS_MAX [200000] connections per tlsload run   KEYS ["rsa ecdsa"]
#   SYSTEMS ["ballast haproxy nginx"]   WORKLOADS ["ka_small close_wrk full_hs resume_hs ka_64k"]
#   LB_CPUS [0] CLIENT_CPUS [0] BACKEND_CPUS [0]   BASE_PORT [19400]
#   BALLASTD [<repo>/build/ballastd]   OUTDIR [bench/results/tls-<timestamp>]
#   PERF [1]: after the rounds, `perf record -g` on ballastd during full_hs and ka_small per key
#   PERF_SECS [6]   WAIT_PYTEST [600]: wait up to this many seconds for `pgrep -f pytest` to
#   be empty before measuring (other sessions' tests are noise); 0 = do not wait
set -u
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
REPEAT=${REPEAT:-3}
DURATION=${DURATION:-4}
CONNS=${CONNS:-64}
HS_CONC=${HS_CONC:-8}
HS_MAX=${HS_MAX:-200000}
KEYS=${KEYS:-"rsa ecdsa"}
SYSTEMS=${SYSTEMS:-"ballast haproxy nginx"}
WORKLOADS=${WORKLOADS:-"ka_small close_wrk full_hs resume_hs ka_64k"}
LB_CPUS=${LB_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-0}
BACKEND_CPUS=${BACKEND_CPUS:-0}
BASE_PORT=${BASE_PORT:-19400}
BALLASTD=${BALLASTD:-$ROOT/build/ballastd}
PERF=${PERF:-1}
PERF_SECS=${PERF_SECS:-6}
WAIT_PYTEST=${WAIT_PYTEST:-600}
STAMP=$(date +%Y%m%d-%H%M%S)
OUTDIR=${OUTDIR:-$BENCH/results/tls-$STAMP}
PY=/usr/bin/python3
CLK_TCK=$(getconf CLK_TCK)

mkdir -p "$OUTDIR"
RUN=$(mktemp -d /tmp/tlsbench.XXXXXX)
LOG="$OUTDIR/run.log"
RES="$OUTDIR/results.tsv"
: > "$OUTDIR/raw.log"
PIDS=()
O1=$((BASE_PORT + 1)) O2=$((BASE_PORT + 2))

log() { echo "$*" | tee -a "$LOG" >&2; }
die() { log "tls.sh: $*"; exit 1; }
for b in haproxy nginx wrk openssl taskset gcc; do command -v $b >/dev/null || die "missing: $b"; done
[[ -x $BALLASTD ]] || die "$BALLASTD not built (make -j2 all)"
gcc -O2 -o "$RUN/tlsload" "$BENCH/tools/tlsload.c" -lssl -lcrypto -lpthread || die "cannot build tlsload"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n); [[ $FD_LIMIT == unlimited || $FD_LIMIT -gt 65536 ]] && FD_LIMIT=65536
MAXCONN=$((FD_LIMIT / 2 - 100))   # haproxy: maxsock = 2 x maxconn + a few <= ulimit -n

# ------------------------------------------------------------------ processes (by PID only)
descendants() { local p=$1 c; echo "$p"; for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do descendants "$c"; done; }
stop_pid() {
  local p=$1 all i q
  [[ -z "$p" ]] && return
  kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return; }
  all=$(descendants "$p")
  kill -TERM $all 2>/dev/null
  for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  for q in $all; do kill -0 "$q" 2>/dev/null && kill -KILL "$q" 2>/dev/null; done
  wait "$p" 2>/dev/null
}
forget() { local p keep=(); for p in "${PIDS[@]}"; do [[ $p != "$1" ]] && keep+=("$p"); done; PIDS=("${keep[@]}"); }
cleanup() { local p; for p in "${PIDS[@]}"; do stop_pid "$p"; done; PIDS=(); rm -rf "$RUN"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_port() { local i; for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu_ticks() { local t=0 p s; for p in $(descendants "$1"); do s=$(cut -d')' -f2- /proc/"$p"/stat 2>/dev/null) || continue; set -- $s; t=$((t + ${12} + ${13})); done; echo $t; }
cpus_of() { $PY -c 'import sys; s=set()
for spec in sys.argv[1:]:
    for part in spec.split(","):
        a,_,b=part.partition("-"); s.update(range(int(a), int(b or a)+1))
print(" ".join(map(str, sorted(s))))' "$@"; }
BENCH_CPUS=$(cpus_of "$LB_CPUS" "$CLIENT_CPUS" "$BACKEND_CPUS")
cpu_lines() { local c; for c in $BENCH_CPUS; do grep "^cpu$c " /proc/stat; done | tr '\n' ' '; }

# ------------------------------------------------------------------ certificates
make_certs() {  # key type -> $RUN/certs/<key>.pem (leaf, CA, key) as tests/integration/tlsutil.py
  local k=$1 d=$RUN/certs alg
  mkdir -p "$d"
  if [[ ! -f $d/ca.key ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 30 \
      -subj "/O=ballast/CN=ballast bench CA" -addext basicConstraints=critical,CA:true 2>/dev/null || return 1
  fi
  case $k in
    rsa) alg=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048);;
    ecdsa) alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256);;
  esac
  openssl genpkey "${alg[@]}" -out "$d/$k.key" 2>/dev/null &&
  openssl req -new -key "$d/$k.key" -subj "/CN=www.example.com" -out "$d/$k.csr" &&
  printf 'basicConstraints=CA:false\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.example.com,IP:127.0.0.1\n' > "$d/$k.ext" &&
  openssl x509 -req -in "$d/$k.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 30 -sha256 -extfile "$d/$k.ext" -out "$d/$k.crt" 2>/dev/null &&
  cat "$d/$k.crt" "$d/ca.crt" "$d/$k.key" > "$d/$k.pem"
}

# ------------------------------------------------------------------ origins (as lb-compare.sh's)
start_origins() {
  local name port small
  mkdir -p "$RUN/www" "$RUN/tmp"
  head -c 65536 /dev/zero | tr '\0' 'b' > "$RUN/www/64k"
  small=$(printf 'a%.0s' $(seq 1 100))
  for spec in "A $O1" "B $O2"; do
    set -- $spec; name=$1; port=$2
    mkdir -p "$RUN/o$name"
    cat > "$RUN/o$name/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $RUN/o$name/nginx.pid;
error_log $RUN/o$name/error.log warn;
events { worker_connections 16384; }
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
    taskset -c "$BACKEND_CPUS" nginx -c "$RUN/o$name/nginx.conf" -p "$RUN/o$name" >"$RUN/o$name/stdout" 2>&1 &
    PIDS+=($!)
  done
  wait_port $O1 && wait_port $O2
}

# ------------------------------------------------------------------ the LBs
lb_port() { local i=0 x; for x in $SYSTEMS; do [[ $x == "$1" ]] && break; i=$((i + 1)); done; echo $((BASE_PORT + 100 + i)); }

start_lb() {  # system key -> echoes the pid; returns 1 when it does not listen
  local sys=$1 k=$2 port dir pem
  port=$(lb_port "$sys"); dir=$RUN/lb-$sys-$k; pem=$RUN/certs/$k.pem
  rm -rf "$dir"; mkdir -p "$dir"
  case $sys in
    ballast)
      cat > "$dir/lb.json" <<EOF
{"loadbalancer": {"name": "bench", "vip_address": "127.0.0.1",
  "listeners": [{"name": "l", "protocol": "TERMINATED_HTTPS", "protocol_port": $port,
    "default_tls_container_ref": "$pem",
    "timeout_client_data": 300000, "timeout_member_data": 300000, "timeout_member_connect": 5000,
    "default_pool": {"name": "p", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
      "members": [{"address": "127.0.0.1", "protocol_port": $O1},
                  {"address": "127.0.0.1", "protocol_port": $O2}]}}]}}
EOF
      taskset -c "$LB_CPUS" "$BALLASTD" --config "$dir/lb.json" --workers 1 --log-level warn >"$dir/stdout" 2>&1 &;;
    haproxy)
      cat > "$dir/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn $MAXCONN
    tune.ssl.default-dh-param 2048
defaults
    mode http
    maxconn $MAXCONN
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-keep-alive 300s
frontend fe
    bind 127.0.0.1:$port ssl crt $pem
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:$O1
    server s2 127.0.0.1:$O2
EOF
      taskset -c "$LB_CPUS" haproxy -db -f "$dir/haproxy.cfg" >"$dir/stdout" 2>&1 &;;
    nginx)
      cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $dir/cb; proxy_temp_path $dir/px;
  fastcgi_temp_path $dir/fc; uwsgi_temp_path $dir/uw; scgi_temp_path $dir/sc;
  keepalive_timeout 300s;
  keepalive_requests 100000000;
  upstream be {
    server 127.0.0.1:$O1;
    server 127.0.0.1:$O2;
    keepalive 128;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:$port ssl backlog=4096;
    ssl_certificate $pem;
    ssl_certificate_key $pem;
    ssl_protocols TLSv1.2 TLSv1.3;   # 1.22 defaults to TLSv1-1.2: same versions as the others
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffer_size 16k;
      proxy_buffers 4 16k;
      proxy_busy_buffers_size 32k;
      proxy_max_temp_file_size 0;
    }
  }
}
EOF
      taskset -c "$LB_CPUS" nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/stdout" 2>&1 &;;
    *) return 1;;
  esac
  local pid=$!
  PIDS+=($pid)
  if ! wait_port "$port"; then
    log "!! $sys ($k) did not listen on $port:"; tail -n 20 "$dir/stdout" "$dir/error.log" 2>/dev/null | tee -a "$LOG" >&2
    stop_pid "$pid"; forget "$pid"; return 1
  fi
  echo "$pid"
}

probe() {  # port -> "<protocol> <cipher> <group> | <status> ..." (logged, checks both origins answer)
  local port=$1 hs i codes=""
  hs=$(timeout 5 openssl s_client -connect 127.0.0.1:$port -servername www.example.com </dev/null 2>/dev/null |
       awk '/^New, /{p=$2" "$5} /Server Temp Key/{g=$4$5} END{print p, g}')
  for i in 1 2 3 4; do
    codes+=" $(printf 'GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
      timeout 5 openssl s_client -quiet -connect 127.0.0.1:$port 2>/dev/null | tr -d '\r' |
      awk 'NR==1{c=$2} tolower($1)=="x-backend:"{b=$2} END{print c b}')"
  done
  echo "$hs |$codes"
}

# ------------------------------------------------------------------ one measurement
# results.tsv: rep key system workload units rate p50ms p99ms lb_us lb_share_us steal% busy_s errors resumed
run_load() {  # workload port -> output of the client in $RUN/out
  local wl=$1 port=$2 url=https://127.0.0.1:$2
  case $wl in
    ka_small) taskset -c "$CLIENT_CPUS" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$url/small";;
    ka_64k) taskset -c "$CLIENT_CPUS" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$url/64k";;
    close_wrk) taskset -c "$CLIENT_CPUS" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -H 'Connection: close' "$url/small";;
    full_hs) taskset -c "$CLIENT_CPUS" "$RUN/tlsload" 127.0.0.1 "$port" "$HS_CONC" "$DURATION" "$HS_MAX" full /small;;
    resume_hs) taskset -c "$CLIENT_CPUS" "$RUN/tlsload" 127.0.0.1 "$port" "$HS_CONC" "$DURATION" "$HS_MAX" resume /small;;
  esac > "$RUN/out" 2>&1
}

measure() {  # rep key system workload pid port
  local rep=$1 k=$2 sys=$3 wl=$4 pid=$5 port=$6 s0 s1 l0 l1 t0 t1 tm0 tm1
  times > "$RUN/times0"
  s0=$(cpu_lines); l0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  run_load "$wl" "$port"
  t1=$(date +%s.%N); l1=$(cpu_ticks "$pid"); s1=$(cpu_lines)
  times > "$RUN/times1"
  { echo "### rep=$rep key=$k system=$sys workload=$wl"; cat "$RUN/out"; } >> "$OUTDIR/raw.log"
  $PY - "$RUN/out" "$wl" "$t0" "$t1" "$((l1 - l0))" "$CLK_TCK" "$s0" "$s1" "$RUN/times0" "$RUN/times1" <<'EOF' |
import re, sys
path, wl, t0, t1, dl, tck, s0, s1, tm0, tm1 = sys.argv[1:11]
txt = open(path, errors="replace").read(); tck = int(tck); wall = float(t1) - float(t0)
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    return float("nan") if not m else float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[m.group(2)]
units = errs = resumed = 0; p50 = p99 = float("nan")
try:
    if wl.endswith("_hs"):
        d = dict(kv.split("=") for kv in txt.split())
        units, errs, resumed = int(d["ok"]), int(d["errors"]), int(d["resumed"])
        p50, p99 = float(d["p50_ms"]), float(d["p99_ms"])
    else:
        g = lambda rx: re.search(rx, txt, re.M).group(1)
        units = int(g(r"(\d+) requests in"))
        p50, p99 = ms(g(r"^\s+50%\s+(\S+)")), ms(g(r"^\s+99%\s+(\S+)"))
        errs = sum(map(int, re.findall(r"(?:connect|read|write|timeout) (\d+)", txt)))
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", txt); errs += int(m.group(1)) if m else 0
        resumed = "-"
except Exception:
    units, errs = 0, 1
busy = steal = tot = 0
for a, b in zip(s0.split("cpu")[1:], s1.split("cpu")[1:]):
    x = list(map(int, a.split()[1:9])); y = list(map(int, b.split()[1:9]))
    d = [q - p for p, q in zip(x, y)]
    busy += d[0] + d[1] + d[2] + d[5] + d[6]; steal += d[7]; tot += sum(d)
def child(p):
    t = re.findall(r"(\d+)m([\d.]+)s", open(p).read()); return sum(int(a) * 60 + float(b) for a, b in t[2:4])
lb_s = int(dl) / tck; busy_s = busy / tck; cl_s = child(tm1) - child(tm0)
lb_us = 1e6 * lb_s / units if units else float("nan")
# the harness's lb_us: the LB's share of our processes' CPU x the CPUs' busy time (origins not counted here)
share_us = 1e6 * busy_s * lb_s / (lb_s + cl_s) / units if units and lb_s + cl_s > 0 else float("nan")
print("\t".join([str(units), "%.0f" % (units / wall), "%.3f" % p50, "%.3f" % p99, "%.1f" % lb_us,
                 "%.1f" % share_us, "%.0f" % (100 * steal / tot if tot else 0), "%.2f" % busy_s,
                 str(errs), str(resumed)]))
EOF
  { local IFS=$'\t'; read -r f; printf '%s\t%s\t%s\t%s\t%s\n' "$rep" "$k" "$sys" "$wl" "$f" >> "$RES"
    printf '%-3s %-6s %-8s %-10s %s\n' "$rep" "$k" "$sys" "$wl" "$f" | tee -a "$LOG" >&2; }
}

# ------------------------------------------------------------------ main
if (( WAIT_PYTEST > 0 )); then
  for i in $(seq 1 "$WAIT_PYTEST"); do pgrep -f pytest >/dev/null || break; sleep 1; done
fi
{
  echo "# tls.sh $STAMP host=$(hostname) cpus=$(nproc) kernel=$(uname -r) rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
  echo "# haproxy: $(haproxy -v 2>&1 | head -1)"
  echo "# nginx: $(nginx -v 2>&1)  wrk: $(wrk -v 2>&1 | head -1 | cut -c1-30)  $(openssl version)"
  echo "# REPEAT=$REPEAT DURATION=$DURATION CONNS=$CONNS HS_CONC=$HS_CONC HS_MAX=$HS_MAX KEYS=$KEYS"
  echo "# cpus: LB=$LB_CPUS client=$CLIENT_CPUS origins=$BACKEND_CPUS; busy time from cpus $BENCH_CPUS"
  echo "# pytest processes at start: $(pgrep -fc pytest)  loadavg: $(cat /proc/loadavg)"
} | tee "$LOG" >&2
printf 'rep\tkey\tsystem\tworkload\tunits\trate\tp50ms\tp99ms\tlb_us\tshare_us\tsteal\tbusy_s\terrors\tresumed\n' > "$RES"
start_origins || die "origins did not come up on $O1/$O2"

for k in $KEYS; do
  make_certs "$k" || die "cannot make the $k certificate"
  declare -A LB=()
  for sys in $SYSTEMS; do
    pid=$(start_lb "$sys" "$k") || continue
    LB[$sys]=$pid; PIDS+=($pid)
    log "# $k $sys pid $pid: $(probe "$(lb_port "$sys")")"
    taskset -c "$CLIENT_CPUS" wrk -t1 -c"$CONNS" -d1s "https://127.0.0.1:$(lb_port "$sys")/small" >/dev/null 2>&1
  done
  for wl in $WORKLOADS; do
    for rep in $(seq 1 "$REPEAT"); do
      log "# $(date +%T) $k $wl rep $rep loadavg $(cut -d' ' -f1-3 /proc/loadavg) pytest $(pgrep -fc pytest)"
      for sys in $SYSTEMS; do
        [[ -n ${LB[$sys]:-} ]] && measure "$rep" "$k" "$sys" "$wl" "${LB[$sys]}" "$(lb_port "$sys")"
      done
    done
  done
  if [[ $PERF == 1 && -n ${LB[ballast]:-} ]] && command -v perf >/dev/null; then
    for wl in full_hs ka_small; do
      perf record -g -o "$RUN/perf.data" -p "${LB[ballast]}" -- sleep "$PERF_SECS" >/dev/null 2>&1 &
      ppid=$!; PIDS+=($ppid)
      run_load "$wl" "$(lb_port ballast)"
      wait "$ppid"; forget "$ppid"
      perf report -i "$RUN/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -20 > "$OUTDIR/perf-$k-$wl-dso.txt"
      perf report -i "$RUN/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60 > "$OUTDIR/perf-$k-$wl-sym.txt"
      log "# perf $k $wl: $OUTDIR/perf-$k-$wl-*.txt"
    done
  fi
  for sys in "${!LB[@]}"; do stop_pid "${LB[$sys]}"; forget "${LB[$sys]}"; done
  unset LB
done
echo "# loadavg at end: $(cat /proc/loadavg)  pytest: $(pgrep -fc pytest)" | tee -a "$LOG" >&2
$PY "$BENCH/tls_summary.py" "$RES" | tee "$OUTDIR/summary.md"
log "results: $OUTDIR"
