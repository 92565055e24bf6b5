# Shared by Benchmarks/polling.sh and Benchmarks/scale.sh (sourced): a temporary directory,
# the PIDs of every process started (all stopped by PID in the EXIT trap), free loopback ports
# and the benchmark simulator with its request counter.
dir="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]+"${pids[@]}"}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# stop_pid PID: SIGTERM, a bounded wait, then SIGKILL; forgets the PID.
stop_pid() {
  local p="$1" q keep=()
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  for q in "${pids[@]+"${pids[@]}"}"; do [ "$q" = "$p" ] || keep+=("$q"); done
  pids=("${keep[@]+"${keep[@]}"}")
}

# start_sim BIN UNITS REGISTERS: starts `dcagent-sim serve-bench` with --stats and --vary (the
# values step by one each second, so no stuck-sensor event opens in long windows); sets sport,
# stats and sim_pid; returns when the stats file exists and the port accepts (bounded).
start_sim() {
  sport=$(free_port)
  stats="$dir/sim-stats.json"
  "$1/dcagent-sim" serve-bench --port "$sport" --units "$2" --registers "$3" --stats "$stats" --vary >"$dir/sim.log" 2>&1 &
  sim_pid=$!
  pids+=($sim_pid)
  for _ in $(seq 1 100); do
    [ -s "$stats" ] && (exec 3<>/dev/tcp/127.0.0.1/"$sport") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the simulator did not start:" >&2
  cat "$dir/sim.log" >&2
  return 1
}

# print_row FILE: one line about the last window measured.
print_row() { python3 "$(dirname "${BASH_SOURCE[0]}")/pollbench.py" show-last --rows "$1"; }

# require_bins SCRIPT: sets bin (from --bin or `swift build -c $build --show-bin-path`) and
# exits naming the build command when dcagent or dcagent-sim is missing.
require_bins() {
  bin="${bin:-$(swift build -c "$build" --show-bin-path)}"
  for p in dcagent dcagent-sim; do
    [ -x "$bin/$p" ] || { echo "$1: $bin/$p is missing: swift build -c $build --product $p" >&2; exit 2; }
  done
}

# start_sim_for BIN UNITS POINTS...: one simulator for the whole run, as large as the largest
# configuration (POINTS / UNITS registers per unit).
start_sim_for() {
  local b="$1" u="$2" max_regs=0 n r
  shift 2
  for n in "$@"; do r=$(( n / u )); [ $r -gt $max_regs ] && max_regs=$r; done
  start_sim "$b" "$u" "$max_regs"
}
