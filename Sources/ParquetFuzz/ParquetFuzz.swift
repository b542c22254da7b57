// The libFuzzer entry point for the Parquet reader (docs/fuzzing.md).
//
// Built only by scripts/fuzz.sh, with `-sanitize=fuzzer,address`; in an ordinary build this is
// a plain static library whose harness the corpus replay test calls (FuzzCorpusReplayTests).

import Arrow
import Parquet

/// libFuzzer calls this once per input. Every malformed input must end in a thrown
/// `ParquetError`; a trap, a sanitizer report, or data that fails Arrow validation is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func parquetFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    if let message = ParquetFuzzHarness.run(bytes).invalidOutput {
        // Data that the reader returned but that is not valid Arrow: report it as a crash.
        fatalError("reader returned invalid Arrow data: \(message)")
    }
    return 0
}
