#!/usr/bin/env bash
# find-models.sh - print the folder that holds stories260K.bin, looking in
# ./models/, then $CLOCKWORK_MODELS, then ../shared/models/ (from the repo
# root). Prints nothing and exits 1 when none has it.
set -u
cd "$(dirname "$0")/.." || exit 1
for d in ./models "${CLOCKWORK_MODELS:-}" ../shared/models; do
  if [ -n "$d" ] && [ -f "$d/stories260K.bin" ]; then
    (cd "$d" && pwd)
    exit 0
  fi
done
exit 1
