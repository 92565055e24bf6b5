#!/usr/bin/env bash
# Ingest benchmark of the batch writer on the real schema (docs/benchmarks.md, "Store ingest"):
# 10 000 points, interleaved times, through BatchWriter into SQLite (WAL, synchronous=FULL).
# Short form by default: 10 s at 5 000 readings per transaction. FULL=1: a sustained minute at
# 5 000 and at 2 000 (the daemon's default batch_size), each reported per 10-s slice.
# RUNS=N repeats each (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release --show-bin-path)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
if [ "${FULL:-0}" = 1 ]; then
  duration=60s
  batches="5000 2000"
else
  duration=10s
  batches="5000"
fi
for batch in $batches; do
  for run in $(seq 1 "${RUNS:-1}"); do
    "$bin/dcagent" bench ingest --database "$dir/b$batch-$run.sqlite" --points 10000 --duration "$duration" --slice 10s --batch-size "$batch"
    rm -f "$dir/b$batch-$run.sqlite"*
  done
done
