# board-conf.sh - sourced by scripts/bitstream.sh and scripts/flash.sh with
# $board set and die() defined: loads bitstreams/$board/board.conf (target,
# family, top, constraints, nextpnr_args, seed, output, loader_board,
# link_uri, model, ...) and sets $dir to the board's folder; an unknown board is one
# line naming the boards there are.
dir=bitstreams/$board
[ -f "$dir/board.conf" ] || die "no board '$board' (boards: $(cd bitstreams && ls -d */ | tr -d / | tr '\n' ' '))"
# shellcheck disable=SC1091
. "$dir/board.conf"
