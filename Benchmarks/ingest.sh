#!/usr/bin/env bash
# Ingest benchmark of the batch writer on the real schema (docs/benchmarks.md):
# 10 000 points, interleaved times, through BatchWriter into SQLite (WAL, synchronous=FULL).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release --show-bin-path)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for batch in 1000 5000 20000; do
  "$bin/dcagent" bench ingest --database "$dir/b$batch.sqlite" --points 10000 --rounds 30 --batch-size "$batch"
done
