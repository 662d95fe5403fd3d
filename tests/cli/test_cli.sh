#!/usr/bin/env bash
# test_cli.sh CLOCKWORK - the command line: outputs, exit codes, and one-line
# errors for bad input. Prints "N passed, N failed".
set -u
cw=$1
M=${CW_MODELS:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_fail NAME STATUS PATTERN -- CMD...: exit STATUS, one stderr line
# matching PATTERN, nothing on stdout.
expect_fail() {
  local name=$1 want=$2 pat=$3; shift 4
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc -ne "$want" ]; then bad "$name: exit $rc, want $want"; return; fi
  if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then bad "$name: stderr not one line: $(cat "$tmp/err")"; return; fi
  if ! grep -q -- "$pat" "$tmp/err"; then bad "$name: '$(cat "$tmp/err")' lacks '$pat'"; return; fi
  if [ -s "$tmp/out" ]; then bad "$name: wrote to stdout"; return; fi
  ok
}

expect_out() { # NAME EXPECTED -- CMD...
  local name=$1 want=$2; shift 3
  local got; got=$("$@" 2>"$tmp/err"); local rc=$?
  if [ $rc -ne 0 ]; then bad "$name: exit $rc: $(cat "$tmp/err")"; return; fi
  if [ "$got" != "$want" ]; then bad "$name: got '$got' want '$want'"; return; fi
  ok
}

ref="403 407 261 378 432 383 286 261 376 298 315 421 395 317 426 338 401 396 267 337 410 408 419 292 411 322 265 282 295 433 426 385 328 432 358 394 261 370 432 352 266 268 388 426 338 391 266 267 337 335 312 432 398 312 286 267 414 270 333 415 426 13 438 310 439 419 357 336 432 313 438 310 432 278 316 439 419 298 414 267 265 282 295 433 426 436 317 286 296 418 269 279 292 416 439 413 409 416 327 263 415 294 267 400 426 338 336 432 313 442 391 267 337 335 364 420 268 388 432 398 359 280 303 439 413 272 417 264 312 426 436 13 438 310 286 296 418 269 279 292 416 439 413 409 416 327 263 415 294 267 400 426 338 336 432 313 442 439 423 262 304 420 422 432 317 426 359 279 292 416 439 413 409 416 327 263 415 294 267 400 426 436 13 438 310 279 292 416 439 413 391 267 281 421 427 311 357 432 384 358"
text='Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.
Lily'"'"'s mom said, "Lily, let'"'"'s go to the park." Lily was sad and didn'"'"'t know what to do. She said, "I want to play with your ball, but I can'"'"'t find it."
Lily was sad and didn'"'"'t know what to do. She said, "I'"'"'m sorry, Lily. I didn'"'"'t know what to do."
Lily didn'"'"'t want to help her mom, so she'

# --- outputs
expect_out "run --ids reference" "$ref" -- "$cw" run "$M/stories260K.bin" -t 0 -n 200 --ids
expect_out "run text reference" "$text" -- "$cw" run "$M/stories260K.bin" -t 0 -n 200
expect_out "run -z explicit" "$text" -- "$cw" run "$M/stories260K.bin" -z "$M/tok512.bin" -t 0 -n 200 --device cpu
expect_out "tokenize empty" "1" -- "$cw" tokenize -z "$M/tokenizer.bin" -i ""
expect_out "tokenize llama" "1 306 4658 278 6593 310 2834 338" -- "$cw" tokenize -z "$M/tokenizer.bin" -i "I believe the meaning of life is"
expect_out "run seeded twice" "$("$cw" run "$M/stories260K.bin" -s 7 -n 50 --ids)" -- "$cw" run "$M/stories260K.bin" -s 7 -n 50 --ids
for c in run tokenize synth; do
  if "$cw" $c --help | grep -q "usage: clockwork $c"; then ok; else bad "$c --help"; fi
done
if "$cw" --help | grep -q "commands:"; then ok; else bad "--help"; fi

# --- bad flags and files
expect_fail "no model" 2 "MODEL is missing" -- "$cw" run
expect_fail "bad -n" 2 "\-n 'x'" -- "$cw" run "$M/stories260K.bin" -n x
expect_fail "negative -t" 2 "\-t" -- "$cw" run "$M/stories260K.bin" -t -1
expect_fail "bad -p" 2 "\-p" -- "$cw" run "$M/stories260K.bin" -p 2
expect_fail "unknown flag" 2 "unknown option '--frobnicate'" -- "$cw" run "$M/stories260K.bin" --frobnicate
expect_fail "flag needs value" 2 "needs a value" -- "$cw" run "$M/stories260K.bin" -n
expect_fail "unknown command" 2 "unknown command" -- "$cw" fly
expect_fail "missing model" 1 "nope.bin: cannot open" -- "$cw" run "$tmp/nope.bin"
head -c 1000 "$M/stories260K.bin" >"$tmp/trunc.bin"
expect_fail "truncated model" 1 "trunc.bin: .*truncated" -- "$cw" run "$tmp/trunc.bin" -z "$M/tok512.bin"
head -c 3000 "$M/tok512.bin" >"$tmp/trunc-tok.bin"
expect_fail "truncated tokenizer" 1 "trunc-tok.bin: token" -- "$cw" run "$M/stories260K.bin" -z "$tmp/trunc-tok.bin"
mkdir "$tmp/alone" && cp "$M/stories260K.bin" "$tmp/alone/"
expect_fail "missing default tokenizer" 1 "alone/tok512.bin: cannot open" -- "$cw" run "$tmp/alone/stories260K.bin" -i hi
expect_fail "unknown device" 1 "unknown device URI 'gpu'" -- "$cw" run "$M/stories260K.bin" --device gpu
long=$(printf 'word %.0s' $(seq 1 600))
expect_fail "prompt too long" 1 "context is 512" -- "$cw" run "$M/stories260K.bin" -i "$long"
expect_fail "tokenize no -z" 2 "\-z TOKENIZER is required" -- "$cw" tokenize -i hi
expect_fail "synth bad shape" 1 "n_heads = 7" -- "$cw" synth "$tmp/s.bin" --heads 7
if [ -e "$tmp/s.bin" ] || ls "$tmp"/s.bin.tmp.* >/dev/null 2>&1; then bad "synth left a file"; else ok; fi

# --- compile, artifacts, the int and ref devices
expect_out "int 16-bit reference" "$ref" -- "$cw" run "$M/stories260K.bin" -t 0 -n 200 --ids --device int -w 16
expect_out "ref 16-bit reference" "$ref" -- "$cw" run "$M/stories260K.bin" -n 200 --ids --device ref -w 16
if "$cw" compile "$M/stories260K.bin" -o "$tmp/s16.cwm" -w 16 && [ -s "$tmp/s16.cwm" ]; then ok; else bad "compile"; fi
expect_out "artifact on ref" "$ref" -- "$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" -n 200 --ids --device ref --stats "$tmp/stats.json"
if grep -q '"cycle_mismatches": 0' "$tmp/stats.json" && [ "$(grep -c '"pos"' "$tmp/stats.json")" -eq 200 ]; then ok; else bad "stats json"; fi
if "$cw" compile "$M/stories260K.bin" --target ulx3s-85f -w 8 --report --svg "$tmp/s.svg" | grep -q "MAC-bound ideal" && grep -q "<svg" "$tmp/s.svg"; then ok; else bad "report/svg"; fi
expect_fail "artifact on cpu" 1 "runs checkpoints, not artifacts" -- "$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" --device cpu
"$cw" compile "$M/stories260K.bin" --target ulx3s-85f -w 8 -o "$tmp/u8.cwm"
expect_fail "artifact for another target" 1 "compiled for target 'ulx3s-85f'" -- "$cw" run "$tmp/u8.cwm" -z "$M/tok512.bin" --device ref
expect_fail "does not fit" 1 "does not fit target 'icebreaker'" -- "$cw" compile "$M/stories260K.bin" --target icebreaker -w 8 -o "$tmp/ice.cwm"
if [ -e "$tmp/ice.cwm" ] || ls "$tmp"/ice.cwm.tmp.* >/dev/null 2>&1; then bad "refused compile left a file"; else ok; fi
expect_fail "compile needs -o" 2 "\-o OUT.cwm is required" -- "$cw" compile "$M/stories260K.bin"
expect_fail "unknown target" 1 "unknown target 'nope'" -- "$cw" compile "$M/stories260K.bin" --target nope -o "$tmp/x.cwm"
expect_fail "eval, unknown target" 1 "unknown target 'nope'" -- "$cw" eval "$M/stories260K.bin" -t nope
printf 'name k\nlanes 8\nk 8\nvlanes 1\nwbits 8\nclock_mhz 50\nprog_depth 512\nwgt_lines 4128\nscl_depth 4096\ncst_depth 1024\nact_depth 2048\nkv_depth 40960\nmax_ctx 256\nkvbits 17\n' >"$tmp/k17.target"
expect_fail "kvbits 17" 1 "kvbits = 17 is out of range" -- "$cw" target "$tmp/k17.target"
if "$cw" target ulx3s-85f --params | grep -q -- "-GKV_BITS=9 " && "$cw" target sim --params | grep -q -- "-GKV_BITS=16 "; then ok; else bad "--params KV_BITS"; fi
expect_fail "ref sampling" 1 "use temperature 0" -- "$cw" run "$M/stories260K.bin" --device ref -t 0.8 -n 5
cp "$tmp/s16.cwm" "$tmp/bad.cwm"; printf 'X' | dd of="$tmp/bad.cwm" bs=1 seek=5000 conv=notrunc 2>/dev/null
expect_fail "corrupt artifact" 1 "bad.cwm: section .* checksum mismatch" -- "$cw" run "$tmp/bad.cwm" -z "$M/tok512.bin" --device ref
head -c 100 "$tmp/s16.cwm" >"$tmp/short.cwm"
expect_fail "truncated artifact" 1 "short.cwm: the header says" -- "$cw" run "$tmp/short.cwm" -z "$M/tok512.bin" --device ref

# --- synthetic checkpoints run end to end
if "$cw" synth "$tmp/syn.bin" --dim 32 --hidden 64 --layers 2 --heads 4 --kv-heads 2 --vocab 128 --seq-len 64 --seed 3 &&
   [ "$("$cw" run "$tmp/syn.bin" -t 0 -n 20 --ids | wc -w)" -ge 1 ]; then ok; else bad "synthetic run"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
