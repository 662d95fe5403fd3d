#!/usr/bin/env bash
# board-sources.sh BOARD - the source files a board's bitstream is built
# from, one per line, each with its SHA-256 (sha256sum's format): the
# project's RTL (rtl/*.v), what it includes and reads (rtl/*.vh, the tables
# in rtl/tables/), the board's own top level and primitives
# (bitstreams/BOARD/*.v), and for a board whose target is serial the serial
# core's RTL and ROM images (rtl/serial/*). Run from the project root.
#
# scripts/bitstream.sh builds from these files, keys its netlist reuse on
# them and writes their digest (`board-sources.sh BOARD | sha256sum`) into
# the board's report.md; tests/cli/test_boards.sh recomputes it, so a
# committed bitstream older than the RTL fails the tests.
set -eu
board=${1:?usage: board-sources.sh BOARD}
dir=bitstreams/$board
[ -d "$dir" ] || { echo "board-sources: no board '$board'" >&2; exit 1; }
# a board whose target has `serial 1` runs the serial core (docs/serial.md):
# its RTL and ROM images are its sources too
# shellcheck disable=SC1091
target=$(. "$dir/board.conf"; echo "$target")
serial=""
if grep -qE '^serial[[:space:]]+1' "targets/$target.target" 2>/dev/null; then
  serial=$(LC_ALL=C ls rtl/serial/*)
fi
# shellcheck disable=SC2046,SC2086
LC_ALL=C sha256sum $(LC_ALL=C ls rtl/*.v rtl/*.vh rtl/tables/* "$dir"/*.v) $serial
