#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The walkthrough of docs/tutorial.md, unattended: two member hosts in network
# namespaces (veth pairs, 10.77.1.0/30 and 10.77.2.0/30, each with its own host
# name) running sshd (or, without sshd, a tiny server printing its host name),
# then, with build/ballast: a load balancer, a TCP listener (port 22 by default),
# a ROUND_ROBIN pool, the two members, and two ssh logins through the VIP that
# must land on different members. Prints every command and its output.
#
#   scripts/tutorial.sh            # starts its own ballastd on a temporary db
#   BALLAST_URL=http://127.0.0.1:9876 scripts/tutorial.sh   # uses a running one (make run)
#
# Needs root (ip netns). LISTENER_PORT (default 22), TUT_NET (default 10.77),
# BALLAST_API_PORT (default 9876) for its own ballastd, BALLAST_BUILD (default build/).
# Everything it creates (namespaces, daemons, the load balancer) is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LISTENER_PORT:-22}
NET=${TUT_NET:-10.77}
TMP=$(mktemp -d /tmp/ballast-tutorial.XXXXXX)
NS=(bltut-web1 bltut-web2)
pids=()
BUILD_DIR=${BALLAST_BUILD:-$PWD/build}  # where ballast and ballastd are
export PATH="$BUILD_DIR:$PATH"

say() { printf '\n$ %s\n' "$*"; "$@"; }

cleanup() {
  set +e
  [ -n "${LB_CREATED:-}" ] && ballast loadbalancer delete --cascade --wait lb >/dev/null 2>&1
  for ns in "${NS[@]}"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  ip link del blt1-h 2>/dev/null; ip link del blt2-h 2>/dev/null  # at once, not when the kernel gets to it
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if [ -z "${BALLAST_URL:-}" ]; then
  api_port=${BALLAST_API_PORT:-9876}
  "$BUILD_DIR/ballastd" --api "127.0.0.1:$api_port" --db "$TMP/ballast.db" >"$TMP/ballastd.log" 2>&1 &
  pids+=($!)
  export BALLAST_URL="http://127.0.0.1:$api_port"
  for _ in $(seq 100); do ballast loadbalancer list >/dev/null 2>&1 && break; sleep 0.05; done
fi

# ---- two member hosts ---------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$TMP/id" >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$TMP/hostkey" >/dev/null
mkdir -p /run/sshd
for i in 1 2; do
  ns=${NS[$((i - 1))]} host="$NET.$i.1" addr="$NET.$i.2"
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip link add "blt$i-h" type veth peer name "blt$i-n"
  ip link set "blt$i-n" netns "$ns"
  ip addr add "$host/30" dev "blt$i-h" && ip link set "blt$i-h" up
  ip -n "$ns" addr add "$addr/30" dev "blt$i-n" && ip -n "$ns" link set "blt$i-n" up
  ip -n "$ns" link set lo up
  if [ -x /usr/sbin/sshd ]; then
    cat >"$TMP/sshd$i.conf" <<CONF
ListenAddress $addr:22
HostKey $TMP/hostkey
AuthorizedKeysFile $TMP/id.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $TMP/sshd$i.pid
CONF
    ip netns exec "$ns" unshare --uts sh -c "hostname web$i; exec /usr/sbin/sshd -D -f $TMP/sshd$i.conf" &
  else
    ip netns exec "$ns" unshare --uts sh -c "hostname web$i; exec /usr/bin/python3 -c '
import socket, socketserver
class H(socketserver.BaseRequestHandler):
    def handle(self): self.request.sendall(socket.gethostname().encode() + b\"\\n\")
socketserver.TCPServer.allow_reuse_address = True
socketserver.TCPServer((\"$addr\", 22), H).serve_forever()'" &
  fi
  pids+=($!)
done
for i in 1 2; do  # the members answer before the load balancer is built
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$NET.$i.2/22") 2>/dev/null && break
    sleep 0.05
  done
done

# ---- the walkthrough ----------------------------------------------------------------------
say ballast loadbalancer create --name lb --vip-subnet-id loopback --wait
LB_CREATED=1
say ballast loadbalancer show lb -c vip_port_id -f value
VIP=$(ballast loadbalancer show lb -c vip_address -f value)
say ballast loadbalancer show lb -c vip_address -f value
say ballast loadbalancer listener create --name lb-ssh --protocol TCP --protocol-port "$PORT" --wait lb
say ballast loadbalancer pool create --name lb-ssh-pool --lb-algorithm ROUND_ROBIN \
    --listener lb-ssh --protocol TCP --wait
say ballast loadbalancer member create --name web1 --address "$NET.1.2" --protocol-port 22 \
    --wait lb-ssh-pool
say ballast loadbalancer member create --name web2 --address "$NET.2.2" --protocol-port 22 \
    --wait lb-ssh-pool
say ballast loadbalancer member list lb-ssh-pool
say ballast loadbalancer list

login() {
  if [ -x /usr/sbin/sshd ]; then
    ssh -i "$TMP/id" -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5 "root@$VIP" hostname
  else
    exec 3<>"/dev/tcp/$VIP/$PORT"; head -1 <&3; exec 3<&-
  fi
}
if [ -x /usr/sbin/sshd ]; then
  printf '\n$ ssh -p %s root@%s hostname\n' "$PORT" "$VIP"
else
  printf '\n$ exec 3<>/dev/tcp/%s/%s; head -1 <&3\n' "$VIP" "$PORT"
fi
first=$(login); echo "$first"
if [ -x /usr/sbin/sshd ]; then
  printf '\n$ ssh -p %s root@%s hostname\n' "$PORT" "$VIP"
else
  printf '\n$ exec 3<>/dev/tcp/%s/%s; head -1 <&3\n' "$VIP" "$PORT"
fi
second=$(login); echo "$second"
say ballast loadbalancer stats show lb -c total_connections -c active_connections
say ballast loadbalancer delete --cascade --wait lb
LB_CREATED=
if [ "$first" != "$second" ] && [[ $first == web[12] && $second == web[12] ]]; then
  printf '\nThe two logins landed on %s and %s: round robin through the VIP.\n' "$first" "$second"
else
  printf '\nFAIL: the logins landed on "%s" and "%s"\n' "$first" "$second" >&2
  exit 1
fi
