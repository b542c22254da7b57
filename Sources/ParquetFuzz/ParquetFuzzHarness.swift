import Arrow
import Parquet

/// What one fuzz input did.
public struct ParquetFuzzResult: Sendable {
    /// Record batches returned (one per row group or column read that succeeded).
    public var batches = 0
    /// Rows in those batches.
    public var rows = 0
    /// The errors thrown (all `ParquetError`: every reader API has typed throws).
    public var errors: [ParquetError] = []
    /// Set when the reader returned data that fails `ArrayData.validate()`: a reader bug.
    public var invalidOutput: String?

    public init() {}
}

/// The code path of the fuzz target, shared with the corpus replay test.
///
/// Two kinds of input:
/// - **file mode** (the input starts with `PAR1`, or is shorter than a page-mode header): the
///   bytes are opened as a whole Parquet file and every row group is read; a row group that
///   fails is read again column by column, so one bad chunk does not hide the others.
/// - **page mode** (anything else): the first ``PageInput/headerSize`` bytes choose a column
///   (physical type, required / optional / list, logical annotation), an encoding, a codec, the
///   page version and the counts; the rest becomes an optional dictionary page body and one or
///   two data page bodies. The harness wraps them into a well-formed file (headers and footer
///   written by our Thrift writer, bodies compressed with the chosen codec unless "raw" is
///   chosen) and reads it, so the fuzzer drives the page decoders directly without having to
///   keep a footer consistent. The payload is also fed to the Thrift footer and page-header
///   decoders.
public enum ParquetFuzzHarness {
    /// Reader options for fuzzing: a 16 MiB page cap keeps every legitimate allocation small,
    /// so libFuzzer's malloc limit flags any allocation that is not bounded by it.
    public static var options: ParquetReaderOptions {
        var o = ParquetReaderOptions()
        o.maxPageBytes = 16 << 20
        return o
    }

    /// Runs one input.
    public static func run(_ input: UnsafeRawBufferPointer) -> ParquetFuzzResult {
        if input.count >= PageInput.headerSize, !startsWithMagic(input) {
            return runPageMode(input)
        }
        return readFile(input)
    }

    /// Runs one input held in an array.
    public static func run(_ input: [UInt8]) -> ParquetFuzzResult {
        input.withUnsafeBytes { run($0) }
    }

    static func startsWithMagic(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 4 && b[0] == 0x50 && b[1] == 0x41 && b[2] == 0x52 && b[3] == 0x31
    }

    /// A copy of `bytes` whose last byte is the last byte of its allocation (for inputs below
    /// the Arrow buffer pool's threshold), so that AddressSanitizer sees any read past the end
    /// of the file instead of the Arrow buffer's zero padding.
    public static func endAlignedBuffer(_ bytes: UnsafeRawBufferPointer) -> ArrowBuffer {
        let padded = (bytes.count + 63) & ~63
        let lead = padded - bytes.count
        let m = MutableBuffer(capacity: padded)
        m.appendZeros(lead)
        m.append(contentsOf: bytes)
        let whole = m.finish()
        return whole.slice(byteOffset: lead, count: bytes.count) ?? whole
    }

    /// Opens `input` as a Parquet file and reads every row group (then, for a row group that
    /// fails, every top-level column of it on its own).
    public static func readFile(_ input: UnsafeRawBufferPointer, options: ParquetReaderOptions = ParquetFuzzHarness.options) -> ParquetFuzzResult {
        var result = ParquetFuzzResult()
        let reader: ParquetFileReader
        do {
            reader = try ParquetFileReader(bytes: endAlignedBuffer(input), name: "fuzz", options: options)
        } catch {
            result.errors.append(error)
            return result
        }
        for g in 0..<reader.rowGroupCount {
            do {
                let batch = try reader.readRowGroup(g)
                check(batch, into: &result)
            } catch {
                result.errors.append(error)
                guard reader.schema.fields.count > 1 else { continue }
                for field in reader.schema.fields {
                    do {
                        check(try reader.readRowGroup(g, columns: [field.name]), into: &result)
                    } catch {
                        result.errors.append(error)
                    }
                }
            }
        }
        return result
    }

    static func check(_ batch: RecordBatch, into result: inout ParquetFuzzResult) {
        result.batches += 1
        result.rows += batch.length
        for (i, column) in batch.columns.enumerated() {
            guard column.length == batch.length else {
                result.invalidOutput = "column \(i) has \(column.length) rows, the batch \(batch.length)"
                return
            }
            do {
                try column.validate()
            } catch {
                result.invalidOutput = "column \(i) (\(batch.schema.fields[i].name): \(column.type)): \(error)"
                return
            }
        }
    }

    static func runPageMode(_ input: UnsafeRawBufferPointer) -> ParquetFuzzResult {
        let page = PageInput(input)
        // The payload through the Thrift decoders on their own.
        let payload = UnsafeRawBufferPointer(rebasing: input[PageInput.headerSize...])
        _ = try? ParquetFooter.decodeMetadata(payload)
        if !payload.isEmpty { _ = try? PageHeader.decode(payload, at: 0) }
        let file: [UInt8]
        do {
            file = try page.file()
        } catch {
            var r = ParquetFuzzResult()
            r.errors.append(error)
            return r
        }
        return file.withUnsafeBytes { readFile($0) }
    }
}

/// The page-mode input layout (all single bytes unless noted):
///
/// | byte | meaning |
/// |---|---|
/// | 0 | bits 0–2 physical type; bits 3–4 shape (0 required, 1 optional, 2 list of optional, 3 optional in an optional struct); bit 5 data page v2; bit 6 a second data page (PLAIN); bit 7 add a logical type |
/// | 1 | bits 0–2 encoding of the first data page; bits 3–5 codec; bit 6 a dictionary page; bit 7 v2 `is_compressed` |
/// | 2, 3 | value count per data page: byte 2 plus the low nibble of byte 3 × 256 (0–4095); the high nibble of byte 3 is the FLBA length − 1 (also picks the logical type's variant) |
/// | 4 | dictionary value count |
/// | 5 | row count for nested shapes |
/// | 6, 7 | dictionary page body length (little-endian) |
/// | 8, 9 | v2 repetition / definition level lengths |
/// | 10 | where the data bytes are split between two data pages (in 255ths) |
/// | 11 | declared uncompressed size (×16) for raw codec bodies |
struct PageInput {
    static let headerSize = 12
    static let types: [PhysicalType] = [.boolean, .int32, .int64, .int96, .float, .double, .byteArray, .fixedLenByteArray]
    static let encodings: [Encoding] = [.plain, .plainDictionary, .rle, .deltaBinaryPacked, .deltaLengthByteArray, .deltaByteArray, .rleDictionary, .byteStreamSplit]
    /// Codec and whether the body is passed through as already compressed (raw).
    static let codecs: [(CompressionCodec, raw: Bool)] = [
        (.uncompressed, false), (.snappy, false), (.gzip, false), (.zstd, false), (.lz4Raw, false),
        (.snappy, true), (.gzip, true), (.zstd, true),
    ]

    let physicalType: PhysicalType
    let shape: Int
    let v2: Bool
    let secondPage: Bool
    let logical: Bool
    let encoding: Encoding
    let codec: CompressionCodec
    let raw: Bool
    let dictionaryPage: Bool
    let v2Compressed: Bool
    let valueCount: Int
    let typeLength: Int
    let dictionaryCount: Int
    let rowCount: Int
    let dictionaryBody: [UInt8]
    let dataBodies: [[UInt8]]
    let v2RepLength: Int
    let v2DefLength: Int
    let rawUncompressed: Int

    init(_ input: UnsafeRawBufferPointer) {
        let h = Array(input[0..<Self.headerSize])
        physicalType = Self.types[Int(h[0] & 7)]
        shape = Int((h[0] >> 3) & 3)
        v2 = h[0] & 0x20 != 0
        secondPage = h[0] & 0x40 != 0
        logical = h[0] & 0x80 != 0
        encoding = Self.encodings[Int(h[1] & 7)]
        (codec, raw) = Self.codecs[Int((h[1] >> 3) & 7)]
        dictionaryPage = h[1] & 0x40 != 0
        v2Compressed = h[1] & 0x80 != 0
        valueCount = Int(h[2]) | (Int(h[3] & 0x0F) << 8)
        typeLength = Int(h[3] >> 4) + 1
        dictionaryCount = Int(h[4])
        rowCount = Int(h[5])
        v2RepLength = Int(h[8])
        v2DefLength = Int(h[9])
        rawUncompressed = Int(h[11]) * 16
        let rest = Array(input[Self.headerSize...])
        var dictionaryLength = 0
        if dictionaryPage {
            dictionaryLength = min(Int(h[6]) | (Int(h[7]) << 8), rest.count)
        }
        dictionaryBody = Array(rest[0..<dictionaryLength])
        let data = Array(rest[dictionaryLength...])
        if secondPage {
            let split = data.count * Int(h[10]) / 255
            dataBodies = [Array(data[0..<split]), Array(data[split...])]
        } else {
            dataBodies = [data]
        }
    }

    var logicalType: LogicalType? {
        guard logical else { return nil }
        switch physicalType {
        case .int32: return typeLength & 1 == 0 ? .date : .integer(bitWidth: [8, 16, 32][typeLength % 3], isSigned: typeLength & 4 == 0)
        case .int64: return .timestamp(isAdjustedToUTC: typeLength & 1 == 0, unit: [.millis, .micros, .nanos][typeLength % 3])
        case .byteArray: return .string
        case .fixedLenByteArray: return typeLength == 16 ? .uuid : .float16
        default: return nil
        }
    }

    /// The schema: root, then the shape's groups, then the leaf.
    var schema: [SchemaElement] {
        let leafRepetition: Repetition = shape == 0 ? .required : .optional
        let leaf = SchemaElement(
            name: "v", type: physicalType,
            typeLength: physicalType == .fixedLenByteArray ? Int32(typeLength) : nil,
            repetitionType: leafRepetition, logicalType: logicalType)
        switch shape {
        case 2:
            return [
                SchemaElement(name: "schema", numChildren: 1),
                SchemaElement(name: "l", repetitionType: .optional, numChildren: 1, convertedType: .list, logicalType: .list),
                SchemaElement(name: "list", repetitionType: .repeated, numChildren: 1),
                SchemaElement(name: "element", type: leaf.type, typeLength: leaf.typeLength, repetitionType: .optional, logicalType: leaf.logicalType),
            ]
        case 3:
            return [
                SchemaElement(name: "schema", numChildren: 1),
                SchemaElement(name: "s", repetitionType: .optional, numChildren: 1),
                leaf,
            ]
        default:
            return [SchemaElement(name: "schema", numChildren: 1), leaf]
        }
    }

    var path: [String] {
        switch shape {
        case 2: return ["l", "list", "element"]
        case 3: return ["s", "v"]
        default: return ["v"]
        }
    }

    /// Compresses `body` with the codec (or passes it through when raw).
    func stored(_ body: [UInt8], compressor: PageCompressor?) throws(ParquetError) -> (bytes: [UInt8], uncompressed: Int) {
        guard let compressor else { return (body, body.count) }
        if raw { return (body, rawUncompressed) }
        let sink = MutableBuffer()
        let copy = ArrowBuffer(values: body)
        try copy.withUnsafeBytes { (b) throws(ParquetError) in _ = try compressor.compress(b, into: sink) }
        let out = sink.finish()
        return (out.withUnsafeBytes { Array($0) }, body.count)
    }

    static func append(_ header: PageHeader, _ body: [UInt8], to file: inout [UInt8]) {
        var w = ThriftCompactWriter(appendingTo: file)
        header.encode(to: &w)
        file = w.bytes
        file.append(contentsOf: body)
    }

    /// The whole file.
    func file() throws(ParquetError) -> [UInt8] {
        let compressor: PageCompressor? = codec == .uncompressed ? nil : try PageCompressor(codec: codec)
        var file: [UInt8] = Array("PAR1".utf8)
        var encodings: [Encoding] = [.rle]
        var dictionaryOffset: Int64? = nil
        if dictionaryPage {
            dictionaryOffset = Int64(file.count)
            let (bytes, uncompressed) = try stored(dictionaryBody, compressor: compressor)
            let header = PageHeader(
                type: .dictionaryPage, uncompressedPageSize: Int32(uncompressed), compressedPageSize: Int32(bytes.count),
                dictionaryPageHeader: DictionaryPageHeader(numValues: Int32(dictionaryCount), encoding: .plain))
            Self.append(header, bytes, to: &file)
            encodings.append(.plain)
        }
        let dataOffset = Int64(file.count)
        // The first page carries `valueCount` values; a second one (PLAIN) the same again.
        for (i, body) in dataBodies.enumerated() {
            let pageEncoding: Encoding = i == 0 ? encoding : .plain
            encodings.append(pageEncoding)
            if v2 {
                let rep = min(v2RepLength, body.count)
                let def = min(v2DefLength, body.count - rep)
                let levels = Array(body[0..<(rep + def)])
                let values = Array(body[(rep + def)...])
                var stored = (bytes: values, uncompressed: values.count)
                if v2Compressed { stored = try self.stored(values, compressor: compressor) }
                let header = PageHeader(
                    type: .dataPageV2, uncompressedPageSize: Int32(rep + def + stored.uncompressed),
                    compressedPageSize: Int32(rep + def + stored.bytes.count),
                    dataPageHeaderV2: DataPageHeaderV2(
                        numValues: Int32(valueCount), numNulls: 0, numRows: Int32(shape == 2 ? rowCount : valueCount),
                        encoding: pageEncoding, definitionLevelsByteLength: Int32(def),
                        repetitionLevelsByteLength: Int32(rep), isCompressed: v2Compressed))
                Self.append(header, levels + stored.bytes, to: &file)
            } else {
                let (bytes, uncompressed) = try stored(body, compressor: compressor)
                let header = PageHeader(
                    type: .dataPage, uncompressedPageSize: Int32(uncompressed), compressedPageSize: Int32(bytes.count),
                    dataPageHeader: DataPageHeader(numValues: Int32(valueCount), encoding: pageEncoding))
                Self.append(header, bytes, to: &file)
            }
        }
        let chunkSize = Int64(file.count) - (dictionaryOffset ?? dataOffset)
        let totalValues = Int64(valueCount * dataBodies.count)
        let rows = Int64(shape == 2 ? rowCount * dataBodies.count : valueCount * dataBodies.count)
        let meta = ColumnMetaData(
            type: physicalType, encodings: encodings, pathInSchema: path, codec: codec, numValues: totalValues,
            totalUncompressedSize: chunkSize, totalCompressedSize: chunkSize, dataPageOffset: dataOffset,
            dictionaryPageOffset: dictionaryOffset)
        let group = RowGroup(columns: [ColumnChunk(fileOffset: dataOffset, metaData: meta)], totalByteSize: chunkSize, numRows: rows)
        let metadata = FileMetaData(version: 2, schema: schema, numRows: rows, rowGroups: [group], createdBy: "parquet-fuzz")
        ParquetFooter.write(metadata, to: &file)
        return file
    }
}
