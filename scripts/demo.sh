#!/usr/bin/env bash
# demo.sh CLOCKWORK - the main job: a story from stories260K, or from a
# synthetic checkpoint when no model is found.
set -eu
cw=$1
cd "$(dirname "$0")/.."
if models=$(scripts/find-models.sh); then
  echo "== clockwork: stories260K from $models, greedy, 200 positions, on the cpu device"
  echo
  "$cw" run "$models/stories260K.bin" -z "$models/tok512.bin" -t 0 -n 200 --device cpu
else
  echo "== no stories260K found in ./models, \$CLOCKWORK_MODELS or ../shared/models"
  echo "== (scripts/fetch-models.sh downloads it); running a synthetic checkpoint instead"
  mkdir -p build/demo
  "$cw" synth build/demo/synthetic.bin --seed 1
  echo "== token ids from build/demo/synthetic.bin (random weights, no tokenizer):"
  "$cw" run build/demo/synthetic.bin -t 0 -n 64 --ids
fi
