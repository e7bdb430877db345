#!/usr/bin/env bash
# Memory soak (issue 12, point 6): `infer` in a loop, in one process, on 1 h × 1,000 traces at 30 Hz (simulated ΔF/F,
# float32 .npy, ~430 MB, made once in WORK) for MINUTES, with the resident set size sampled every second. Prints the
# warm-up peak and the slopes after warm-up (MiB/min); the curve is in WORK/rss.csv.
#   bench/soak.sh [MINUTES=20] [WORK=/tmp/deepspike-soak] [THREADS=1]
set -euo pipefail
minutes=${1:-20}
work=${2:-/tmp/deepspike-soak}
threads=${3:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet build "$root/src/DeepSpike.Cli" -c Release -v quiet -nologo
# A copy of the build, so rebuilding the repository while the soak runs cannot change the code under test.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cp -r "$root/src/DeepSpike.Cli/bin/Release/net10.0/." "$bin"
nice -n 10 dotnet "$bin/deepspike.dll" bench soak --traces 1000 --hours 1 --frame-rate 30 --minutes "$minutes" \
  --warmup-minutes 3 --work "$work" --threads "$threads"
