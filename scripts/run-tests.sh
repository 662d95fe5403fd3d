#!/usr/bin/env bash
# run-tests.sh BUILD TEST... - run every test program and CLI test script,
# then print one closing line: "N passed, N failed".
set -u
build=$1; shift
cd "$(dirname "$0")/.."
if ! CW_MODELS=$(scripts/find-models.sh); then
  echo "run-tests: stories260K.bin not found in ./models, \$CLOCKWORK_MODELS or ../shared/models" >&2
  echo "run-tests: run scripts/fetch-models.sh or set CLOCKWORK_MODELS" >&2
  exit 1
fi
export CW_MODELS CW_BUILD=$build
passed=0 failed=0 failed_names=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # name, exit status; reads the cmocka or script summary from $log
  local p f
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | tail -n 1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | tail -n 1)
  if [ -z "$p$f" ]; then   # scripts print "N passed, N failed"
    p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -n 1)
  fi
  p=${p:-0} f=${f:-0}
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # crashed or failed to start
  passed=$((passed + p)) failed=$((failed + f))
  [ "$f" -ne 0 ] && failed_names+=("$1")
  printf '%-32s %4d passed %4d failed\n' "$1" "$p" "$f"
}

# WAVES=1: every Verilator testbench writes $build/waves/NAME.fst
[ "${WAVES:-0}" = 1 ] && mkdir -p "$build/waves"
for t in "$@"; do
  if [ "${WAVES:-0}" = 1 ] && [[ "$(basename "$t")" == tb_* ]]; then
    CW_TRACE="$build/waves/$(basename "$t").fst" "$t" >"$log" 2>&1; rc=$?
  else
    "$t" >"$log" 2>&1; rc=$?
  fi
  [ $rc -ne 0 ] && cat "$log"
  count "$(basename "$t")" $rc
done
for t in tests/cli/*.sh tests/soak/*.sh; do
  [ -f "$t" ] || continue
  bash "$t" "$build/clockwork" >"$log" 2>&1; rc=$?
  [ $rc -ne 0 ] && cat "$log"
  count "$(basename "$t")" $rc
done
[ ${#failed_names[@]} -gt 0 ] && echo "failing: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
