#!/usr/bin/env bash
# Polling cost side by side with collectd (issue 13, item 1; docs/benchmarks.md).
#
# `dcagent run` (really polling, storing in its SQLite and evaluating config/rules/default.yaml)
# and collectd (modbus plugin, one Data block per register, csv writer) poll the same
# `dcagent-sim serve-bench` with the same units × registers and interval. Within each run the
# programs alternate, one window each: dcagent with request merging off (profile quirk
# one_per_point → one request per value, collectd's wire traffic), collectd, dcagent with
# merging on (the default). Each window is measured after a warm-up (two poll cycles
# stored, then the poller at rest between cycles): CPU seconds per 100 000 values, peak RSS
# (VmHWM), values collected (dcagent: rows stored; collectd: lines its csv writer wrote) and
# the requests the simulator counted per poll cycle.
#
#   Benchmarks/polling.sh [--points 1000,10000] [--interval 10] [--window 10] [--runs 3]
#                         [--units 10] [--build release|debug] [--bin DIR] [--out DIR]
#   FULL=1 Benchmarks/polling.sh      the long form: 1 000, 5 000, 10 000 points; 10 s and 1 s
#                                     intervals; 30 s windows; 5 runs
#   --snmp                            also SNMP: dcagent's SNMP driver (max_varbinds 1 = merging
#                                     off, 32 = on) and collectd's snmp plugin (one Data block per
#                                     OID) poll one Debian snmpd for the same 10 targets x 100
#                                     numeric OIDs (--snmp-oids); requests counted from snmpd's own
#                                     SNMPv2-MIB counters, less the harness's own queries
#
# Loopback only; every process started here is stopped by its PID (trap). Needs collectd
# (`scripts/bootstrap --bench`), python3 (standard library only) and a build of dcagent and
# dcagent-sim. Prints a table; writes DIR/polling.json (default .build/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"

if [ "${FULL:-0}" = 1 ]; then
  points="1000,5000,10000"; intervals="10,1"; window=30; runs=5
else
  points="1000,10000"; intervals="10"; window=10; runs=3
fi
units=10
snmp=0
snmp_oids=100
build=release
bin=""
out=.build/bench
while [ $# -gt 0 ]; do
  case "$1" in
    --points) points="$2"; shift 2 ;;
    --interval) intervals="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --units) units="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --snmp) snmp=1; shift ;;
    --snmp-oids) snmp_oids="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "polling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
points="${points//,/ }"; intervals="${intervals//,/ }"

command -v collectd >/dev/null || { echo "polling.sh: collectd is missing: scripts/bootstrap --bench" >&2; exit 2; }
py=(python3 "$here/Benchmarks/lib/pollbench.py")
rules="$here/config/rules/default.yaml"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

. "$here/Benchmarks/lib/common.sh"
require_bins polling.sh

start_sim_for "$bin" "$units" $points

rows="$out/polling-rows.jsonl"
: >"$rows"
echo "[polling] $build build; $units units; points: $points; interval(s): $intervals s; $window s windows; $runs runs"
echo "[polling] simulator pid $sim_pid on 127.0.0.1:$sport; collectd $(collectd -h 2>&1 | sed -n 's/^collectd \([^ ,]*\).*/\1/p')"

# window PROGRAM POINTS INTERVAL RUN: one measured window of one program, started fresh.
window() {
  local prog="$1" n="$2" iv="$3" run="$4" w="$dir/$1-$2-$3-$4" pid
  mkdir -p "$w"
  case "$prog" in
    dcagent-merge-off|dcagent-merge-on)
      "${py[@]}" gen-dcagent --dir "$w" --port "$sport" --points "$n" --units "$units" --interval "$iv" \
        --http-port "$(free_port)" --merge "${prog##*-}" --rules "$rules"
      "$bin/dcagent" run --config "$w/dcagent.yaml" >"$w/log" 2>&1 &
      pid=$!; pids+=($pid)
      "${py[@]}" measure --pid "$pid" --kind dcagent --label "$prog" --db "$w/dcagent.sqlite" --stats "$stats" \
        --points "$n" --interval "$iv" --window "$window" --run "$run" >>"$rows" \
        || { echo "[polling] $prog failed; its log:"; tail -20 "$w/log"; exit 1; }
      ;;
    collectd)
      "${py[@]}" gen-collectd --dir "$w" --port "$sport" --points "$n" --units "$units" --interval "$iv"
      collectd -t -C "$w/collectd.conf" >"$w/log" 2>&1 || { cat "$w/log"; exit 1; }
      collectd -f -C "$w/collectd.conf" >"$w/log" 2>&1 &
      pid=$!; pids+=($pid)
      "${py[@]}" measure --pid "$pid" --kind collectd --label collectd --csv "$w/csv" --stats "$stats" \
        --points "$n" --interval "$iv" --window "$window" --run "$run" >>"$rows" \
        || { echo "[polling] collectd failed; its log:"; tail -20 "$w/log"; exit 1; }
      ;;
  esac
  stop_pid "$pid"
  print_row "$rows"
  rm -rf "$w"
}

for iv in $intervals; do
  for n in $points; do
    for run in $(seq 1 "$runs"); do
      for prog in dcagent-merge-off collectd dcagent-merge-on; do
        window "$prog" "$n" "$iv" "$run"
      done
    done
  done
done

# snmp_window PROGRAM INTERVAL RUN: one window of the SNMP part.
snmp_window() {
  local prog="$1" iv="$2" run="$3" w="$dir/snmp-$1-$2-$3" pid n=$(( snmp_oids * 10 ))
  local merge=on; [ "$prog" = snmp-dcagent-merge-off ] && merge=off
  mkdir -p "$w"
  "${py[@]}" gen-snmp --dir "$w" --agent "127.0.0.1:$snmp_port" --oids "$snmp_oids" --sensors 10 --interval "$iv" \
    --http-port "$(free_port)" --merge "$merge" --rules "$rules"
  if [ "$prog" = snmp-collectd ]; then
    collectd -t -C "$w/collectd.conf" >"$w/log" 2>&1 || { cat "$w/log"; exit 1; }
    collectd -f -C "$w/collectd.conf" >"$w/log" 2>&1 &
    pid=$!; pids+=($pid)
    "${py[@]}" measure --pid "$pid" --kind collectd --label "$prog" --csv "$w/csv" --stats "snmp:127.0.0.1:$snmp_port" \
      --points "$n" --interval "$iv" --window "$window" --run "$run" >>"$rows" \
      || { echo "[polling] $prog failed; its log:"; tail -20 "$w/log"; exit 1; }
  else
    "$bin/dcagent" run --config "$w/dcagent.yaml" >"$w/log" 2>&1 &
    pid=$!; pids+=($pid)
    "${py[@]}" measure --pid "$pid" --kind dcagent --label "$prog" --db "$w/dcagent.sqlite" --stats "snmp:127.0.0.1:$snmp_port" \
      --points "$n" --interval "$iv" --window "$window" --run "$run" >>"$rows" \
      || { echo "[polling] $prog failed; its log:"; tail -20 "$w/log"; exit 1; }
  fi
  stop_pid "$pid"
  print_row "$rows"
  rm -rf "$w"
}

if [ "$snmp" = 1 ]; then
  snmp_port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  mkdir -p "$dir/snmpd-persist"   # snmpd rewrites SNMP_PERSISTENT_DIR/snmpd.conf: keep it apart
  printf 'rocommunity public 127.0.0.1\n' >"$dir/snmpd.conf"
  MIBS= SNMP_PERSISTENT_DIR="$dir/snmpd-persist" /usr/sbin/snmpd -f -Lo -C -c "$dir/snmpd.conf" "udp:127.0.0.1:$snmp_port" >"$dir/snmpd.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do snmpget -v2c -c public -t 0.2 -r 0 "127.0.0.1:$snmp_port" 1.3.6.1.2.1.1.1.0 >/dev/null 2>&1 && break; sleep 0.1; done
  echo "[polling] SNMP: snmpd on 127.0.0.1:$snmp_port; 10 targets x $snmp_oids OIDs"
  iv="${intervals%% *}"
  for run in $(seq 1 "$runs"); do
    for prog in snmp-dcagent-merge-off snmp-collectd snmp-dcagent-merge-on; do
      snmp_window "$prog" "$iv" "$run"
    done
  done
fi

echo
"${py[@]}" report --rows "$rows" --json "$out/polling.json"
