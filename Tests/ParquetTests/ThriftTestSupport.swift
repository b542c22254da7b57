// Helpers shared by the Thrift and metadata tests.

import Parquet
import Testing

/// Runs `body` over a reader of `bytes`.
func withReader<R>(
    _ bytes: [UInt8], _ body: (inout ThriftCompactReader) throws(ParquetError) -> R
) throws(ParquetError) -> R {
    let result: Result<R, ParquetError> = bytes.withUnsafeBytes { buffer in
        var reader = ThriftCompactReader(buffer)
        do throws(ParquetError) {
            return .success(try body(&reader))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

/// The error `body` throws, or `nil` when it returns. Anything but a `ParquetError` is a test
/// failure (the library's API throws `ParquetError` only).
func thrownError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> ParquetError? {
    do {
        try body()
        return nil
    } catch let error as ParquetError {
        return error
    } catch {
        Issue.record("not a ParquetError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Whether `error` is `corrupt` with a byte offset in its location.
func isCorruptWithOffset(_ error: ParquetError?) -> Bool {
    guard case .corrupt(_, let location, _)? = error else { return false }
    return location.hasPrefix("byte offset ")
}

/// The detail text of a `corrupt` error.
func corruptDetail(_ error: ParquetError?) -> String? {
    guard case .corrupt(_, _, let detail)? = error else { return nil }
    return detail
}

/// Bytes written by `body` into a fresh writer.
func written(_ body: (inout ThriftCompactWriter) -> Void) -> [UInt8] {
    var w = ThriftCompactWriter()
    body(&w)
    return w.bytes
}

/// A small deterministic generator (SplitMix64) for seeded mutations.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
