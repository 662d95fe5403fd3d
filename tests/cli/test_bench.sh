#!/usr/bin/env bash
# test_bench.sh CLOCKWORK - the benchmark tool at toy sizes (a few seconds):
# build/bench/clockwork_bench writes valid JSON whose cycle check passes, a
# bad flag is refused, and bench/report.py turns the JSON into the page and
# its plots. The figures themselves come from `make bench`, not from here.
# Prints "N passed, N failed".
set -u
cw=$1
bench=$(dirname "$cw")/bench/clockwork_bench
M=${CW_MODELS:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cd "$(dirname "$0")/../.." || exit 1

if [ ! -x "$bench" ]; then
  echo "test_bench: $bench not built (make $bench); nothing to test"
  echo "0 passed, 0 failed"
  exit 0
fi

# toy sizes: host devices and ref, no sim runs, no scaling study
if "$bench" --model "$M/stories260K.bin" --tokenizer "$M/tok512.bin" --steps 12 --reps 2 \
     --sim-reps 0 --no-scaling --out "$tmp/r.json" 2>"$tmp/err"; then ok
else bad "bench run: $(cat "$tmp/err")"; fi

if python3 - "$tmp/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["checks"]["passed"] and d["checks"]["cycle_mismatches"] == 0, d["checks"]
devs = {x["uri"]: x for x in d["devices"]}
for uri in ("cpu", "int", "ref:sim"):
    assert devs[uri]["status"] == "measured", uri
    assert devs[uri]["runs_completed"] == 2 and len(devs[uri]["runs"][0]["wall_us"]) == 12, uri
r = devs["ref:sim"]
assert r["cycles_per_token"]["predicted_mean"] == r["cycles_per_token"]["measured_mean"] > 0
assert r["spread"]["device_cycles_max_range"] == 0
assert r["token_ids"] == devs["int"]["token_ids"]
for k in ("machine", "commit", "tools", "workload"):
    assert d[k], k
PY
then ok; else bad "JSON content"; fi

"$bench" --steps x --out "$tmp/x.json" >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q -- "--steps x" "$tmp/err" && [ ! -e "$tmp/x.json" ]; then ok
else bad "bad --steps: $(cat "$tmp/err")"; fi

if python3 bench/report.py "$tmp/r.json" --md "$tmp/p.md" --img "$tmp/img" 2>"$tmp/err" &&
   grep -q "Cycle check: passed" "$tmp/p.md" && [ -s "$tmp/img/cycles-by-position.svg" ] &&
   [ -s "$tmp/img/cpu-latency.svg" ]; then ok
else bad "report: $(cat "$tmp/err")"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
