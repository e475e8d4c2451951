#!/bin/bash
# Grade one set of a class as a Slurm job array: task i of N grades shard i/N into a folder
# of its own; a second job, started when every task has succeeded, merges the shards.
#
#   export B2BSM_GRADING_SECRET="$(cat course/.b2bsm-grading-secret)"   # the same for all
#   jobid=$(sbatch --parsable --array=1-4 docs/examples/grade-slurm.sh course/submissions/02)
#   sbatch --dependency=afterok:"$jobid" --export=ALL --wrap \
#       "python -m b2bsm_teach.grade merge-gradebooks course/grades.csv course/shards/02/*/grades.csv"
#
# Every node needs the instructor's copy of the kit installed (pip install '.[grade]') and
# bubblewrap (apt install bubblewrap), or runs the grader image (Dockerfile.grader).  The
# course folder must be on a file system every node sees.  A task that is stopped (time
# limit, preemption) and run again resumes from its journal: it grades only what is left.
#SBATCH --job-name=b2bsm-grade
#SBATCH --array=1-4
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=b2bsm-grade-%A_%a.log
set -euo pipefail

SUBMISSIONS="${1:?usage: sbatch --array=1-N grade-slurm.sh SUBMISSIONS_FOLDER [COURSE_FOLDER]}"
COURSE="${2:-course}"
: "${B2BSM_GRADING_SECRET:?export B2BSM_GRADING_SECRET: every shard must grade on the same hidden data}"
: "${SLURM_ARRAY_TASK_ID:?submit this script with sbatch --array=1-N}"

SET="$(basename "$SUBMISSIONS")"
OUT="$COURSE/shards/$SET/$SLURM_ARRAY_TASK_ID/grades.csv"
mkdir -p "$(dirname "$OUT")"

python -m b2bsm_teach.grade "$SUBMISSIONS" \
    --out "$OUT" \
    --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" \
    --jobs "${SLURM_CPUS_PER_TASK:-2}" \
    --quiet
