#!/bin/sh
# Run the real pipeline (producer, workers, sink via the launcher) on
# eval/articles and score the briefing against eval/gold.tsv.
#   eval/run.sh BIN_DIR OUT_DIR [allybrief-eval options]
# Exits with the scorer's status: 1 below the precision/recall thresholds.
set -eu
cd "$(dirname "$0")/.."
bin=${1:?usage: eval/run.sh BIN_DIR OUT_DIR}
out=${2:?usage: eval/run.sh BIN_DIR OUT_DIR}
shift 2
"$bin/allybrief" run --fresh -q -w 2 -r workers/rules -o "$out" eval/articles
"$bin/allybrief-eval" "$@" "$out/briefing.json" eval/gold.tsv
