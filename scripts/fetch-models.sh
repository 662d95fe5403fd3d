#!/usr/bin/env bash
# fetch-models.sh - download stories260K and its tokenizer into ./models/
# (for users with internet; the tests and the demo never download).
set -eu
cd "$(dirname "$0")/.."
base=https://huggingface.co/karpathy/tinyllamas/resolve/main/stories260K
mkdir -p models
for f in stories260K.bin tok512.bin; do
  if [ ! -f "models/$f" ]; then
    echo "fetching $f"
    curl -fL --retry 3 -o "models/$f.part" "$base/$f"
    mv "models/$f.part" "models/$f"
  fi
done
cat > models/SHA256SUMS <<'SUMS'
b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696  stories260K.bin
037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312  tok512.bin
SUMS
(cd models && sha256sum -c SHA256SUMS)
