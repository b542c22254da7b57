// Encode → decode round trips of every metadata struct, with optional fields set and unset,
// and the required-field and footer checks.

import Parquet
import Testing

/// Sample values of every metadata struct.
enum MetadataSamples {
    static let fullStatistics = Statistics(
        max: [9, 0, 0, 0], min: [1, 0, 0, 0], nullCount: 3, distinctCount: 7,
        maxValue: [0xFF, 0xFE], minValue: [], isMaxValueExact: true, isMinValueExact: false, nanCount: 0)

    static let fullColumnMetaData = ColumnMetaData(
        type: .byteArray, encodings: [.plain, .rle, .rleDictionary, .unknown(42)],
        pathInSchema: ["c__tags", "list", "element"], codec: .zstd, numValues: 1234,
        totalUncompressedSize: 99_999_999_999, totalCompressedSize: 1_000,
        keyValueMetadata: [ParquetKeyValue(key: "k", value: "v"), ParquetKeyValue(key: "novalue")],
        dataPageOffset: 4, indexPageOffset: 17, dictionaryPageOffset: 4,
        statistics: fullStatistics,
        encodingStats: [
            PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1),
            PageEncodingStats(pageType: .dataPage, encoding: .rleDictionary, count: 12),
            PageEncodingStats(pageType: .unknown(9), encoding: .unknown(-1), count: 0),
        ],
        bloomFilterOffset: 5000, bloomFilterLength: 64)

    static let fullColumnChunk = ColumnChunk(
        filePath: "other.parquet", fileOffset: 77, metaData: fullColumnMetaData,
        offsetIndexOffset: 10_000, offsetIndexLength: 20, columnIndexOffset: 10_020, columnIndexLength: 30)

    static let fullRowGroup = RowGroup(
        columns: [fullColumnChunk, ColumnChunk(metaData: ColumnMetaData(type: .int32))],
        totalByteSize: 5000, numRows: 1000,
        sortingColumns: [SortingColumn(columnIndex: 1, descending: true, nullsFirst: false)],
        fileOffset: 4, totalCompressedSize: 4000, ordinal: 3)

    static let logicalTypes: [LogicalType] = [
        .string, .map, .list, .enum, .decimal(scale: 2, precision: 9), .date,
        .time(isAdjustedToUTC: true, unit: .millis), .time(isAdjustedToUTC: false, unit: .nanos),
        .timestamp(isAdjustedToUTC: true, unit: .micros), .timestamp(isAdjustedToUTC: false, unit: .nanos),
        .integer(bitWidth: 8, isSigned: false), .integer(bitWidth: 64, isSigned: true),
        .null, .json, .bson, .uuid, .float16, .unknown(16), .unknown(19), .unknown(300),
    ]

    static let fullSchema: [SchemaElement] = [
        SchemaElement(name: "schema", repetitionType: .required, numChildren: 3),
        SchemaElement(
            name: "d", type: .fixedLenByteArray, typeLength: 16, repetitionType: .optional,
            convertedType: .decimal, scale: 2, precision: 30, fieldId: 7,
            logicalType: .decimal(scale: 2, precision: 30)),
        SchemaElement(
            name: "tags", repetitionType: .optional, numChildren: 1, convertedType: .list, logicalType: .list),
        SchemaElement(name: "list", repetitionType: .repeated, numChildren: 1),
        SchemaElement(name: "élément", type: .byteArray, repetitionType: .required, convertedType: .utf8, logicalType: .string),
    ]

    static let fullFileMetaData = FileMetaData(
        version: 2, schema: fullSchema, numRows: 2000, rowGroups: [fullRowGroup, RowGroup(numRows: 0)],
        keyValueMetadata: [ParquetKeyValue(key: "ARROW:schema", value: String(repeating: "QUJD", count: 100))],
        createdBy: "archetype version 0.1.0",
        columnOrders: [.typeDefinedOrder, .ieee754TotalOrder, .int96TimestampOrder, .unknown(9)],
        encryptionAlgorithm: nil, footerSigningKeyMetadata: [1, 2, 3])

    static let fullPageHeaders: [PageHeader] = [
        PageHeader(
            type: .dataPage, uncompressedPageSize: 100, compressedPageSize: 80, crc: -123_456,
            dataPageHeader: DataPageHeader(
                numValues: 10, encoding: .plain, definitionLevelEncoding: .rle,
                repetitionLevelEncoding: .bitPacked, statistics: fullStatistics)),
        PageHeader(
            type: .dictionaryPage, uncompressedPageSize: 10, compressedPageSize: 10,
            dictionaryPageHeader: DictionaryPageHeader(numValues: 2, encoding: .plainDictionary, isSorted: true)),
        PageHeader(
            type: .dataPageV2, uncompressedPageSize: 50, compressedPageSize: 40, crc: 0,
            dataPageHeaderV2: DataPageHeaderV2(
                numValues: 10, numNulls: 2, numRows: 5, encoding: .deltaBinaryPacked,
                definitionLevelsByteLength: 3, repetitionLevelsByteLength: 4, isCompressed: false,
                statistics: Statistics(nullCount: 2))),
        PageHeader(type: .indexPage, uncompressedPageSize: 0, compressedPageSize: 0, hasIndexPageHeader: true),
        PageHeader(type: .unknown(7), uncompressedPageSize: 1, compressedPageSize: 1),
    ]
}

/// Decode(encode(value)) == value, and the encoding ends exactly where the decoder stops.
func roundTrips<T: ThriftStruct & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let bytes = value.encoded()
    let (decoded, consumed) = try withReader(bytes) { r throws(ParquetError) in (try T.decode(from: &r), r.position) }
    #expect(decoded == value, sourceLocation: sourceLocation)
    #expect(consumed == bytes.count, sourceLocation: sourceLocation)
    // Re-encoding gives the same bytes.
    #expect(decoded.encoded() == bytes, sourceLocation: sourceLocation)
}

@Suite struct MetadataRoundTripTests {
    @Test func keyValue() throws {
        try roundTrips(ParquetKeyValue(key: "k", value: "v"))
        try roundTrips(ParquetKeyValue(key: "k"))
        try roundTrips(ParquetKeyValue(key: "", value: ""))
    }

    @Test func statistics() throws {
        try roundTrips(MetadataSamples.fullStatistics)
        try roundTrips(Statistics())
        #expect(Statistics().encoded() == [0x00])
        try roundTrips(Statistics(nullCount: 0))
        try roundTrips(Statistics(isMaxValueExact: false))
    }

    @Test func pageEncodingStatsAndSortingColumns() throws {
        try roundTrips(PageEncodingStats(pageType: .dataPageV2, encoding: .byteStreamSplit, count: .max))
        try roundTrips(SortingColumn(columnIndex: 0))
        try roundTrips(SortingColumn(columnIndex: 5, descending: true, nullsFirst: true))
    }

    @Test func logicalTypes() throws {
        for t in MetadataSamples.logicalTypes { try roundTrips(t) }
        for u in [LogicalType.TimeUnit.millis, .micros, .nanos] { try roundTrips(u) }
    }

    @Test func columnOrders() throws {
        for o in [ColumnOrder.typeDefinedOrder, .ieee754TotalOrder, .int96TimestampOrder, .unknown(4), .unknown(-2)] {
            try roundTrips(o)
        }
    }

    @Test func encryptionAlgorithm() throws {
        for a in [EncryptionAlgorithm.aesGcmV1, .aesGcmCtrV1, .unknown(5)] { try roundTrips(a) }
    }

    @Test func schemaElements() throws {
        for e in MetadataSamples.fullSchema { try roundTrips(e) }
        try roundTrips(SchemaElement(name: "x"))
        for t in MetadataSamples.logicalTypes { try roundTrips(SchemaElement(name: "c", type: .int64, logicalType: t)) }
        for p in PhysicalType.allCases { try roundTrips(SchemaElement(name: "c", type: p, repetitionType: .optional)) }
    }

    @Test func columnMetaDataChunkAndRowGroup() throws {
        try roundTrips(MetadataSamples.fullColumnMetaData)
        try roundTrips(ColumnMetaData(type: .boolean))
        try roundTrips(MetadataSamples.fullColumnChunk)
        try roundTrips(ColumnChunk())
        try roundTrips(MetadataSamples.fullRowGroup)
        try roundTrips(RowGroup())
        let codecs: [CompressionCodec] = [.uncompressed, .snappy, .gzip, .lzo, .brotli, .lz4, .zstd, .lz4Raw, .unknown(99)]
        for c in codecs { try roundTrips(ColumnMetaData(type: .double, codec: c)) }
    }

    @Test func fileMetaData() throws {
        try roundTrips(MetadataSamples.fullFileMetaData)
        try roundTrips(FileMetaData())
        var encrypted = FileMetaData()
        encrypted.encryptionAlgorithm = .aesGcmV1
        try roundTrips(encrypted)
        #expect(try FileMetaData.decode(encrypted.encoded()).isEncrypted)
        #expect(MetadataSamples.fullFileMetaData.metadataValue(forKey: "ARROW:schema")?.count == 400)
    }

    @Test func pageHeaders() throws {
        for h in MetadataSamples.fullPageHeaders { try roundTrips(h) }
        try roundTrips(DataPageHeader(numValues: 0))
        try roundTrips(DataPageHeaderV2(numValues: 0, numRows: 0))
        try roundTrips(DictionaryPageHeader(numValues: 0))
    }

    @Test func dataPageV2IsCompressedDefaultsToTrue() throws {
        let bytes = written { w in
            let s = w.beginStruct()
            for id: Int16 in 1...6 { w.writeField(id, Int32(id)) }
            w.endStruct(s)
        }
        let h = try DataPageHeaderV2.decode(bytes)
        #expect(h.isCompressed)
        #expect(h.numValues == 1 && h.numNulls == 2 && h.numRows == 3 && h.encoding == .bitPacked)
        #expect(h.definitionLevelsByteLength == 5 && h.repetitionLevelsByteLength == 6)
    }

    // MARK: Required fields

    /// Every required field of `value` removed in turn (by re-encoding with that field's id
    /// renumbered to an unknown one) must give `corrupt` naming the field.
    func expectRequired<T: ThriftStruct>(
        _ type: T.Type, _ value: some ThriftStruct, required: [(Int16, String)],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let bytes = value.encoded()
        for (id, name) in required {
            let stripped = removingTopLevelField(id, from: bytes)
            let error = thrownError { _ = try T.decode(stripped) }
            #expect(isCorruptWithOffset(error), "\(T.self).\(name)", sourceLocation: sourceLocation)
            #expect(corruptDetail(error)?.contains(name) == true, "\(T.self).\(name): \(String(describing: error))", sourceLocation: sourceLocation)
        }
    }

    /// Re-encodes the top-level struct in `bytes` with field `id` dropped (other fields copied
    /// through the skipping reader).
    func removingTopLevelField(_ id: Int16, from bytes: [UInt8]) -> [UInt8] {
        var out = ThriftCompactWriter()
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            var r = ThriftCompactReader(buffer)
            do throws(ParquetError) {
                let outer = out.beginStruct()
                let saved = try r.beginStruct()
                while let f = try r.readFieldHeader() {
                    let start = r.position
                    try r.skip(f)
                    if f.id == id { continue }
                    if f.type == .bool {
                        out.writeField(f.id, f.boolValue)
                    } else {
                        out.writeFieldHeader(f.id, f.type)
                        out.bytes += buffer[start..<r.position]
                    }
                }
                r.endStruct(saved)
                out.endStruct(outer)
                return true
            } catch {
                return false
            }
        }
        #expect(ok)
        return out.bytes
    }

    @Test func missingRequiredFieldsAreCorrupt() {
        expectRequired(ParquetKeyValue.self, ParquetKeyValue(key: "k", value: "v"), required: [(1, "key")])
        expectRequired(
            PageEncodingStats.self, PageEncodingStats(pageType: .dataPage, encoding: .plain, count: 1),
            required: [(1, "page_type"), (2, "encoding"), (3, "count")])
        expectRequired(
            SortingColumn.self, SortingColumn(columnIndex: 1),
            required: [(1, "column_idx"), (2, "descending"), (3, "nulls_first")])
        expectRequired(SchemaElement.self, SchemaElement(name: "x", type: .int32), required: [(4, "name")])
        expectRequired(
            ColumnMetaData.self, MetadataSamples.fullColumnMetaData,
            required: [
                (1, "type"), (2, "encodings"), (3, "path_in_schema"), (4, "codec"), (5, "num_values"),
                (6, "total_uncompressed_size"), (7, "total_compressed_size"), (9, "data_page_offset"),
            ])
        expectRequired(
            RowGroup.self, MetadataSamples.fullRowGroup,
            required: [(1, "columns"), (2, "total_byte_size"), (3, "num_rows")])
        expectRequired(
            FileMetaData.self, MetadataSamples.fullFileMetaData,
            required: [(1, "version"), (2, "schema"), (3, "num_rows"), (4, "row_groups")])
        expectRequired(
            PageHeader.self, MetadataSamples.fullPageHeaders[0],
            required: [(1, "type"), (2, "uncompressed_page_size"), (3, "compressed_page_size")])
        expectRequired(
            DataPageHeader.self, DataPageHeader(numValues: 1),
            required: [(1, "num_values"), (2, "encoding"), (3, "definition_level_encoding"), (4, "repetition_level_encoding")])
        expectRequired(
            DataPageHeaderV2.self, DataPageHeaderV2(numValues: 1, numRows: 1),
            required: [
                (1, "num_values"), (2, "num_nulls"), (3, "num_rows"), (4, "encoding"),
                (5, "definition_levels_byte_length"), (6, "repetition_levels_byte_length"),
            ])
        expectRequired(
            DictionaryPageHeader.self, DictionaryPageHeader(numValues: 1), required: [(1, "num_values"), (2, "encoding")])
    }

    @Test func requiredFieldsOfNestedAnnotations() {
        // DECIMAL without precision, TIMESTAMP without unit, INTEGER without isSigned.
        let decimal = written { w in
            let s = w.beginStruct(); w.writeFieldHeader(5, .struct)
            let d = w.beginStruct(); w.writeField(1, Int32(2)); w.endStruct(d)
            w.endStruct(s)
        }
        #expect(corruptDetail(thrownError { _ = try LogicalType.decode(decimal) })?.contains("precision") == true)
        let timestamp = written { w in
            let s = w.beginStruct(); w.writeFieldHeader(8, .struct)
            let d = w.beginStruct(); w.writeField(1, true); w.endStruct(d)
            w.endStruct(s)
        }
        #expect(corruptDetail(thrownError { _ = try LogicalType.decode(timestamp) })?.contains("unit") == true)
        let integer = written { w in
            let s = w.beginStruct(); w.writeFieldHeader(10, .struct)
            let d = w.beginStruct(); w.writeField(1, Int8(8)); w.endStruct(d)
            w.endStruct(s)
        }
        #expect(corruptDetail(thrownError { _ = try LogicalType.decode(integer) })?.contains("isSigned") == true)
        #expect(isCorruptWithOffset(thrownError { _ = try LogicalType.decode([0x00]) }))
        #expect(isCorruptWithOffset(thrownError { _ = try LogicalType.TimeUnit.decode([0x00]) }))
        #expect(isCorruptWithOffset(thrownError { _ = try ColumnOrder.decode([0x00]) }))
    }

    @Test func unionsKeepTheFirstMemberAndUnknownOnes() throws {
        // LogicalType with STRING then JSON: STRING wins, JSON skipped.
        let two = written { w in
            let s = w.beginStruct()
            w.writeFieldHeader(1, .struct); w.writeEmptyStruct()
            w.writeFieldHeader(12, .struct); w.writeEmptyStruct()
            w.endStruct(s)
        }
        #expect(try LogicalType.decode(two) == .string)
        // VARIANT (16) with a parameter: unknown, its content skipped.
        let variant = written { w in
            let s = w.beginStruct()
            w.writeFieldHeader(16, .struct)
            let v = w.beginStruct(); w.writeField(1, Int8(1)); w.endStruct(v)
            w.endStruct(s)
        }
        #expect(try LogicalType.decode(variant) == .unknown(16))
        // An empty annotation struct with unknown fields inside is still recognised.
        let padded = written { w in
            let s = w.beginStruct()
            w.writeFieldHeader(6, .struct)
            let v = w.beginStruct(); w.writeField(9, "future"); w.endStruct(v)
            w.endStruct(s)
        }
        #expect(try LogicalType.decode(padded) == .date)
    }

    @Test func invalidEnumValues() throws {
        let badType = written { w in
            let s = w.beginStruct(); w.writeField(1, Int32(8)); w.writeField(4, "x"); w.endStruct(s)
        }
        #expect(isCorruptWithOffset(thrownError { _ = try SchemaElement.decode(badType) }))
        let badRepetition = written { w in
            let s = w.beginStruct(); w.writeField(3, Int32(7)); w.writeField(4, "x"); w.endStruct(s)
        }
        #expect(isCorruptWithOffset(thrownError { _ = try SchemaElement.decode(badRepetition) }))
        let vector = written { w in
            let s = w.beginStruct(); w.writeField(3, Int32(3)); w.writeField(4, "x"); w.endStruct(s)
        }
        guard case .unsupported(_, _, let feature)? = thrownError({ _ = try SchemaElement.decode(vector) }) else {
            Issue.record("VECTOR repetition should be unsupported")
            return
        }
        #expect(feature.contains("VECTOR"))
        // An unknown converted type is dropped; the element still decodes.
        let converted = written { w in
            let s = w.beginStruct(); w.writeField(4, "x"); w.writeField(6, Int32(99)); w.endStruct(s)
        }
        #expect(try SchemaElement.decode(converted) == SchemaElement(name: "x"))
    }

    @Test func truncationAtEveryOffsetThrows() {
        let bytes = MetadataSamples.fullFileMetaData.encoded()
        for n in 0..<bytes.count {
            let error = thrownError { _ = try FileMetaData.decode(Array(bytes[0..<n])) }
            #expect(isCorruptWithOffset(error), "prefix of \(n) bytes")
        }
        for h in MetadataSamples.fullPageHeaders {
            let b = h.encoded()
            for n in 0..<b.count {
                #expect(isCorruptWithOffset(thrownError { _ = try PageHeader.decode(Array(b[0..<n])) }))
            }
        }
    }

    @Test func seededMutationsNeverTrap() {
        let bytes = MetadataSamples.fullFileMetaData.encoded()
        var rng = SplitMix64(seed: 0x5EED)
        var decoded = 0
        for _ in 0..<3000 {
            var m = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<m.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: m[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: m[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                case 2: m[i] = 0xFF
                default: m.removeSubrange(i..<Swift.min(m.count, i + Int.random(in: 1...8, using: &rng)))
                }
                if m.isEmpty { break }
            }
            if (try? FileMetaData.decode(m)) != nil { decoded += 1 }
        }
        // Some mutations hit values only; most break the structure.
        #expect(decoded > 0)
    }
}
