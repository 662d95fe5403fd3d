#!/usr/bin/env bash
# test_install.sh CLOCKWORK - `make install` into a staging folder, then the
# example in examples/ builds against the installed library with pkg-config
# and runs. Prints "N passed, N failed". CW_SANITIZE_FLAGS (mk/sanitize.mk,
# under SANITIZE=1): the sanitizers the installed library needs at link time.
set -u
cw=$1
build=$(dirname "$cw")
M=${CW_MODELS:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if make -s install BUILD="$build" DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/log" 2>&1; then ok; else bad "make install: $(tail -5 "$tmp/log")"; fi
for f in usr/bin/clockwork usr/include/clockwork.h usr/lib/libclockwork.a usr/lib/libclockwork.so usr/lib/pkgconfig/clockwork.pc; do
  [ -e "$tmp/root/$f" ] && ok || bad "missing $f"
done
export PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_LIBDIR="$tmp/root/usr/lib/pkgconfig"
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Werror ${CW_SANITIZE_FLAGS:-} examples/story.c $(pkg-config --cflags --libs clockwork) -o "$tmp/story" 2>"$tmp/cc.log"; then ok; else bad "example does not build: $(cat "$tmp/cc.log")"; fi
# shellcheck disable=SC2046
if cc -std=c11 ${CW_SANITIZE_FLAGS:-} examples/story.c $(pkg-config --cflags clockwork) "$tmp/root/usr/lib/libclockwork.a" $(pkg-config --libs-only-other --static clockwork) -lm -lpthread -ldl -lftdi1 -lusb-1.0 -o "$tmp/story-static" 2>"$tmp/cc2.log"; then ok; else bad "static link: $(cat "$tmp/cc2.log")"; fi
out=$(LD_LIBRARY_PATH="$tmp/root/usr/lib" "$tmp/story" "$M/stories260K.bin" "$M/tok512.bin" "Once upon a time" 2>&1)
case "$out" in
  "Once upon a time, there was a little girl named Lily."*) ok ;;
  *) bad "example output: $out" ;;
esac
out=$("$tmp/story-static" "$M/stories260K.bin" "$M/tok512.bin" "Once upon a time" ref 2>&1)
case "$out" in
  "Once upon a time, there was a little girl named Lily."*) ok ;;
  *) bad "static example on ref: $out" ;;
esac
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
