#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make tempest`: Octavia's own API test suite (Debian's octavia-tempest-plugin)
# against ballastd alone: its Keystone subset (--users tests/tempest/users.json),
# the no-op provider and network (--default-provider noop_driver), a fresh store.
#   TEMPEST_REGEX  which tests (default: every API test, about 12 minutes serial)
# Prints tempest's summary; the log is build/tempest/logs/tempest.log.
set -euo pipefail
cd "$(dirname "$0")/.."
REGEX=${TEMPEST_REGEX:-'^octavia_tempest_plugin\.tests\.api\.v2\.'}
PORT=${TEMPEST_PORT:-9890}
TW=${TEMPEST_DIR:-$PWD/build/tempest}
if ! command -v tempest >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq octavia-tempest-plugin >&2
fi
rm -rf "$TW" "$TW.workspace.yaml"
mkdir -p "$(dirname "$TW")"
# tempest logs into the current directory: init from the parent, into a new one
(cd "$(dirname "$TW")" && tempest init --workspace-path "$TW.workspace.yaml" --name ballast \
   "$TW" >/dev/null)
sed -e "s|@PORT@|$PORT|g" -e "s|@TW@|$TW|g" tests/tempest/tempest.conf.in > "$TW/etc/tempest.conf"
cp tests/tempest/accounts.yaml "$TW/etc/accounts.yaml"
build/ballastd --api "127.0.0.1:$PORT" --db "$TW/ballast.db" --users tests/tempest/users.json \
  --default-provider noop_driver --workers 1 2> "$TW/ballastd.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.05
done
cd "$TW"
status=0
tempest run --serial --regex "$REGEX" || status=$?
exit "$status"
