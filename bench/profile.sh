#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/profile.sh: where does each LB's CPU go? ballast and HAProxy (one thread each) under the
# same load as lb-compare (wrk -t1 -c64 through the LB to two nginx origins; one iperf3 stream;
# connrate: 64 concurrent connect/read "ok\n"/close against two nginx stream servers that speak
# first, with the harness's tool ../shared/bench/tools/connrate.c), on 127.0.0.1 only.
# For each system and workload it prints:
#   - user and system CPU µs per request (per MiB for iperf), from /proc/PID/stat;
#   - TCP segments sent per request, host-wide (Tcp OutSegs of /proc/net/snmp: the client's, the
#     LB's and the servers' together; loopback traffic of other processes on the host counts too);
#   - system calls per request under that concurrency (strace -c -f, 2 s);
#   - the share of the LB's CPU spent under each system call (perf record -g, callers' view,
#     kernel included) and the top symbols (self).
#
#   bench/profile.sh                     # ka_small close_small ka_64k iperf connrate, 5 s each
#   WORKLOADS=ka_small DURATION=10 bench/profile.sh
#   BENCH_MODE=http bench/profile.sh     # HTTP listeners: ballast HTTP, HAProxy mode http, nginx
#                                        # proxy_pass (upstream keep-alive); ka_small close_small ka_64k
#
# Environment: BENCH_MODE [tcp] (tcp or http)
#   WORKLOADS [ka_small close_small ka_64k iperf connrate] http: [ka_small close_small ka_64k]
#   DURATION [5]  CONNS [64]  SYSTEMS [ballast haproxy] http: [ballast haproxy nginx]
#   PROF_BASE_PORT [19700] http: [19750]  LB_CPU [1]  CLIENT_CPU [0]
#   OUTDIR [bench/results/profile-<timestamp>]  BALLASTD [build/ballastd]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
BENCH_MODE=${BENCH_MODE:-tcp}
case $BENCH_MODE in
  tcp)  WORKLOADS=${WORKLOADS:-"ka_small close_small ka_64k iperf connrate"}
        SYSTEMS=${SYSTEMS:-"ballast haproxy"}; BASE=${PROF_BASE_PORT:-19700};;
  http) WORKLOADS=${WORKLOADS:-"ka_small close_small ka_64k"}
        SYSTEMS=${SYSTEMS:-"ballast haproxy nginx"}; BASE=${PROF_BASE_PORT:-19750};;
  *) echo "BENCH_MODE must be tcp or http" >&2; exit 2;;
esac
DURATION=${DURATION:-5}
CONNS=${CONNS:-64}
LB_CPU=${LB_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
OUTDIR=${OUTDIR:-$BENCH/results/profile-$([[ $BENCH_MODE == http ]] && echo http-)$(date +%Y%m%d-%H%M%S)}
BALLASTD=${BALLASTD:-$ROOT/build/ballastd}
export BALLASTD
mkdir -p "$OUTDIR"; OUTDIR="$(cd "$OUTDIR" && pwd)"
for b in perf wrk nginx haproxy strace taskset iperf3; do
  command -v "$b" >/dev/null || { echo "missing $b" >&2; exit 1; }
done
[[ -x $BALLASTD ]] || { echo "$BALLASTD not built (make -j2 all)" >&2; exit 1; }
PY=/usr/bin/python3; [[ -x $PY ]] || PY=$(command -v python3)
CLK_TCK=$(getconf CLK_TCK)
O1=$((BASE + 1)); O2=$((BASE + 2)); I1=$((BASE + 11)); R1=$((BASE + 21)); R2=$((BASE + 22))
NGX_STREAM_MOD=/usr/lib/nginx/modules/ngx_stream_module.so
CONNRATE=""
if [[ " $WORKLOADS " == *" connrate "* ]]; then
  # the shared harness's connrate tool, built from its source (never copied) into results/bin
  src="$ROOT/../shared/bench/tools/connrate.c"; [[ -f $src ]] || src=/work/shared/bench/tools/connrate.c
  [[ -f $src && -f $NGX_STREAM_MOD ]] || { echo "connrate needs $src and $NGX_STREAM_MOD" >&2; exit 1; }
  CONNRATE="$BENCH/results/bin/connrate"; mkdir -p "${CONNRATE%/*}"
  [[ -x $CONNRATE && $CONNRATE -nt $src ]] || gcc -O2 -o "$CONNRATE" "$src" || exit 1
fi

PIDS=()
RUN=$(mktemp -d /tmp/ballast-prof.XXXXXX)
stop_pid() {  # SIGTERM one pid, wait up to 10 s, then SIGKILL
  local p=$1 i
  [[ -z $p ]] && return 0
  kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
  kill -TERM "$p" 2>/dev/null
  for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null; return 0
}
cleanup() { local p; for p in "${PIDS[@]}"; do stop_pid "$p"; done; PIDS=(); rm -rf "$RUN"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_port() { local i; for i in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; return 1; }
out_segs() {  # Tcp OutSegs of this network namespace
  awk '$1 == "Tcp:" { if (!c) { for (i = 2; i <= NF; i++) if ($i == "OutSegs") c = i } else print $c }' /proc/net/snmp
}
tree_ticks() {  # utime stime of a process (its threads included)
  local s; s=$(cut -d')' -f2- "/proc/$1/stat" 2>/dev/null) || { echo "0 0"; return; }
  set -- $s; echo "${12} ${13}"
}

# ------------------------------------------------------------------ origins (as lb-compare's)
for p in "$O1" "$O2" "$I1" "$R1" "$R2"; do
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && { echo "port $p already in use (set PROF_BASE_PORT)" >&2; exit 1; }
done
mkdir -p "$RUN/www" "$RUN/tmp"
head -c 65536 /dev/zero | tr '\0' 'b' > "$RUN/www/64k"
small=$(printf 'a%.0s' $(seq 1 100))
for spec in "A $O1" "B $O2"; do
  set -- $spec
  cat > "$RUN/o$1.conf" <<EOF
worker_processes 1; master_process off; daemon off;
pid $RUN/o$1.pid; error_log $RUN/o$1.err warn;
events { worker_connections 4096; }
http {
  access_log off; keepalive_timeout 300s; keepalive_requests 100000000; sendfile on;
  client_body_temp_path $RUN/tmp/cb$1; proxy_temp_path $RUN/tmp/px$1;
  fastcgi_temp_path $RUN/tmp/fc$1; uwsgi_temp_path $RUN/tmp/uw$1; scgi_temp_path $RUN/tmp/sc$1;
  server { listen 127.0.0.1:$2 backlog=4096; root $RUN/www;
    location = /small { default_type text/plain; return 200 "$small"; }
    location / { default_type application/octet-stream; } }
}
EOF
  taskset -c "$CLIENT_CPU" nginx -c "$RUN/o$1.conf" -p "$RUN" >/dev/null 2>&1 &
  PIDS+=($!)
done
taskset -c "$CLIENT_CPU" iperf3 -s -B 127.0.0.1 -p "$I1" >"$RUN/iperf3.log" 2>&1 &
PIDS+=($!)
wait_port "$O1" && wait_port "$O2" && wait_port "$I1" || { echo "origins did not start" >&2; exit 1; }
if [[ -n $CONNRATE ]]; then  # "ok\n"-and-close servers, as lb-compare's connrate backends
  cat > "$RUN/ok.conf" <<EOF
load_module $NGX_STREAM_MOD;
worker_processes 1; master_process off; daemon off;
pid $RUN/ok.pid; error_log $RUN/ok.err warn;
events { worker_connections 8192; }
stream {
  server { listen 127.0.0.1:$R1 backlog=4096; return "ok\n"; }
  server { listen 127.0.0.1:$R2 backlog=4096; return "ok\n"; }
}
EOF
  taskset -c "$CLIENT_CPU" nginx -c "$RUN/ok.conf" -p "$RUN" >/dev/null 2>&1 &
  PIDS+=($!)
  wait_port "$R1" && wait_port "$R2" || { echo "connrate servers did not start" >&2; exit 1; }
fi

start_lb() {  # system port backends(host:port,...) [mode] -> LBP; pinned to LB_CPU
  local sys=$1 port=$2 backends=$3 mode=${4:-$BENCH_MODE} b k=0
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { echo "port $port already in use" >&2; return 1; }
  case $sys in
    ballast)
      taskset -c "$LB_CPU" "$BENCH/candidate-ballast.sh" "$mode" "127.0.0.1:$port" "$backends" \
        roundrobin 1 "$RUN/ballast-$port" >"$OUTDIR/$sys.$port.log" 2>&1 &;;
    haproxy)  # as lb-compare's haproxy-tcp / haproxy-http
      { printf '%s\n' global "    nbthread 1" "    maxconn 9000" defaults "    mode $mode" "    maxconn 9000" \
          "    timeout connect 5s" "    timeout client 300s" "    timeout server 300s" "frontend fe" \
          "    bind 127.0.0.1:$port" "    default_backend be" "backend be" "    balance roundrobin"
        [[ $mode == http ]] && echo "    timeout http-keep-alive 300s"
        for b in ${backends//,/ }; do k=$((k + 1)); echo "    server s$k $b"; done; } > "$RUN/haproxy-$port.cfg"
      taskset -c "$LB_CPU" haproxy -db -f "$RUN/haproxy-$port.cfg" >"$OUTDIR/$sys.$port.log" 2>&1 &;;
    nginx)  # as lb-compare's nginx-http (upstream keep-alive); http mode only
      [[ $mode == http ]] || { echo "nginx is profiled in http mode only" >&2; return 1; }
      mkdir -p "$RUN/ngx-$port"
      { echo "worker_processes 1; master_process off; daemon off;"
        echo "pid $RUN/ngx-$port/nginx.pid; error_log $RUN/ngx-$port/error.log warn;"
        echo "events { worker_connections 9000; }"
        echo "http { access_log off; keepalive_timeout 300s; keepalive_requests 100000000;"
        echo "  client_body_temp_path $RUN/ngx-$port/cb; proxy_temp_path $RUN/ngx-$port/px;"
        echo "  fastcgi_temp_path $RUN/ngx-$port/fc; uwsgi_temp_path $RUN/ngx-$port/uw; scgi_temp_path $RUN/ngx-$port/sc;"
        echo "  upstream be {"
        for b in ${backends//,/ }; do echo "    server $b;"; done
        echo "    keepalive 128; keepalive_requests 100000000; keepalive_timeout 300s; }"
        echo "  server { listen 127.0.0.1:$port backlog=4096; location / { proxy_pass http://be;"
        echo "    proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_buffer_size 16k;"
        echo "    proxy_buffers 4 16k; proxy_busy_buffers_size 32k; proxy_max_temp_file_size 0; } } }"
      } > "$RUN/ngx-$port/nginx.conf"
      taskset -c "$LB_CPU" nginx -c "$RUN/ngx-$port/nginx.conf" -p "$RUN/ngx-$port" >"$OUTDIR/$sys.$port.log" 2>&1 &;;
    *) echo "unknown system $sys" >&2; return 1;;
  esac
  LBP=$!; PIDS+=("$LBP")
  wait_port "$port" && kill -0 "$LBP" 2>/dev/null
}

run_load() {  # workload port seconds out: wrk -t1 -cCONNS, or one iperf3 stream
  local wl=$1 port=$2 d=$3 out=$4
  case $wl in
    ka_small)    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${d}s" --latency "http://127.0.0.1:$port/small";;
    close_small) taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${d}s" --latency -H 'Connection: close' "http://127.0.0.1:$port/small";;
    ka_64k)      taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${d}s" --latency "http://127.0.0.1:$port/64k";;
    iperf)       taskset -c "$CLIENT_CPU" iperf3 -c 127.0.0.1 -p "$port" -t "$d" -J;;
    connrate)    taskset -c "$CLIENT_CPU" "$CONNRATE" 127.0.0.1 "$port" "$CONNS" "$d";;
  esac > "$out" 2>&1
}
units() {  # load output -> requests (wrk), connections (connrate) or MiB received (iperf3)
  "$PY" - "$1" <<'PYEOF'
import json, re, sys
t = open(sys.argv[1], errors="replace").read()
m = re.search(r"(\d+) requests in", t) or re.search(r"\bok=(\d+)", t)
if m:
    print(m.group(1))
else:
    try:
        print("%.1f" % (json.loads(t)["end"]["sum_received"]["bytes"] / 2**20))
    except Exception:
        print(0)
PYEOF
}

# ------------------------------------------------------------------ measure
printf '%-8s %-12s %10s %5s %8s %8s %8s %5s %9s\n' system workload units/s unit user_us sys_us lb_us sys% segs/unit | tee "$OUTDIR/cpu.txt"
i=0
for sys in $SYSTEMS; do
  port=$((BASE + 100 + i)); iport=$((BASE + 150 + i)); i=$((i + 1))
  start_lb "$sys" "$port" "127.0.0.1:$O1,127.0.0.1:$O2" || { echo "$sys did not start" >&2; continue; }
  http_lb=$LBP
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:$port/small" >/dev/null 2>&1
  iperf_lb=""; cr_lb=""; cport=$((BASE + 180 + i))
  if [[ " $WORKLOADS " == *" iperf "* ]]; then
    start_lb "$sys" "$iport" "127.0.0.1:$I1" tcp && iperf_lb=$LBP
  fi
  if [[ -n $CONNRATE ]]; then
    start_lb "$sys" "$cport" "127.0.0.1:$R1,127.0.0.1:$R2" tcp && cr_lb=$LBP
    [[ -n $cr_lb ]] && taskset -c "$CLIENT_CPU" "$CONNRATE" 127.0.0.1 "$cport" "$CONNS" 1 >/dev/null 2>&1
  fi
  for wl in $WORKLOADS; do
    case $wl in
      iperf)    LBP=$iperf_lb; p=$iport; unit=MiB;;
      connrate) LBP=$cr_lb; p=$cport; unit=conn;;
      *)        LBP=$http_lb; p=$port; unit=req;;
    esac
    [[ -n $LBP ]] || continue
    # 1. CPU split, no tracer attached
    read -r u0 s0 < <(tree_ticks "$LBP"); g0=$(out_segs)
    run_load "$wl" "$p" "$DURATION" "$OUTDIR/load.$sys.$wl.txt"
    read -r u1 s1 < <(tree_ticks "$LBP"); g1=$(out_segs)
    n=$(units "$OUTDIR/load.$sys.$wl.txt")
    awk -v n="${n:-0}" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v t="$CLK_TCK" -v d="$DURATION" -v sy="$sys" -v w="$wl" -v un="$unit" \
      -v g=$((g1 - g0)) \
      'BEGIN { if (n > 0) printf "%-8s %-12s %10.0f %5s %8.2f %8.2f %8.2f %4.0f%% %9.2f\n", sy, w, n / d, un, 1e6 * u / t / n, 1e6 * s / t / n, 1e6 * (u + s) / t / n, 100 * s / (u + s + 1e-9), g / n }' \
      | tee -a "$OUTDIR/cpu.txt"
    # 2. perf record of the LB under the same load
    perf record -q -F 1999 -g -p "$LBP" -o "$OUTDIR/perf.$sys.$wl.data" -- sleep "$DURATION" >/dev/null 2>&1 &
    pp=$!; PIDS+=("$pp")
    run_load "$wl" "$p" "$DURATION" /dev/null
    wait "$pp" 2>/dev/null
    perf report -q -i "$OUTDIR/perf.$sys.$wl.data" --stdio --no-children --sort sym --percent-limit 0.7 -g none \
      > "$OUTDIR/perf.$sys.$wl.txt" 2>/dev/null
    perf report -q -i "$OUTDIR/perf.$sys.$wl.data" --stdio --children --sort sym -g none 2>/dev/null \
      | grep -E '\] (__x64_sys_[a-z0-9_]+|handle_softirqs)$' > "$OUTDIR/perf-syscalls.$sys.$wl.txt"
    perf report -q -i "$OUTDIR/perf.$sys.$wl.data" --stdio --no-children --sort dso -g none 2>/dev/null \
      | grep -v '^$' | head -8 > "$OUTDIR/perf-dso.$sys.$wl.txt"
    # 3. system calls per unit under the same load (strace slows the LB: counts only)
    strace -c -f -p "$LBP" -o "$OUTDIR/strace.$sys.$wl.txt" 2>/dev/null &
    sp=$!; PIDS+=("$sp"); sleep 0.5
    run_load "$wl" "$p" 2 "$OUTDIR/load-strace.$sys.$wl.txt"
    sleep 0.3; kill -INT "$sp" 2>/dev/null; wait "$sp" 2>/dev/null
  done
  stop_pid "$http_lb"; [[ -n $iperf_lb ]] && stop_pid "$iperf_lb"; [[ -n $cr_lb ]] && stop_pid "$cr_lb"
done

# ------------------------------------------------------------------ report
echo
echo "system calls per request (per MiB for iperf, per connection for connrate), strace -c -f over 2 s of the same load:" | tee -a "$OUTDIR/cpu.txt"
for f in "$OUTDIR"/strace.*.txt; do
  b=${f##*/strace.}; b=${b%.txt}
  n=$(units "$OUTDIR/load-strace.$b.txt")
  awk -v n="${n:-0}" -v b="$b" '$NF == "total" { if (n > 0) printf "  %-22s %8.2f  (%s calls / %s units)\n", b, $4 / n, $4, n }' "$f"
done | tee -a "$OUTDIR/cpu.txt"
echo
echo "share of the LB's CPU samples under each system call (perf, inclusive; handle_softirqs = loopback" \
     "delivery to the peer, run inside the sender's system calls):" | tee -a "$OUTDIR/cpu.txt"
for f in "$OUTDIR"/perf-syscalls.*.txt; do
  b=${f##*/perf-syscalls.}; b=${b%.txt}
  printf '  %-22s' "$b"; awk '{ sub(/^__x64_sys_/, "", $4); printf " %s %s", $4, $1 }' "$f" | cut -c1-400
done | tee -a "$OUTDIR/cpu.txt"
echo
echo "share of the LB's CPU samples by object (kernel, the LB's binary, libc):" | tee -a "$OUTDIR/cpu.txt"
for f in "$OUTDIR"/perf-dso.*.txt; do
  b=${f##*/perf-dso.}; b=${b%.txt}
  printf '  %-22s' "$b"; awk '{ printf " %s %s", $2, $1 }' "$f" | cut -c1-300; echo
done | tee -a "$OUTDIR/cpu.txt"
echo
for f in "$OUTDIR"/perf.*.txt; do
  echo "== ${f##*/} (top symbols by own samples; [k] kernel, [.] user)"
  grep -v '^$' "$f" | head -20
done
echo "results: $OUTDIR"
