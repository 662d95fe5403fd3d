#!/usr/bin/env bash
# demo.sh CLOCKWORK - the main job: a story from stories260K told by the RTL
# (the Verilated core in the ULX3S's configuration), token by token, then
# what its cycle counts mean on the board. Without a model, a synthetic
# checkpoint stands in.
set -eu
cw=$1
cd "$(dirname "$0")/.."
build=$(dirname "$cw")
target=ulx3s-85f
device="sim:$target"
[ -f "$build/sim/libcwsimlink-$target.so" ] || device="ref:$target"

if models=$(scripts/find-models.sh); then
  prompt="Once upon a time"
  echo "== clockwork: stories260K (from $models), 8-bit weights, compiled for $target"
  echo "== running on $device: the RTL, cycle by cycle; prompt: \"$prompt\""
  echo
  "$cw" run "$models/stories260K.bin" -z "$models/tok512.bin" -i "$prompt" -n 200 -w 8 \
    --device "$device"
  echo
  echo "== the same compiled program predicted every one of those cycle counts before it ran:"
  "$cw" compile "$models/stories260K.bin" --target "$target" -w 8 --report | sed -n '/^mean over/,/tokens\/s/p'
  if [ -f bitstreams/$target/report.md ]; then
    echo
    echo "== on a ULX3S board, the same program from the committed bitstream (bitstreams/$target/report.md):"
    echo "   make flash BOARD=$target && $cw run $models/stories260K.bin -w 8 -i \"$prompt\" \\"
    echo "       --device '$(. bitstreams/$target/board.conf; echo "$link_uri")'"
  fi
else
  echo "== no stories260K found in ./models, \$CLOCKWORK_MODELS or ../shared/models"
  echo "== (scripts/fetch-models.sh downloads it); running a synthetic checkpoint instead"
  mkdir -p "$build/demo"
  "$cw" synth "$build/demo/synthetic.bin" --seed 1
  echo "== token ids from a synthetic model (random weights, no tokenizer) on $device:"
  "$cw" run "$build/demo/synthetic.bin" -n 64 -w 8 --ids --device "$device"
fi
