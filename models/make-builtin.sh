#!/usr/bin/env bash
# Recreates the built-in model: DS-F trained without ground truth (SCF AR(1) generative model) on
# GCaMP6-like simulations at 60 Hz. Training is deterministic at a fixed --threads and iteration
# count; the committed model stopped at the iteration count in models/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ds() { dotnet run --project src/DeepSpike.Cli -c Release -- "$@"; }
ds simulate --protocol gcamp6 --cells 40 --rates 0.2,0.5,1,2 --frames 10000 --seed 11 --out "$work/train"
ds simulate --protocol gcamp6 --cells 12 --rates 0.2,0.5,1,2 --frames 10000 --seed 12 --out "$work/val"
ds train --data "$work/train" --validation "$work/val" --out models/builtin-scf-60hz.dsmodel \
  --max-minutes 25 ${iterations:+--max-iterations "$iterations"} --seed 7 --threads 2 \
  --description "DS-F (SCF AR(1), unsupervised) trained on GCaMP6-like simulations: tau 0.3-2 s, SNR 1.5-8, 0.2-2 Hz, 60 Hz"
