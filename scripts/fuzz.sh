#!/usr/bin/env bash
# Builds the libFuzzer target of the Parquet reader and runs it (docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS] [CORPUS_DIR] [-- extra libFuzzer flags]
#
# SECONDS     -max_total_time (default 600)
# CORPUS_DIR  the working corpus (default .fuzz/corpus, created and seeded from
#             Tests/ParquetTests/FuzzCorpus; new inputs are written here, never into the
#             committed seeds)
#
# Environment: FUZZ_JOBS (default 1) runs that many fuzzer processes (-fork);
# FUZZ_BUILD_ONLY=1 only builds .build-fuzz/parquet-fuzzer.
# Crashes land in .fuzz/artifacts/. Reproduce and minimize one with:
#   export SWIFT_BACKTRACE=enable=no LSAN_OPTIONS=suppressions=$PWD/scripts/fuzz-lsan.supp
#   .build-fuzz/parquet-fuzzer .fuzz/artifacts/crash-…
#   .build-fuzz/parquet-fuzzer -minimize_crash=1 -runs=200000 -exact_artifact_path=/tmp/min .fuzz/artifacts/crash-…
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-600}
corpus=${2:-.fuzz/corpus}
shift $(( $# > 2 ? 2 : $# ))
[[ ${1:-} == "--" ]] && shift

scratch=.build-fuzz
# The library, every Swift module instrumented for libFuzzer and AddressSanitizer (debug, so
# Swift's overflow and bounds checks are on too).
swift build -c debug --product ParquetFuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address
bin=$(swift build -c debug --product ParquetFuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address --show-bin-path)

# The fuzzer binary: libFuzzer's main plus the static library. swiftc needs a source file; with
# -parse-as-library an empty one defines no `main` (libFuzzer's is used), and
# LLVMFuzzerTestOneInput comes from libParquetFuzz.a.
main=$scratch/fuzz-main.swift
echo "// libFuzzer provides main; LLVMFuzzerTestOneInput is in libParquetFuzz.a." > "$main"
swiftc -sanitize=fuzzer,address -parse-as-library -g \
    -I "$bin/Modules" -L "$bin" -lParquetFuzz \
    -lswiftSynchronization -lswiftGlibc -lzstd -lsnappy -llz4 -lz \
    "$main" -o "$scratch/parquet-fuzzer"
echo "built $scratch/parquet-fuzzer"
[[ ${FUZZ_BUILD_ONLY:-0} == 1 ]] && exit 0

mkdir -p "$corpus" .fuzz/artifacts
# Seed the working corpus from the committed one (existing files are kept).
cp -n Tests/ParquetTests/FuzzCorpus/* "$corpus"/ 2>/dev/null || true

jobs=${FUZZ_JOBS:-1}
fork=()
(( jobs > 1 )) && fork=(-fork="$jobs" -ignore_crashes=0)

export SWIFT_BACKTRACE=enable=no
# A false positive of LeakSanitizer at exit (see the file); real leaks are still reported.
export LSAN_OPTIONS=suppressions=$root/scripts/fuzz-lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
exec "$scratch/parquet-fuzzer" "$corpus" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -max_len=65536 \
    -artifact_prefix="$root/.fuzz/artifacts/" -print_final_stats=1 \
    "${fork[@]}" "$@"
