#!/usr/bin/env bash
# Coverage-guided fuzzing of one DeepSpike reader with afl++ and SharpFuzz.
#
#   tests/DeepSpike.Fuzz/run-fuzz.sh TARGET MINUTES [WORK_DIR]
#
# TARGET is one of: csv csvgz npy pickle suite2p metajson model checkpoint (see FuzzTargets.cs).
# Needs, once:  apt-get install -y afl++
#               dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
# Builds the fuzz project into WORK_DIR (default /tmp/deepspike-fuzz), instruments DeepSpike.Core.dll there
# (never the repository's own build output), seeds from the committed corpus tests/fuzz-corpus/TARGET plus
# generated seeds, and runs afl-fuzz for MINUTES. Findings: WORK_DIR/findings/TARGET/default/{crashes,hangs,queue};
# the last lines printed are afl's fuzzer_stats (run_time, execs_done, corpus_count, saved_crashes, saved_hangs)
# and the size of the afl-cmin-minimised queue in WORK_DIR/cmin/TARGET.
# Replay a finding with:  dotnet WORK_DIR/plain/DeepSpike.Fuzz.dll run TARGET FILE...
set -euo pipefail

target=${1:?usage: run-fuzz.sh TARGET MINUTES [WORK_DIR]}
minutes=${2:?usage: run-fuzz.sh TARGET MINUTES [WORK_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${3:-/tmp/deepspike-fuzz}
export PATH="$PATH:$HOME/.dotnet/tools"
dotnet=$(readlink -f "$(command -v dotnet)")   # afl-cmin wants the real executable

command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 2; }
command -v sharpfuzz >/dev/null || { echo "sharpfuzz not found: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 2; }

# Two copies of the build: instrumented code may only run under afl-fuzz (it writes to afl's shared memory),
# so seeds are made and findings replayed with the plain one.
plain=$work/plain bin=$work/bin
if [[ ! -f $bin/.instrumented ]]; then
  rm -rf "$plain" "$bin"
  nice -n 10 dotnet build "$here/DeepSpike.Fuzz.csproj" -c Release -o "$plain" >/dev/null
  cp -r "$plain" "$bin"
  sharpfuzz "$bin/DeepSpike.Core.dll"   # instruments in place: only this copy
  touch "$bin/.instrumented"
fi

seeds=$work/seeds/$target
rm -rf "$work/seeds" && dotnet "$plain/DeepSpike.Fuzz.dll" seeds "$repo" "$work/seeds" >/dev/null
mkdir -p "$seeds"
if [[ -d $repo/tests/fuzz-corpus/$target ]]; then cp "$repo/tests/fuzz-corpus/$target"/* "$seeds"/; fi

findings=$work/findings/$target
rm -rf "$findings" && mkdir -p "$work/findings"
# The .NET host is not afl-instrumented (SharpFuzz reports coverage itself), hence SKIP_BIN_CHECK;
# -t 5000: an input taking over 5 s is a hang, the limit the replay test uses; -m none: the CLR reserves lots of
# address space, so memory is capped by the GC instead (512 MiB heap: a reader that tries more throws OutOfMemoryException, a crash).
DOTNET_GCHeapHardLimit=0x20000000 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
  nice -n 10 afl-fuzz -i "$seeds" -o "$findings" -t 5000 -m none -V $((minutes * 60)) \
  -- "$dotnet" "$bin/DeepSpike.Fuzz.dll" fuzz "$target" > "$work/$target.log" 2>&1 || true
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs) ' "$findings/default/fuzzer_stats"

# The smallest subset of the queue with the same coverage, to commit to tests/fuzz-corpus/TARGET (plus any crash or hang).
cmin=$work/cmin/$target
rm -rf "$cmin"
DOTNET_GCHeapHardLimit=0x20000000 AFL_SKIP_BIN_CHECK=1 AFL_ALLOW_TMP=1 AFL_NO_AFFINITY=1 \
  nice -n 10 afl-cmin -i "$findings/default/queue" -o "$cmin" -t 5000 -m none \
  -- "$dotnet" "$bin/DeepSpike.Fuzz.dll" fuzz "$target" > "$work/$target.cmin.log" 2>&1 || true
echo "cmin: $(ls "$cmin" 2>/dev/null | wc -l) files, $(du -sb "$cmin" 2>/dev/null | cut -f1) bytes in $cmin"
