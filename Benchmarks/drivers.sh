#!/usr/bin/env bash
# Driver benchmarks (docs/benchmarks.md): CPU time of the Modbus driver per 100 000 register
# values against `dcagent-sim serve-bench` (libmodbus server), and of the SNMP driver per
# 100 000 varbinds against Debian's snmpd. Loopback only; every server is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-release}"
bin="$(swift build -c "$config" --show-bin-path)"
[ -x "$bin/dcagent-sim" ] || swift build -c "$config" --product dcagent-sim
dir="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

mport=$(free_port)
"$bin/dcagent-sim" serve-bench --port "$mport" --units 4 --registers 500 >"$dir/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$mport) 2>/dev/null && break; sleep 0.1; done
"$bin/dcagent" bench modbus-read --endpoint "tcp://127.0.0.1:$mport" --units 4 --registers 500 --values 1000000

sport=$(free_port)
printf 'rocommunity public 127.0.0.1\n' >"$dir/agent.conf"
mkdir -p "$dir/persist"   # snmpd rewrites SNMP_PERSISTENT_DIR/snmpd.conf: keep it apart from the config
MIBS= SNMP_PERSISTENT_DIR="$dir/persist" /usr/sbin/snmpd -f -Lo -C -c "$dir/agent.conf" "udp:127.0.0.1:$sport" >"$dir/snmpd.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do snmpget -v2c -c public -t 0.2 -r 0 "127.0.0.1:$sport" 1.3.6.1.2.1.1.1.0 >/dev/null 2>&1 && break; sleep 0.1; done
"$bin/dcagent" bench snmp-walk --endpoint "udp://127.0.0.1:$sport" --varbinds 300000
