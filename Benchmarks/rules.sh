#!/usr/bin/env bash
# Rules engine benchmark (docs/benchmarks.md): evaluation rate of threshold, rate, stale, frozen
# and ASHRAE envelope rules on a synthetic room, and the cost of one checkpoint (state JSON
# encoded and committed in the real schema).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release --show-bin-path)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for probes in 100 1000 5000; do
  "$bin/dcagent" bench rules --database "$dir/r$probes.sqlite" --probes "$probes" --rounds 90
done
