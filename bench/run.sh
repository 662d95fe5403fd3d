#!/usr/bin/env bash
# run.sh BUILD - what `make bench` runs once everything is built: the
# measurements (BUILD/bench/clockwork_bench) into BUILD/bench/results-TIME.json,
# then the report (bench/report.py). BENCH_QUICK=1: the quick sizes, with the
# report under BUILD/bench/quick/ so the committed figures stay as they are.
set -u
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1
mkdir -p "$build/bench"
quick=${BENCH_QUICK:-0}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
json="$build/bench/results-$stamp.json"

args=(--out "$json" --verbose --cc "${CC:-cc}")
cmd="make bench"
if [ "$quick" = 1 ]; then
  args+=(--quick)
  cmd="make bench BENCH_QUICK=1"
fi
if models=$(scripts/find-models.sh); then
  args+=(--model "$models/stories260K.bin" --tokenizer "$models/tok512.bin")
else
  echo "bench: stories260K.bin not found (./models, \$CLOCKWORK_MODELS, ../shared/models);" \
       "measuring a synthetic checkpoint of its shape instead" >&2
fi
args+=(--command "$cmd")

# The link transports reach a simulated device in another process: one
# `clockwork serve` on a Unix socket and a FIFO pair, stopped (by its pid)
# when this script exits.
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; }
trap cleanup EXIT
sock=$build/bench/serve.sock h2c=$build/bench/serve.h2c c2h=$build/bench/serve.c2h
rm -f "$sock"
"$build/clockwork" serve --target sim --socket "$sock" --fifo "$h2c,$c2h" 2>"$build/bench/serve.log" &
serve_pid=$!
for _ in $(seq 50); do
  [ -S "$sock" ] && [ -p "$h2c" ] && [ -p "$c2h" ] && break
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -S "$sock" ] && [ -p "$h2c" ] && [ -p "$c2h" ]; then
  args+=(--socket "$sock" --fifo "$h2c,$c2h")
else
  echo "bench: clockwork serve did not start ($(tail -n 1 "$build/bench/serve.log"));" \
       "the socket and FIFO transports stay unmeasured" >&2
fi

echo "bench: measuring ($cmd); results in $json" >&2
"$build/bench/clockwork_bench" "${args[@]}"
status=$?
[ -f "$json" ] || exit 1

if [ "$quick" = 1 ]; then
  out=$build/bench/quick
  mkdir -p "$out"
  python3 bench/report.py "$json" --md "$out/performance.md" --img "$out" --img-rel . || exit 1
else
  mkdir -p docs/performance
  python3 bench/report.py "$json" --md docs/performance.md --img docs/performance \
      --img-rel performance --copy-json docs/performance/results.json || exit 1
fi
exit $status
