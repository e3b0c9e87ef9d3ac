#!/bin/sh
# Makes the disk images the benchmarks read, one per preset named (default: minimal small), with
# `benchgate gen image` (seed 1, ubuntu, raw): the same bytes on every machine.
#   ./make-images.sh                      # images/minimal.raw, images/small.raw
#   ./make-images.sh medium large         # 100 MiB and 1 GiB: the inspect/medium, inspect/large benches then run
# BENCHGATE names the benchgate binary when it is not on PATH.
set -eu
cd "$(dirname "$0")"
mkdir -p images
[ $# -gt 0 ] || set -- minimal small
for preset in "$@"; do
  "${BENCHGATE:-benchgate}" gen image --preset "$preset" --distro ubuntu --seed 1 --force -o "images/$preset.raw"
done
