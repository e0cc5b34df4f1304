#!/bin/bash
# A Slurm job array: task K writes shard K/N of one run (docs/scale.md).
#
#   jobid=$(sbatch --parsable scale-slurm.sh)
#   sbatch --dependency=afterok:"$jobid" --wrap "bash scale-slurm.sh merge"
#
#SBATCH --job-name=vxgen-shards
#SBATCH --array=0-15
#SBATCH --cpus-per-task=1
#SBATCH --mem=128M
set -euo pipefail
N=${N:-16}                      # must equal the size of --array above
COUNT=${COUNT:-100000000}
OUT=${OUT:-$PWD/shards}
mkdir -p "$OUT"
if [ "${1:-}" = merge ]; then
    vxgen merge --force -o ${OUT}/whole.pcapng ${OUT}/part-*.pcapng
else
    vxgen generate --scenario mixed --seed 7 --count "${COUNT}" --shard "${SLURM_ARRAY_TASK_ID}/${N}" --force -o "${OUT}/part-${SLURM_ARRAY_TASK_ID}.pcapng"
fi
