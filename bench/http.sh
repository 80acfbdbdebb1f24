#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/http.sh: ballast's HTTP listener beside HAProxy `mode http` and nginx `proxy_pass` (upstream
# keep-alive), same origins, same CPU pinning, one run: bench/run.sh with BENCH_MODE=http.
# Every knob of run.sh applies (REPEAT, DURATION, WORKLOADS, PARTS, BALLASTD, BALLAST_REV, ...).
#
#   bench/http.sh                        # make bench runs it after bench/run.sh
#   BALLAST_REV=HEAD REPEAT=3 bench/http.sh
exec env BENCH_MODE=http "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
