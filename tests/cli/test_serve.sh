#!/usr/bin/env bash
# test_serve.sh CLOCKWORK - `clockwork serve`: a simulated device in another
# process, reached on a Unix socket (unix:PATH) and on a FIFO pair
# (pcie:H2C,C2H) with the ref device's tokens; the socket's permissions;
# two client processes at once take turns; SIGTERM stops the server and
# removes the socket. Prints "N passed, N failed".
set -u
cw=$1
M=${CW_MODELS:?}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

wait_for() { # PATH: until it exists (5 s at most)
  for _ in $(seq 1 100); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1
}

"$cw" compile "$M/stories260K.bin" -o "$tmp/s16.cwm" -w 16 >/dev/null
ref=$("$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" -n 150 --ids --device ref 2>/dev/null)
[ -n "$ref" ] && ok || bad "ref run"

# --- socket
sock="$tmp/dev.sock"
"$cw" serve --socket "$sock" -v 2>"$tmp/serve.log" &
srv=$!; pids+=("$srv")
if wait_for "$sock"; then ok; else bad "no socket: $(cat "$tmp/serve.log")"; fi
mode=$(stat -c '%a' "$sock" 2>/dev/null)
[ "$mode" = 600 ] && ok || bad "socket mode $mode, want 600"
[ -S "$sock" ] && ok || bad "not a socket"
# no network port: the server has no inet socket
if [ -d /proc/$srv/fd ] && ls -l /proc/$srv/fd 2>/dev/null | grep -q socket; then
  inodes=$(ls -l /proc/$srv/fd | sed -n 's/.*socket:\[\([0-9]*\)\]/\1/p')
  inet=0
  for i in $inodes; do grep -qs " $i " /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 && inet=1; done
  [ $inet -eq 0 ] && ok || bad "the server has a network socket"
fi
out=$("$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" -n 150 --ids --device "unix:$sock" 2>"$tmp/err")
[ "$out" = "$ref" ] && ok || bad "unix run: $(cat "$tmp/err")"
# the checkpoint, compiled for the device's own target
out=$("$cw" run "$M/stories260K.bin" -n 150 --ids --device "unix:$sock" -w 16 2>"$tmp/err")
[ "$out" = "$ref" ] && ok || bad "unix run of the checkpoint: $(cat "$tmp/err")"
# two client processes at once: both get the whole run
"$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" -n 150 --ids --device "unix:$sock" >"$tmp/a" 2>"$tmp/a.err" &
a=$!
"$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" -n 150 --ids --device "unix:$sock" >"$tmp/b" 2>"$tmp/b.err" &
b=$!
wait $a; ra=$?
wait $b; rb=$?
[ $ra -eq 0 ] && [ "$(cat "$tmp/a")" = "$ref" ] && ok || bad "client a: $(cat "$tmp/a.err")"
[ $rb -eq 0 ] && [ "$(cat "$tmp/b")" = "$ref" ] && ok || bad "client b: $(cat "$tmp/b.err")"
[ "$(grep -c connected "$tmp/serve.log")" -ge 4 ] && ok || bad "server log: $(cat "$tmp/serve.log")"
# an artifact for another target is refused by the device's configuration
"$cw" compile "$M/stories260K.bin" --target ulx3s-85f -w 8 -o "$tmp/u8.cwm" >/dev/null
"$cw" run "$tmp/u8.cwm" -z "$M/tok512.bin" -n 5 --device "unix:$sock" >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "compiled for target 'ulx3s-85f'" "$tmp/err" && ok || bad "mismatch: $(cat "$tmp/err")"
# a second server on the same socket is refused
"$cw" serve --socket "$sock" 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "already listening" "$tmp/err" && ok || bad "second server: $(cat "$tmp/err")"
kill -TERM $srv; wait $srv; rc=$?
[ $rc -eq 0 ] && ok || bad "serve exit $rc after SIGTERM"
[ ! -e "$sock" ] && ok || bad "socket left behind"
"$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" -n 5 --device "unix:$sock" >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "no server" "$tmp/err" && ok || bad "no server: $(cat "$tmp/err")"

# --- group access, SIGINT
"$cw" serve --socket "$sock" --group 2>/dev/null &
srv=$!; pids+=("$srv")
wait_for "$sock"
[ "$(stat -c '%a' "$sock")" = 660 ] && ok || bad "--group mode $(stat -c '%a' "$sock")"
kill -INT $srv; wait $srv
[ ! -e "$sock" ] && ok || bad "socket left after SIGINT"

# --- FIFO pair (the PCIe DMA engine's character devices)
"$cw" serve --fifo "$tmp/h2c,$tmp/c2h" 2>/dev/null &
srv=$!; pids+=("$srv")
wait_for "$tmp/c2h"
sleep 0.1
out=$("$cw" run "$tmp/s16.cwm" -z "$M/tok512.bin" -n 150 --ids --device "pcie:$tmp/h2c,$tmp/c2h" 2>"$tmp/err")
[ "$out" = "$ref" ] && ok || bad "pcie run: $(cat "$tmp/err")"
kill -TERM $srv; wait $srv
[ ! -e "$tmp/h2c" ] && [ ! -e "$tmp/c2h" ] && ok || bad "FIFOs left behind"

# --- usage errors
"$cw" serve 2>"$tmp/err"; [ $? -eq 2 ] && grep -q "\-\-socket" "$tmp/err" && ok || bad "serve without endpoints"
"$cw" serve --fifo onlyone 2>"$tmp/err"; [ $? -eq 2 ] && grep -q "H2C,C2H" "$tmp/err" && ok || bad "serve --fifo onlyone"
"$cw" serve --socket "$tmp/x.sock" --target nope 2>"$tmp/err"; [ $? -eq 1 ] && grep -q "nope" "$tmp/err" && ok || bad "serve --target nope: $(cat "$tmp/err")"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
