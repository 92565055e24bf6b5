#!/usr/bin/env bash
# ITSM latency benchmark (docs/benchmarks.md): 100 events committed as the rules commit them;
# the time until the ITSM service (woken by the change feed, not a poll) has queued each in the
# outbox and delivered it to a built-in ticket. Target (issue 12): p99 within one poll interval
# + 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-release}"
bin="$(swift build -c "$mode" --show-bin-path)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$bin/dcagent" bench itsm --database "$dir/itsm.sqlite" --trials 100
