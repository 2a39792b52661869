#!/usr/bin/env bash
# Fuzzes one target of fuzz/Stt.Protocol.Fuzz with AFL++ for a fixed time.
#
#   fuzz/run.sh TARGET SECONDS     TARGET is a key of FuzzTargets.All (frame, control, ...)
#
# Seeds come from fuzz/Stt.Protocol.Fuzz/seeds/TARGET (regenerate them with
# `dotnet run --project fuzz/Stt.Protocol.Fuzz -- seeds fuzz/Stt.Protocol.Fuzz/seeds`). Findings go to
# fuzz/findings/TARGET; replay one with `dotnet fuzz/out/TARGET/Stt.Protocol.Fuzz.dll TARGET < FILE`.
# Exits 1 when AFL++ saved a crash, 2 on a usage or setup error.
set -euo pipefail

usage() {
    echo "usage: fuzz/run.sh TARGET SECONDS" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
target=$1
seconds=$2
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage

if ! command -v afl-fuzz >/dev/null 2>&1; then
    echo "afl-fuzz not found: apt-get install -y afl++" >&2
    exit 2
fi

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$fuzz_dir")
seeds=$fuzz_dir/Stt.Protocol.Fuzz/seeds/$target
out=$fuzz_dir/out/$target
findings=$fuzz_dir/findings/$target

if [[ ! -d $seeds ]]; then
    echo "no seeds for target '$target' in $seeds" >&2
    exit 2
fi

cd "$root"
dotnet tool restore

# SharpFuzz instruments in place and refuses an already instrumented assembly, so publish fresh every run.
rm -rf "$out" "$findings"
mkdir -p "$(dirname "$findings")"
dotnet publish fuzz/Stt.Protocol.Fuzz/Stt.Protocol.Fuzz.csproj -c Release -o "$out" --nologo
dotnet sharpfuzz "$out/Stt.Protocol.dll"

# AFL_SKIP_BIN_CHECK: the target is `dotnet`, not an AFL-instrumented binary (SharpFuzz provides the coverage).
# AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES and AFL_SKIP_CPUFREQ: containers and shared machines cannot change
# core_pattern or the CPU governor; crashes are still detected from the harness's exit status.
# AFL_NO_AFFINITY: several engineers share two cores, so don't fail when none is free to bind to.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
    afl-fuzz -i "$seeds" -o "$findings" -t 10000 -m none -V "$seconds" -- dotnet "$out/Stt.Protocol.Fuzz.dll" "$target"

stats=$findings/default/fuzzer_stats
if [[ -f $stats ]]; then
    grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|saved_crashes|saved_hangs|bitmap_cvg) ' "$stats"
fi

crashes=$(find "$findings/default/crashes" -type f ! -name 'README*' 2>/dev/null | wc -l)
if [[ $crashes -gt 0 ]]; then
    echo "$crashes crashing input(s) in $findings/default/crashes" >&2
    exit 1
fi
echo "no crashes"
