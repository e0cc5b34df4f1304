#!/bin/bash
# GNU parallel on one machine: N shards of one run at once, then the merge
# (docs/scale.md). In one process, the --jobs N option of generate does the same.
#
#   N=4 COUNT=10000000 OUT=/data bash scale-parallel.sh
set -euo pipefail
N=${N:-$(nproc)}
COUNT=${COUNT:-10000000}
OUT=${OUT:-$PWD/shards}
mkdir -p "$OUT"
seq 0 $((N - 1)) | parallel --halt now,fail=1 -j "$N" vxgen generate --scenario mixed --seed 7 --count "${COUNT}" --shard "{}/${N}" --force -o "${OUT}/part-{}.pcapng"
vxgen merge --force -o ${OUT}/whole.pcapng ${OUT}/part-*.pcapng
