#!/usr/bin/env bash
# Recreates the built-in real-data models gcamp6s, gcamp6f and ogb1 from the ground-truth recordings
# described in ../shared/data/README.md (GENIE GCaMP6s/f as re-processed by CASCADE; Spikefinder
# training sets 5 and 4). Each is a DS-F network at 60 Hz trained with the SCF AR(2) generative model
# on its indicator's recordings, plus the semi-supervised cross-entropy term on the ground truth of
# all four sets (resampled to 60 Hz), for a fixed number of iterations on 2 threads, so the run is
# deterministic and needs no held-out cells. Cross-validated accuracy of this recipe is measured by
# `deepspike bench accuracy --suite genie --semi-supervised --label-training-cells`, not by these
# models, which have seen every cell.
#
# Usage: models/make-builtin-real.sh [DATA_ROOT] [ITERATIONS]   (defaults: ../shared/data, 6000)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
iterations="${2:-6000}"
for set in genie-gcamp6s-ds14 genie-gcamp6f-ds09 spikefinder-train5-gcamp6s spikefinder-train4-ogb1; do
  [[ -d "$data/$set" ]] || { echo "missing $data/$set (pass the data root as the first argument)" >&2; exit 2; }
done
labels=(--supervised "$data/genie-gcamp6s-ds14" --supervised "$data/genie-gcamp6f-ds09"
        --supervised "$data/spikefinder-train5-gcamp6s" --supervised "$data/spikefinder-train4-ogb1")
dotnet build src/DeepSpike.Cli -c Release -v quiet -nologo
ds() { dotnet src/DeepSpike.Cli/bin/Release/net10.0/deepspike.dll "$@"; }
train() { # name indicator data description
  ds train --data "$3" --model-frame-rate 60 --generative scf-ar2 "${labels[@]}" --supervised-weight 10 \
    --max-iterations "$iterations" --max-minutes 60 --seed 7 --threads 2 --indicator "$2" \
    --out "models/builtin-$1.dsmodel" --checkpoint "$(mktemp -u)" --description "$4"
}
train gcamp6s GCaMP6s "$data/genie-gcamp6s-ds14" \
  "DS-F (SCF AR(2), semi-supervised) for GCaMP6s at 60 Hz: unsupervised on GENIE GCaMP6s (Chen et al. 2013, CASCADE DS14), cross-entropy on the ground truth of GENIE GCaMP6s/f and Spikefinder sets 4 and 5"
train gcamp6f GCaMP6f "$data/genie-gcamp6f-ds09" \
  "DS-F (SCF AR(2), semi-supervised) for GCaMP6f at 60 Hz: unsupervised on GENIE GCaMP6f (Chen et al. 2013, CASCADE DS09), cross-entropy on the ground truth of GENIE GCaMP6s/f and Spikefinder sets 4 and 5"
train ogb1 OGB-1 "$data/spikefinder-train4-ogb1" \
  "DS-F (SCF AR(2), semi-supervised) for OGB-1 at 60 Hz: unsupervised on Spikefinder set 4 (mouse retina, Theis et al. 2016), cross-entropy on the ground truth of GENIE GCaMP6s/f and Spikefinder sets 4 and 5"
