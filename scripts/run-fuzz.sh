#!/usr/bin/env bash
# run-fuzz.sh FUZZ_BUILD SECONDS TARGET... - run each libFuzzer target of
# mk/fuzz.mk for SECONDS on its seed corpus (tests/fuzz/corpus/TARGET) plus
# what earlier runs found (FUZZ_BUILD/corpus/TARGET), then print one line
# per target: executions, executions per second, corpus, crashes.
# Exit status 1 when any target crashed (inputs in FUZZ_BUILD/crashes/).
set -u
build=$1 secs=$2; shift 2
cd "$(dirname "$0")/.."
declare -A max_len=([model]=16384 [tokenizer]=8192 [artifact]=16384 [frame]=4096 [session]=4096)
summary=() failed=0
for t in "$@"; do
  bin="$build/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "run-fuzz: $bin not built" >&2; exit 2; }
  mkdir -p "$build/corpus/$t" "$build/crashes/$t"
  log="$build/fuzz-$t.log"
  before=$(find "$build/crashes/$t" -type f | wc -l)
  echo "fuzz_$t: $secs s, -max_len=${max_len[$t]:-4096}"
  "$bin" -max_total_time="$secs" -max_len="${max_len[$t]:-4096}" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$t/" \
    "$build/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  corpus=$(find "$build/corpus/$t" -type f | wc -l)
  crashes=$(( $(find "$build/crashes/$t" -type f | wc -l) - before ))
  if [ $rc -ne 0 ]; then
    failed=1
    grep -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" | head -n 8
  fi
  summary+=("$(printf '%-10s %10s execs %7s/s  cov %5s  corpus %5s  crashes %s%s' "$t" \
    "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corpus" "$crashes" \
    "$([ $rc -ne 0 ] && echo "  (exit $rc, see $log)")")")
done
printf '%s\n' "${summary[@]}"
exit $failed
