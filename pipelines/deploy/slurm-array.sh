#!/usr/bin/env bash
# quarry as a Slurm job array: task N runs shard N of QUARRY_SHARD_COUNT (8
# here, hence --array=0-7). Every task lists all inputs, keeps the ones whose
# hash falls in its shard, and commits its own part of one output dataset;
# tasks never wait on each other.
#
# Submit (settings are environment variables; sbatch passes them on):
#   INPUT=s3://bucket/incoming OUTPUT=s3://bucket/quarry sbatch pipelines/deploy/slurm-array.sh
#   QUARRY_SHARD_COUNT=32 INPUT=... OUTPUT=... sbatch --array=0-31 pipelines/deploy/slurm-array.sh
# Arguments after the script go to `quarry run` (e.g. --full). The array IDs
# are the shard indices: always 0 to QUARRY_SHARD_COUNT-1, and the count of an
# output root never changes (quarry refuses another; use a new OUTPUT).
#
# Watch: squeue --me; sacct -j JOBID -X -o JobID,State,ExitCode,Elapsed,MaxRSS
# Logs:  quarry-JOBID_TASK.out in the submission folder.
#
# Rerun only the tasks that did not complete, with the same settings:
#   failed=$(sacct -j JOBID -X -n -P -o JobID,State | awk -F'[_|]' '$3 !~ /^(COMPLETED|RUNNING|PENDING)/ {print $2}' | paste -sd, -)
#   INPUT=... OUTPUT=... sbatch --array="$failed" pipelines/deploy/slurm-array.sh
# A rerun redoes only what the task had not committed; a task that ran
# again over unchanged inputs adds nothing.
#
# Exit codes: quarry's exit 3 (committed, but some records were skipped; see
# runs.records_skipped) counts as success unless QUARRY_FAIL_ON_SKIPPED=1.
# Exit 75 (another run of this shard is in progress or committed first) is
# retried QUARRY_RETRIES times, QUARRY_RETRY_WAIT seconds apart, then the task
# fails with 75: rerun it later. 2 is a usage/config error (fix, resubmit); 1
# and 130 (time limit, scancel) committed nothing of the run: rerun the task.
#
# The binary: QUARRY=/shared/bin/quarry runs a plain binary; otherwise the
# container image QUARRY_IMAGE runs under apptainer (or singularity). Pull it
# once to a SIF on a shared file system rather than letting every task
# convert docker://...:  apptainer pull quarry.sif docker://registry.example.com/quarry:0.1.0
# apptainer passes the environment (AWS_*, SLURM_*) into the container; add
# host folders it does not bind by default with QUARRY_BIND=/scratch,/data.
#
# Local test without Slurm: set SLURM_ARRAY_TASK_ID (and QUARRY_SHARD_COUNT)
# by hand and run the script with bash; it runs the same command.
#
# Per task: ~200 MB peak RSS (--mem leaves room for object-store upload
# buffers). Threads scale sub-linearly (2 threads: 1.16-1.23x one, see
# BENCHMARKS.md), so scale with more tasks rather than more CPUs per task.
#SBATCH --job-name=quarry
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=512M
#SBATCH --time=04:00:00
#SBATCH --output=quarry-%A_%a.out

set -uo pipefail

die() { echo "slurm-array.sh: $*" >&2; exit 2; }

SHARDS=${QUARRY_SHARD_COUNT:-8}
INPUT=${INPUT:-}
OUTPUT=${OUTPUT:-}
QUARRY=${QUARRY:-}
QUARRY_IMAGE=${QUARRY_IMAGE:-docker://registry.example.com/quarry:0.1.0}  # CHANGE-ME
THREADS=${QUARRY_THREADS:-${SLURM_CPUS_PER_TASK:-}}
RETRIES=${QUARRY_RETRIES:-3}
RETRY_WAIT=${QUARRY_RETRY_WAIT:-60}
TASK=${SLURM_ARRAY_TASK_ID:-}

[[ -n $INPUT ]] || die "set INPUT: a folder, file, glob or s3://bucket/prefix"
[[ -n $OUTPUT ]] || die "set OUTPUT: the output root, a folder on a shared file system or s3://bucket/prefix"
[[ $SHARDS =~ ^[1-9][0-9]*$ ]] || die "QUARRY_SHARD_COUNT=$SHARDS is not a positive number"
[[ $TASK =~ ^[0-9]+$ ]] || die "SLURM_ARRAY_TASK_ID is not set: submit with sbatch (an array job), or set it by hand"
((10#$TASK < SHARDS)) || die "array task $TASK is not a shard of QUARRY_SHARD_COUNT=$SHARDS: the array must be 0-$((SHARDS - 1))"

# --shard auto takes SLURM_ARRAY_TASK_ID as the shard index, and the count
# from QUARRY_SHARD_COUNT before SLURM_ARRAY_TASK_COUNT: a rerun of some tasks
# (--array=3,5) has a task count of 2 but must keep the output's shard count.
export QUARRY_SHARD_COUNT=$SHARDS

if [[ -n $QUARRY ]]; then
    quarry=("$QUARRY")
    PIPELINE=${PIPELINE:-pipelines/documents.toml}  # from the submission folder, a checkout
else
    runner=$(command -v apptainer || command -v singularity) ||
        die "neither apptainer nor singularity is on PATH; set QUARRY to a quarry binary instead"
    quarry=("$runner" exec)
    [[ -n ${QUARRY_BIND:-} ]] && quarry+=(--bind "$QUARRY_BIND")
    quarry+=("$QUARRY_IMAGE" quarry)
    PIPELINE=${PIPELINE:-/opt/quarry/pipelines/documents.toml}  # the copy in the image
fi

cmd=("${quarry[@]}" run "$PIPELINE" --shard auto --input "$INPUT" --output "$OUTPUT")
[[ -n $THREADS ]] && cmd+=(--threads "$THREADS")
[[ -n ${QUARRY_LOG_FORMAT:-} ]] && cmd+=(--log-format "$QUARRY_LOG_FORMAT")
cmd+=("$@")

for ((attempt = 0; ; attempt++)); do
    echo "shard $TASK/$SHARDS on ${HOSTNAME:-?}: $(printf '%q ' "${cmd[@]}")" >&2
    rc=0
    "${cmd[@]}" || rc=$?
    ((rc == 75 && attempt < RETRIES)) || break
    echo "exit 75: another run of shard $TASK/$SHARDS is in progress or committed first; retrying in ${RETRY_WAIT}s" >&2
    sleep "$RETRY_WAIT"
done

case $rc in
    3)
        echo "shard $TASK/$SHARDS committed, but some records were skipped (runs.records_skipped)" >&2
        [[ ${QUARRY_FAIL_ON_SKIPPED:-0} == 1 ]] || rc=0
        ;;
    75) echo "shard $TASK/$SHARDS still busy after $RETRIES retries: rerun it later with sbatch --array=$TASK" >&2 ;;
esac
exit "$rc"
