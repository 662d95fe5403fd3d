#!/usr/bin/env bash
# flash.sh BOARD [FLASH] - load a board's committed bitstream (or $BIT) with
# openFPGALoader: into the FPGA's SRAM (lost at power-off) by default, into
# the configuration flash when FLASH is 1. One clear line when the tool, the
# bitstream, the board or the permission to open it is missing.
set -u
board=${1:?usage: flash.sh BOARD [FLASH]}
to_flash=${2:-0}
die() { echo "flash: $*" >&2; exit 1; }
# shellcheck source=scripts/board-conf.sh
. scripts/board-conf.sh
bit=${BIT:-$dir/$output}   # BIT: another file (tests)
[ -f "$bit" ] || die "$bit does not exist: build it with 'make bitstream BOARD=$board'"
loader=${OPENFPGALOADER:-openFPGALoader}
command -v "$loader" >/dev/null 2>&1 \
  || die "openFPGALoader is not installed (apt-get install openfpgaloader, or 'make board-tools')"
case $to_flash in
  1) mode=--write-flash; what="flash" ;;
  0) mode=--write-sram; what="SRAM" ;;
  *) die "FLASH=$to_flash: use 1 (configuration flash) or 0 (SRAM, the default)" ;;
esac
echo "flash: $bit -> $board ($what) with $loader --board $loader_board"
[ "$to_flash" = 0 ] && [ -n "${sram_note:-}" ] && echo "flash: note: $sram_note"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if "$loader" --board "$loader_board" $mode "$bit" >"$log" 2>&1; then
  tail -n 3 "$log"
  echo "flash: done; the link: build/clockwork run MODEL --device '$link_uri'"
  exit 0
fi
if grep -qiE "LIBUSB_ERROR_ACCESS|permission|access denied|Operation not permitted" "$log"; then
  die "no permission to open the board's USB device: install driver/99-clockwork.rules (see its header) and replug"
elif grep -qiE "not found|no device|unable to open|fail.*open|No cable|LIBUSB_ERROR_NO_DEVICE" "$log"; then
  die "no $board found on USB (is it plugged in, and is another program holding it?)"
fi
tail -n 5 "$log" >&2
die "openFPGALoader failed (above)"
