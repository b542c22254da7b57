#!/usr/bin/env bash
# Sanitizer and valgrind runs of the C ABI (docs/c-abi.md, "Checking the library").
#
#   scripts/sanitize.sh asan       AddressSanitizer: C test program + Python world/negative tests
#   scripts/sanitize.sh tsan       ThreadSanitizer: the C program's 4-thread test
#   scripts/sanitize.sh valgrind   valgrind memcheck on a Python round-trip run (release library)
#   scripts/sanitize.sh all
#
# Each prints a summary line and exits non-zero when its tool reports anything.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
PY=${PY:-.venv/bin/python}
CLANG=${CLANG:-$(dirname "$(command -v "$SWIFT")")/clang}
RT_DIR=$("$CLANG" -print-resource-dir)/lib/linux
OUT=${OUT:-.build-sanitize}
mkdir -p "$OUT"
export SWIFT_BACKTRACE=enable=no

c_sources=(Tests/CABI/*.c)

run_asan() {
    "$SWIFT" build --product ArchetypeFFI -Xswiftc -sanitize=address --scratch-path .build-asan
    local lib=.build-asan/debug
    "$CLANG" -std=c11 -g -fsanitize=address -pthread -I Sources/CArrowABI/include "${c_sources[@]}" \
        -L "$lib" -lArchetypeFFI -Wl,-rpath,"$PWD/$lib" -o "$OUT/abi-test-asan"
    echo "== asan: C test program (leak detection on)"
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
        "$OUT/abi-test-asan" 2>&1 | tee "$OUT/asan-c.log" | tail -3
    echo "== asan: Python world, negative and round-trip tests (runtime preloaded)"
    LD_PRELOAD="$RT_DIR/libclang_rt.asan-x86_64.so" ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
        ARCHETYPE_NATIVE_LIB="$PWD/$lib/libArchetypeFFI.so" ARCHETYPE_NATIVE_CORE=required \
        "$PY" -m pytest -q -p no:cacheprovider python/tests/test_world_abi.py python/tests/test_world_threads.py \
        python/tests/test_negative.py python/tests/test_roundtrip.py python/tests/test_stream.py \
        python/tests/test_movement.py python/tests/test_ffi_basics.py 2>&1 | tee "$OUT/asan-python.log" | tail -3
    if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer" "$OUT/asan-c.log" "$OUT/asan-python.log"; then
        echo "asan: REPORTS FOUND (see $OUT/asan-*.log)"; return 1
    fi
    echo "asan: no reports"
}

run_tsan() {
    "$SWIFT" build --product ArchetypeFFI -Xswiftc -sanitize=thread -Xswiftc -DARROW_NO_PREFETCH --scratch-path .build-tsan
    local lib=.build-tsan/debug
    # The static TSan runtime of the Swift toolchain carries libdispatch interceptors, so the C
    # program links the toolchain's libdispatch and BlocksRuntime too.
    local swift_libs
    swift_libs=$(dirname "$(dirname "$(command -v "$SWIFT")")")/lib/swift/linux
    "$CLANG" -std=c11 -g -fsanitize=thread -pthread -I Sources/CArrowABI/include "${c_sources[@]}" \
        -L "$lib" -lArchetypeFFI -Wl,-rpath,"$PWD/$lib" \
        -L "$swift_libs" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swift_libs" -o "$OUT/abi-test-tsan"
    echo "== tsan: 4-thread test"
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$OUT/abi-test-tsan" threads 2>&1 | tee "$OUT/tsan.log" | tail -3
    if grep -q "WARNING: ThreadSanitizer" "$OUT/tsan.log"; then
        echo "tsan: REPORTS FOUND (see $OUT/tsan.log)"; return 1
    fi
    echo "tsan: no reports"
}

# The number of valgrind records (a header line matching $1, up to the blank line ending the
# record) whose stack matches $2.
count_valgrind_records() {
    awk -v head="$1" -v stack="$2" '$0 ~ head {rec=1; buf=""} rec {buf=buf"\n"$0}
        /^==[0-9]+== $/ {if (rec && buf ~ stack) n++; rec=0} END {print n+0}' "$OUT/valgrind.log"
}

run_valgrind() {
    "$SWIFT" build -c release --product ArchetypeFFI
    echo "== valgrind: Python round-trip run"
    PYTHONMALLOC=malloc valgrind --leak-check=full --show-leak-kinds=definite --num-callers=40 \
        "$PY" scripts/valgrind_roundtrip.py .build/release/libArchetypeFFI.so 10 > "$OUT/valgrind.log" 2>&1
    grep -E "valgrind_roundtrip|definitely lost:" "$OUT/valgrind.log"
    # Definitely-lost blocks whose allocation stack passes through the library.
    local ours
    ours=$(count_valgrind_records "are definitely lost in loss record" "ArchetypeFFI")
    echo "valgrind: $ours definitely-lost record(s) from libArchetypeFFI"
    # Memory errors (invalid reads/writes/frees, uses of uninitialised values) whose stack
    # passes through the library or the Swift runtime; CPython's own are not ours.
    local errors
    errors=$(count_valgrind_records "Invalid (read|write|free)|uninitialised|Mismatched free|overlap" "ArchetypeFFI|libswift")
    echo "valgrind: $errors memory error(s) through libArchetypeFFI or the Swift runtime"
    [ "$ours" -eq 0 ] && [ "$errors" -eq 0 ]
}

case "${1:-all}" in
    asan) run_asan ;;
    tsan) run_tsan ;;
    valgrind) run_valgrind ;;
    all) run_asan; run_tsan; run_valgrind ;;
    *) echo "usage: $0 asan|tsan|valgrind|all" >&2; exit 2 ;;
esac
