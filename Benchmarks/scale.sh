#!/usr/bin/env bash
# Memory and growth at scale (issue 13, item 2; docs/benchmarks.md): `dcagent run` alone at
# 1 000, 5 000 and 10 000 points (the generator of polling.sh: 10 units of holding registers on
# one `dcagent-sim serve-bench`, request merging on), every value polled, stored in its SQLite
# and evaluated by config/rules/default.yaml. Per size, one fresh daemon per run: peak RSS
# (VmHWM), RSS after the window, CPU seconds per 100 000 values after the warm-up; then
# least-squares lines through all windows: bytes of peak RSS per point, and CPU per point.
#
#   Benchmarks/scale.sh [--points 1000,5000,10000] [--interval 10] [--window 30] [--runs 1]
#                       [--settle 0] [--units 10] [--build release|debug] [--bin DIR] [--out DIR]
#   FULL=1 Benchmarks/scale.sh        3 runs per size, 60 s windows, each after --settle 960:
#                                     the daemon's steady state (the default rules' longest
#                                     window, the 15-minute rate of change, is full)
#
# Loopback only; every process started here is stopped by its PID (trap). Prints a table;
# writes DIR/scale.json (default .build/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"

points="1000,5000,10000"; interval=10; units=10; build=release; bin=""; out=.build/bench
settle=0
if [ "${FULL:-0}" = 1 ]; then window=60; runs=3; settle=960; else window=30; runs=1; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --points) points="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --units) units="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
points="${points//,/ }"
py=(python3 "$here/Benchmarks/lib/pollbench.py")
mkdir -p "$out"
out="$(cd "$out" && pwd)"
. "$here/Benchmarks/lib/common.sh"
require_bins scale.sh

start_sim_for "$bin" "$units" $points
rows="$out/scale-rows.jsonl"
: >"$rows"
echo "[scale] $build build; $units units; points: $points; every ${interval} s; $window s windows after ${settle} s; $runs run(s)"

for run in $(seq 1 "$runs"); do
  for n in $points; do
    w="$dir/scale-$n-$run"
    mkdir -p "$w"
    "${py[@]}" gen-dcagent --dir "$w" --port "$sport" --points "$n" --units "$units" --interval "$interval" \
      --http-port "$(free_port)" --merge on --rules "$here/config/rules/default.yaml"
    "$bin/dcagent" run --config "$w/dcagent.yaml" >"$w/log" 2>&1 &
    pid=$!
    pids+=($pid)
    # Steady state: let the rules' windows fill before the measured window (a benchmark waits
    # for a state by time; the daemon is checked alive each second).
    for _ in $(seq 1 "$settle"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    "${py[@]}" measure --pid "$pid" --kind dcagent --label dcagent --db "$w/dcagent.sqlite" --stats "$stats" \
      --points "$n" --interval "$interval" --window "$window" --run "$run" >>"$rows" \
      || { echo "[scale] dcagent failed at $n points; its log:"; tail -20 "$w/log"; exit 1; }
    stop_pid "$pid"
    print_row "$rows"
    rm -rf "$w"
  done
done
echo
"${py[@]}" scale-report --rows "$rows" --json "$out/scale.json"
