import Arrow
@testable import Parquet
import Testing

/// Swift writer → Swift reader round trips (issue 3: the property test over random schemas).
@Suite struct ParquetRoundTripTests {
    static let leafTypes: [DataType] = [
        .boolean, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float16, .float32, .float64,
        .utf8, .largeUtf8, .binary, .largeBinary, .fixedSizeBinary(byteWidth: 5), .date32, .date64,
        .time32(.second), .time32(.millisecond), .time64(.microsecond), .time64(.nanosecond),
        .timestamp(.second, timezone: nil), .timestamp(.millisecond, timezone: "UTC"), .timestamp(.microsecond, timezone: nil),
        .timestamp(.nanosecond, timezone: "Europe/Paris"), .duration(.microsecond), .decimal128(precision: 9, scale: 2),
        .decimal128(precision: 38, scale: 10), .null,
    ]

    static func randomType(_ rng: inout ArrowRandom.Rng, depth: Int) -> DataType {
        let pick = rng.int(depth >= 3 ? 1 : 10)
        switch pick {
        case 7: return .struct((0..<(1 + rng.int(3))).map { i in randomField("f\(i)", &rng, depth: depth + 1) })
        case 8: return .list(randomField("item", &rng, depth: depth + 1))
        case 9:
            switch rng.int(3) {
            case 0: return .largeList(randomField("item", &rng, depth: depth + 1))
            case 1: return .fixedSizeList(randomField("item", &rng, depth: depth + 1), listSize: 1 + rng.int(3))
            default:
                return .map(Field("entries", .struct([Field("key", .utf8, nullable: false), randomField("value", &rng, depth: depth + 1)]), nullable: false), keysSorted: false)
            }
        default: return leafTypes[rng.int(leafTypes.count)]
        }
    }

    static func randomField(_ name: String, _ rng: inout ArrowRandom.Rng, depth: Int) -> Field {
        let type = randomType(&rng, depth: depth)
        return Field(name, type, nullable: type == .null || rng.chance(0.6), metadata: rng.chance(0.2) ? [("k", "v\(rng.int(9))")] : [])
    }

    static func roundTrip(_ batches: [RecordBatch], _ schema: Schema, _ options: ParquetWriterOptions) throws -> ParquetFileReader {
        let bytes = try ParquetFileWriter.write(batches, schema: schema, options: options)
        return try ParquetFileReader(bytes: bytes, name: "memory")
    }

    @Test(arguments: 0..<40)
    func randomSchemasRoundTrip(seed: Int) throws {
        var rng = ArrowRandom.Rng(state: UInt64(seed) &* 0x5DEECE66D &+ 11)
        let fields = (0..<(1 + rng.int(6))).map { Self.randomField("c\($0)", &rng, depth: 0) }
        let schema = Schema(fields, metadata: seed % 3 == 0 ? [("origin", "test")] : [])
        var batches: [RecordBatch] = []
        for _ in 0..<(1 + rng.int(3)) {
            let n = rng.int(300)
            let columns = try fields.map { try ArrowRandom.random($0.type, n, nullable: $0.nullable, &rng) }
            let batch = try RecordBatch(schema: schema, columns: columns, length: n)
            try batch.asStructArray().validate()
            batches.append(batch)
        }
        var options = ParquetWriterOptions()
        options.codec = [CompressionCodec.uncompressed, .snappy, .zstd, .gzip, .lz4Raw][seed % 5]
        options.pageVersion = seed % 2 == 0 ? 1 : 2
        options.dictionary = seed % 4 < 2
        options.dataPageBytes = [64, 1024, 1 << 20][seed % 3]
        options.maxRowGroupRows = [7, 100, 1 << 20][(seed / 3) % 3]
        let reader = try Self.roundTrip(batches, schema, options)
        #expect(reader.usedArrowSchemaHint)
        #expect(reader.schema == schema, "schema: \(reader.schema) vs \(schema)")
        let back = try reader.readAll()
        let expected = try RecordBatch.concatenate(batches)
        #expect(back.length == expected.length)
        for (i, (a, b)) in zip(back.columns, expected.columns).enumerated() {
            #expect(a.logicallyEquals(b), "seed \(seed) column \(fields[i]) differs")
        }
    }

    @Test func everyEncodingRoundTrips() throws {
        var rng = ArrowRandom.Rng(state: 99)
        let schema = Schema([Field("i32", .int32), Field("i64", .int64, nullable: false), Field("f", .float64), Field("s", .utf8), Field("b", .boolean), Field("fsb", .fixedSizeBinary(byteWidth: 5))])
        let n = 1000
        let batch = try RecordBatch(schema: schema, columns: schema.fields.map { try ArrowRandom.random($0.type, n, nullable: $0.nullable, &rng) }, length: n)
        let cases: [[String: Encoding]] = [
            ["i32": .deltaBinaryPacked, "i64": .deltaBinaryPacked, "s": .deltaLengthByteArray, "b": .rle, "fsb": .deltaByteArray],
            ["i32": .byteStreamSplit, "i64": .byteStreamSplit, "f": .byteStreamSplit, "s": .deltaByteArray, "fsb": .byteStreamSplit],
            [:],
        ]
        for encodings in cases {
            for version in [1, 2] {
                var options = ParquetWriterOptions()
                options.columnEncodings = encodings
                options.pageVersion = version
                options.dataPageBytes = 512
                let reader = try Self.roundTrip([batch], schema, options)
                let back = try reader.readAll()
                #expect(back == batch, "\(encodings) v\(version)")
                for (name, e) in encodings {
                    let i = schema.index(of: name)!
                    #expect(reader.metadata.rowGroups[0].columns[i].metaData!.encodings.contains(e))
                }
            }
        }
    }

    @Test func dictionaryFallsBackToPlainWhenTooLarge() throws {
        let n = 5000
        let strings = (0..<n).map { "value-\($0)-" + String(repeating: "x", count: 40) }
        let column = try ArrayData.from(strings)
        let schema = Schema([Field("s", .utf8, nullable: false)])
        let batch = try RecordBatch(schema: schema, columns: [column])
        var options = ParquetWriterOptions()
        options.maxDictionaryBytes = 16 << 10
        options.dataPageBytes = 8 << 10
        let reader = try Self.roundTrip([batch], schema, options)
        let meta = reader.metadata.rowGroups[0].columns[0].metaData!
        #expect(meta.encodings.contains(.rleDictionary) && meta.encodings.contains(.plain))
        #expect(meta.dictionaryPageOffset != nil)
        #expect(try reader.readAll() == batch)
    }

    @Test func statisticsFollowTheTypeDefinedOrder() throws {
        let schema = Schema([Field("u", .uint32), Field("d", .float64), Field("s", .utf8), Field("allNull", .int32)])
        let u = ArrayData.from([UInt32(3), UInt32.max, nil, 7])
        let d = ArrayData.from([Double.nan, 0.0, -0.0, 2.5])
        let s = try ArrayData.from(["b", nil, "ab", "abc"])
        let allNull = ArrayData.from([Int32?](repeating: nil, count: 4))
        let batch = try RecordBatch(schema: schema, columns: [u, d, s, allNull])
        let reader = try Self.roundTrip([batch], schema, ParquetWriterOptions())
        let stats = reader.metadata.rowGroups[0].columns.map { $0.metaData!.statistics! }
        #expect(stats[0].minValue == ColumnStatisticsBuilder.bytes(UInt32(3)) && stats[0].maxValue == ColumnStatisticsBuilder.bytes(UInt32.max))
        #expect(stats[0].nullCount == 1)
        #expect(stats[1].minValue == ColumnStatisticsBuilder.bytes(-0.0) && stats[1].maxValue == ColumnStatisticsBuilder.bytes(2.5))
        #expect(stats[2].minValue == Array("ab".utf8) && stats[2].maxValue == Array("b".utf8))
        #expect(stats[3].minValue == nil && stats[3].nullCount == 4)
    }
}
