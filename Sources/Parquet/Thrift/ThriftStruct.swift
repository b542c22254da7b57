// A Thrift struct that can be read from and written to the compact protocol.

/// A struct (or union) of parquet.thrift with a compact-protocol codec.
///
/// `decode` reads a whole struct, stop field included; unknown fields are skipped and missing
/// required fields are `corrupt`. `encode` writes a whole struct with fields in ascending id
/// order, stop field included.
///
/// Implementation note: optional stored properties of the metadata structs are spelled
/// `Optional<T>` rather than `T?`. A `var x: T?` property is implicitly initialised to `nil`,
/// which turns the stores of an explicit initialiser into re-assignments; with Swift 6.3 that
/// costs a full copy (retain and release of every reference) of the struct on each `decode`.
public protocol ThriftStruct: Sendable {
    static func decode(from reader: inout ThriftCompactReader) throws(ParquetError) -> Self
    func encode(to writer: inout ThriftCompactWriter)
}

extension ThriftStruct {
    /// Decodes one struct from the start of `bytes`. `baseOffset` is added to error offsets.
    public static func decode(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) throws(ParquetError) -> Self {
        var reader = ThriftCompactReader(bytes, baseOffset: baseOffset)
        return try decode(from: &reader)
    }

    /// Decodes one struct from the start of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(ParquetError) -> Self {
        let result: Result<Self, ParquetError> = bytes.withUnsafeBytes { buffer in
            var reader = ThriftCompactReader(buffer)
            do throws(ParquetError) {
                return .success(try decode(from: &reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The struct's compact-protocol encoding.
    public func encoded() -> [UInt8] {
        var writer = ThriftCompactWriter()
        encode(to: &writer)
        return writer.bytes
    }
}
