// Reading the parquet.thrift enumerations (Enums.swift) from compact-protocol i32 values.

extension ThriftCompactReader {
    /// Reads a `Type`; values outside 0...7 are `corrupt`.
    @inline(__always)
    public mutating func readPhysicalType() throws(ParquetError) -> PhysicalType {
        let start = position
        let v = try readI32()
        guard let t = PhysicalType(rawValue: v) else { throw invalidEnum("physical type", v, at: start) }
        return t
    }

    /// Reads a `FieldRepetitionType`. `VECTOR` (3) is `unsupported`; other unknown values are
    /// `corrupt`.
    public mutating func readRepetition() throws(ParquetError) -> Repetition {
        let start = position
        let v = try readI32()
        if let r = Repetition(rawValue: v) { return r }
        if v == 3 { throw .unsupported("VECTOR repetition type", at: "byte offset \(baseOffset &+ start)") }
        throw invalidEnum("repetition type", v, at: start)
    }

    /// Reads a `ConvertedType`; an unknown value gives `nil` (the logical type, when present,
    /// still describes the column).
    public mutating func readConvertedType() throws(ParquetError) -> ConvertedType? {
        ConvertedType(rawValue: try readI32())
    }

    /// Reads an `Encoding` (unknown values are kept as `.unknown`).
    @inline(__always)
    public mutating func readEncoding() throws(ParquetError) -> Encoding {
        Encoding(thrift: try readI32())
    }

    /// Reads a `CompressionCodec` (unknown values are kept as `.unknown`).
    public mutating func readCompressionCodec() throws(ParquetError) -> CompressionCodec {
        CompressionCodec(thrift: try readI32())
    }

    /// Reads a `PageType` (unknown values are kept as `.unknown`).
    public mutating func readPageType() throws(ParquetError) -> PageType {
        PageType(thrift: try readI32())
    }

    /// Reads a `list<Encoding>`.
    public mutating func readEncodingList() throws(ParquetError) -> [Encoding] {
        let count = try readListHeader(expecting: .i32)
        var out: [Encoding] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readEncoding()) }
        return out
    }
}

extension ThriftCompactWriter {
    public mutating func writeField(_ id: Int16, _ value: PhysicalType) { writeField(id, value.rawValue) }
    public mutating func writeField(_ id: Int16, _ value: Repetition) { writeField(id, value.rawValue) }
    public mutating func writeField(_ id: Int16, _ value: ConvertedType) { writeField(id, value.rawValue) }
    public mutating func writeField(_ id: Int16, _ value: Encoding) { writeField(id, value.thriftValue) }
    public mutating func writeField(_ id: Int16, _ value: CompressionCodec) { writeField(id, value.thriftValue) }
    public mutating func writeField(_ id: Int16, _ value: PageType) { writeField(id, value.thriftValue) }

    public mutating func writeField(_ id: Int16, _ value: PhysicalType?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: Repetition?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: ConvertedType?) { if let value { writeField(id, value) } }

    /// Writes a `list<Encoding>` field.
    public mutating func writeListField(_ id: Int16, _ values: [Encoding]) {
        writeFieldHeader(id, .list)
        writeListHeader(.i32, count: values.count)
        for v in values { writeI32(v.thriftValue) }
    }
}
