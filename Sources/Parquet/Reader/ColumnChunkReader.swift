import Arrow
import CZlib

/// The levels and non-null values of one column chunk, decoded from its pages.
struct DecodedColumnChunk {
    /// Definition levels (empty when the max definition level is 0 or every entry is at it).
    var def: [Int16]
    /// Repetition levels (empty when the max repetition level is 0).
    var rep: [Int16]
    /// The number of level entries.
    var levelCount: Int
    /// The non-null values.
    var values: PhysicalValues
    /// BYTE_ARRAY values known to be valid UTF-8 strings: every data page was dictionary-encoded
    /// and every dictionary entry is valid UTF-8, so each value (a copy of one) is too.
    var utf8Checked = false
}

/// Reads the pages of one column chunk: dictionary page, data pages v1 and v2, with every size
/// checked against the chunk, the file and the configured limits.
struct ColumnChunkReader {
    /// The whole file.
    let file: UnsafeRawBufferPointer
    /// Where the footer starts: no page may reach it.
    let footerStart: Int
    let options: ParquetReaderOptions
    let decompressor: PageDecompressor

    func read(_ chunk: ColumnChunk, column: ColumnDescriptor, largeOffsets: Bool) throws(ParquetError) -> DecodedColumnChunk {
        guard chunk.filePath == nil else { throw .unsupported("column chunk stored in an external file") }
        guard let meta = chunk.metaData else { throw .corrupt("column chunk without metadata") }
        guard meta.type == column.physicalType else {
            throw .corrupt("column chunk has type \(meta.type), the schema says \(column.physicalType)")
        }
        guard meta.numValues > 0 else {
            // An empty chunk (some writers leave its offsets at 0): nothing to read.
            guard meta.numValues == 0 else { throw .corrupt("column chunk has \(meta.numValues) values") }
            return DecodedColumnChunk(def: [], rep: [], levelCount: 0, values: Self.emptyValues(column, largeOffsets: largeOffsets))
        }
        try PageCompression.checkReadable(meta.codec)
        var start = meta.dataPageOffset
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
        let (endValue, overflow) = start.addingReportingOverflow(meta.totalCompressedSize)
        guard start >= 4, meta.totalCompressedSize >= 0, !overflow, endValue <= Int64(footerStart) else {
            throw .corrupt("column chunk bytes \(start)..<\(overflow ? -1 : endValue) lie outside the data of the file", at: "byte offset \(start)")
        }
        // Pages are bounded by the data of the file rather than by total_compressed_size: some
        // writers get the size wrong (a dictionary page left out), and every page is still
        // checked against the file. Reading stops once the chunk's values are read.
        _ = endValue
        let end = footerStart
        let chunkBytes = UnsafeRawBufferPointer(rebasing: file[0..<end])
        let totalLevels = Int(meta.numValues)

        var def: [Int16] = []
        var rep: [Int16] = []
        var levelCount = 0
        // Value sinks.
        let fixed = MutableBuffer()
        var bits = BitmapBuilder()
        let offsets = MutableBuffer()
        let data = MutableBuffer()
        if largeOffsets { offsets.append(Int64(0)) } else { offsets.append(Int32(0)) }
        let byteOutput = ByteArrayOutput(offsets: offsets, data: data, largeOffsets: largeOffsets)
        // Room for every value up front (no growth copies), within the per-page allocation
        // limit a hostile chunk could already reach; byte-array data is sized after its first
        // page.
        let reservationLimit = Swift.min(options.maxPageBytes, MutableBuffer.maximumCapacity)
        func reservation(_ perValue: Int) -> Int {
            let (bytes, overflow) = totalLevels.multipliedReportingOverflow(by: perValue)
            return overflow ? reservationLimit : Swift.min(bytes, reservationLimit)
        }
        switch column.physicalType {
        case .boolean: break
        case .byteArray: offsets.reserve(reservation(largeOffsets ? 8 : 4))
        case .int32, .float: fixed.reserve(reservation(4))
        case .int64, .double, .int96: fixed.reserve(reservation(8))
        case .fixedLenByteArray: fixed.reserve(reservation(Swift.max(column.typeLength, 0)))
        }
        var dataReserved = false
        var onlyDictionaryPages = true
        var valueCount = 0
        var fixedDictionary: FixedWidthDictionary?
        var byteDictionary: ByteArrayDictionary?
        var sawDataPage = false

        var pos = Int(start)
        while levelCount < totalLevels {
            guard pos < end else {
                throw .corrupt("column chunk ends after \(levelCount) of \(totalLevels) values", at: "byte offset \(pos)")
            }
            let (header, headerLength) = try PageHeader.decode(chunkBytes, at: pos)
            let bodyStart = pos + headerLength
            guard header.compressedPageSize >= 0, header.uncompressedPageSize >= 0 else {
                throw .corrupt("page has a negative size", at: "byte offset \(pos)")
            }
            let compressed = Int(header.compressedPageSize), uncompressed = Int(header.uncompressedPageSize)
            guard compressed <= end - bodyStart else {
                throw .corrupt("page of \(compressed) bytes runs past the column chunk", at: "byte offset \(pos)")
            }
            guard uncompressed <= options.maxPageBytes else {
                throw .limitExceeded(file: "", what: "uncompressed page size", value: uncompressed, limit: options.maxPageBytes)
            }
            let body = UnsafeRawBufferPointer(rebasing: file[bodyStart..<(bodyStart + compressed)])
            if let crc = header.crc, options.verifyChecksums {
                let actual = UInt32(truncatingIfNeeded: crc32(0, body.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(body.count)))
                guard actual == UInt32(bitPattern: crc) else {
                    throw .corrupt("page CRC mismatch", at: "byte offset \(pos)")
                }
            }
            let pageLocation = "byte offset \(pos)"
            switch header.type {
            case .dictionaryPage:
                guard let dh = header.dictionaryPageHeader else { throw .corrupt("dictionary page without its header", at: pageLocation) }
                guard !sawDataPage, fixedDictionary == nil, byteDictionary == nil else {
                    throw .corrupt("a second or late dictionary page", at: pageLocation)
                }
                guard dh.encoding == .plain || dh.encoding == .plainDictionary else {
                    throw .unsupported("dictionary page encoding \(dh.encoding.name)", at: pageLocation)
                }
                guard dh.numValues >= 0 else { throw .corrupt("dictionary page with \(dh.numValues) values", at: pageLocation) }
                let plain = try decompressor.decompress(meta.codec, body, uncompressedSize: uncompressed)
                switch column.physicalType {
                case .boolean: throw .unsupported("dictionary-encoded BOOLEAN", at: pageLocation)
                case .byteArray: byteDictionary = try ByteArrayDictionary(plain: plain, count: Int(dh.numValues))
                default:
                    fixedDictionary = try FixedWidthDictionary(plain: plain, count: Int(dh.numValues),
                                                               physicalType: column.physicalType, typeLength: column.typeLength)
                }

            case .dataPage, .dataPageV2:
                sawDataPage = true
                let n: Int
                let encoding: Encoding
                var levelsV2: (rep: UnsafeRawBufferPointer, def: UnsafeRawBufferPointer)? = nil
                var valuesBytes: UnsafeRawBufferPointer
                var levelsV1: UnsafeRawBufferPointer? = nil
                if header.type == .dataPage {
                    guard let dh = header.dataPageHeader else { throw .corrupt("data page without its header", at: pageLocation) }
                    n = Int(dh.numValues)
                    encoding = dh.encoding
                    if column.maxRep > 0 && dh.repetitionLevelEncoding != .rle {
                        throw .unsupported("repetition level encoding \(dh.repetitionLevelEncoding.name)", at: pageLocation)
                    }
                    if column.maxDef > 0 && dh.definitionLevelEncoding != .rle {
                        throw .unsupported("definition level encoding \(dh.definitionLevelEncoding.name)", at: pageLocation)
                    }
                    if column.maxDef == 0, column.maxRep == 0, encoding == .plain, meta.codec != .uncompressed,
                       let w = Self.plainWidth(column.physicalType) {
                        // A page of PLAIN values and nothing else: decompressed straight into the
                        // values buffer (the same checks, no copy).
                        guard n >= 0, n <= totalLevels - levelCount else {
                            throw .corrupt("data page with \(n) values; the chunk has \(totalLevels - levelCount) left", at: pageLocation)
                        }
                        guard n <= options.maxPageBytes / 2 else {
                            throw .limitExceeded(file: "", what: "values in one page", value: n, limit: options.maxPageBytes / 2)
                        }
                        guard n <= options.maxPageBytes / w else {
                            throw .limitExceeded(file: "", what: "values in one page", value: n, limit: options.maxPageBytes / w)
                        }
                        guard n &* w <= uncompressed else {
                            throw .corrupt("PLAIN: \(n) values of \(w) bytes need more than the \(uncompressed) bytes left", at: pageLocation)
                        }
                        let before = fixed.count
                        let dst = fixed.extendUninitialized(by: uncompressed)
                        do throws(ParquetError) {
                            try decompressor.decompress(meta.codec, body, into: UnsafeMutableRawBufferPointer(start: dst, count: uncompressed))
                        } catch {
                            fixed.resize(to: before)
                            throw error
                        }
                        fixed.resize(to: before &+ n &* w)   // bytes past the values are ignored, as PLAIN decoding does
                        valueCount += n
                        levelCount += n
                        pos = bodyStart + compressed
                        continue
                    }
                    let page = try decompressor.decompress(meta.codec, body, uncompressedSize: uncompressed)
                    levelsV1 = page
                    valuesBytes = page
                } else {
                    guard let dh = header.dataPageHeaderV2 else { throw .corrupt("data page v2 without its header", at: pageLocation) }
                    n = Int(dh.numValues)
                    encoding = dh.encoding
                    let repLength = Int(dh.repetitionLevelsByteLength), defLength = Int(dh.definitionLevelsByteLength)
                    guard repLength >= 0, defLength >= 0, repLength + defLength <= compressed, repLength + defLength <= uncompressed else {
                        throw .corrupt("data page v2 level lengths \(repLength) + \(defLength) exceed the page", at: pageLocation)
                    }
                    levelsV2 = (UnsafeRawBufferPointer(rebasing: body[0..<repLength]),
                                UnsafeRawBufferPointer(rebasing: body[repLength..<(repLength + defLength)]))
                    let rest = UnsafeRawBufferPointer(rebasing: body[(repLength + defLength)...])
                    if dh.isCompressed && meta.codec != .uncompressed && uncompressed - repLength - defLength > 0 {
                        valuesBytes = try decompressor.decompress(meta.codec, rest, uncompressedSize: uncompressed - repLength - defLength)
                    } else if dh.isCompressed && meta.codec != .uncompressed {
                        // Nothing to decompress (an all-null page): some writers store no
                        // bytes, others an empty frame.
                        valuesBytes = UnsafeRawBufferPointer(rebasing: rest[0..<0])
                    } else {
                        guard rest.count == uncompressed - repLength - defLength else {
                            throw .corrupt("uncompressed data page v2 of \(rest.count) bytes, the header says \(uncompressed - repLength - defLength)", at: pageLocation)
                        }
                        valuesBytes = rest
                    }
                }
                guard n >= 0, n <= totalLevels - levelCount else {
                    throw .corrupt("data page with \(n) values; the chunk has \(totalLevels - levelCount) left", at: pageLocation)
                }
                guard n <= options.maxPageBytes / 2 else {
                    throw .limitExceeded(file: "", what: "values in one page", value: n, limit: options.maxPageBytes / 2)
                }
                // Levels: repetition first, then definition.
                var cursor = 0
                if column.maxRep > 0 {
                    var decoder: LevelDecoder
                    if let v2 = levelsV2 { decoder = try LevelDecoder(v2: v2.rep, maxLevel: Int(column.maxRep)) }
                    else { decoder = try LevelDecoder(v1: UnsafeRawBufferPointer(rebasing: levelsV1![cursor...]), maxLevel: Int(column.maxRep)); cursor += decoder.byteCount }
                    let base = rep.count
                    rep.append(contentsOf: repeatElement(0, count: n))
                    try rep.withUnsafeMutableBufferPointer { (all) throws(ParquetError) in
                        try decoder.decode(into: UnsafeMutableBufferPointer(rebasing: all[base..<(base + n)]))
                    }
                }
                var nonNull = n
                if column.maxDef > 0 {
                    var decoder: LevelDecoder
                    if let v2 = levelsV2 { decoder = try LevelDecoder(v2: v2.def, maxLevel: Int(column.maxDef)) }
                    else { decoder = try LevelDecoder(v1: UnsafeRawBufferPointer(rebasing: levelsV1![cursor...]), maxLevel: Int(column.maxDef)); cursor += decoder.byteCount }
                    let maxDef = column.maxDef
                    if column.maxRep == 0, try decoder.skipIfRun(of: Int(maxDef), count: n) {
                        // Every entry present (one RLE run at the max level): the levels stay
                        // implicit, entries past def.count are at maxDef.
                        nonNull = n
                    } else {
                        if def.count < levelCount { def.append(contentsOf: repeatElement(maxDef, count: levelCount - def.count)) }
                        let base = def.count
                        def.append(contentsOf: repeatElement(0, count: n))
                        nonNull = try def.withUnsafeMutableBufferPointer { (all) throws(ParquetError) -> Int in
                            let page = UnsafeMutableBufferPointer(rebasing: all[base..<(base + n)])
                            try decoder.decode(into: page)
                            var c = 0
                            for l in page where l == maxDef { c &+= 1 }
                            return c
                        }
                    }
                }
                if levelsV2 == nil { valuesBytes = UnsafeRawBufferPointer(rebasing: valuesBytes[cursor...]) }
                if nonNull > 0 {
                    switch column.physicalType {
                    case .boolean:
                        var decoder = try BooleanValueDecoder(encoding: encoding, data: valuesBytes, valueCount: nonNull)
                        try decoder.decode(nonNull, into: &bits)
                    case .byteArray:
                        if encoding != .rleDictionary && encoding != .plainDictionary { onlyDictionaryPages = false }
                        var decoder = try ByteArrayValueDecoder(encoding: encoding, data: valuesBytes, valueCount: nonNull, dictionary: byteDictionary)
                        try decoder.decode(nonNull, into: byteOutput)
                        if !dataReserved && levelCount + n < totalLevels {
                            // The rest of the chunk at this page's bytes per level entry.
                            dataReserved = true
                            let perLevel = Swift.max(1, (data.count + n - 1) / Swift.max(n, 1))
                            data.reserve(Swift.min(reservation(perLevel), byteOutput.dataLimit) - data.count)
                        }
                    default:
                        var decoder = try FixedWidthValueDecoder(physicalType: column.physicalType, typeLength: column.typeLength, encoding: encoding,
                                                                 data: valuesBytes, valueCount: nonNull, dictionary: fixedDictionary)
                        guard nonNull <= options.maxPageBytes / decoder.byteWidth else {
                            throw .limitExceeded(file: "", what: "values in one page", value: nonNull, limit: options.maxPageBytes / decoder.byteWidth)
                        }
                        try decoder.decode(nonNull, appendingTo: fixed)
                    }
                }
                valueCount += nonNull
                levelCount += n

            case .indexPage, .unknown:
                break
            }
            pos = bodyStart + compressed
        }

        let values: PhysicalValues
        switch column.physicalType {
        case .boolean: values = .booleans(bits.finish(), count: valueCount)
        case .byteArray: values = .byteArrays(offsets: offsets.finish(), data: data.finish(), count: valueCount, large: largeOffsets)
        case .int32, .float: values = .fixed(fixed.finish(), count: valueCount, width: 4)
        case .int64, .double, .int96: values = .fixed(fixed.finish(), count: valueCount, width: 8)
        case .fixedLenByteArray: values = .fixed(fixed.finish(), count: valueCount, width: column.typeLength)
        }
        // Every entry at the max definition level: no levels needed downstream.
        if valueCount == levelCount { def = [] } else if column.maxDef > 0 && def.count < levelCount {
            def.append(contentsOf: repeatElement(column.maxDef, count: levelCount - def.count))
        }
        var decoded = DecodedColumnChunk(def: def, rep: rep, levelCount: levelCount, values: values)
        if column.physicalType == .byteArray, onlyDictionaryPages, let d = byteDictionary, options.validateUTF8 {
            // Checking the (few) entries spares checking the (many) values.
            let entries = ArrayData(unchecked: .utf8, length: d.count, nullCount: 0, buffers: [nil, d.offsets, d.data])
            decoded.utf8Checked = (try? entries.validate()) != nil
        }
        return decoded
    }

    /// The PLAIN width of the types whose values are copied as they are (INT32, INT64, FLOAT,
    /// DOUBLE), else nil.
    static func plainWidth(_ type: PhysicalType) -> Int? {
        switch type {
        case .int32, .float: return 4
        case .int64, .double: return 8
        default: return nil
        }
    }

    static func emptyValues(_ column: ColumnDescriptor, largeOffsets: Bool) -> PhysicalValues {
        switch column.physicalType {
        case .boolean: return .booleans(.empty, count: 0)
        case .byteArray:
            let offsets = MutableBuffer()
            if largeOffsets { offsets.append(Int64(0)) } else { offsets.append(Int32(0)) }
            return .byteArrays(offsets: offsets.finish(), data: .empty, count: 0, large: largeOffsets)
        case .int32, .float: return .fixed(.empty, count: 0, width: 4)
        case .int64, .double, .int96: return .fixed(.empty, count: 0, width: 8)
        case .fixedLenByteArray: return .fixed(.empty, count: 0, width: column.typeLength)
        }
    }
}

extension LevelDecoder {
    /// When the next `n` levels are all `level` inside one repeated run, consumes them and
    /// returns true; otherwise leaves the levels to ``decode(into:)`` and returns false.
    ///
    /// - Complexity: O(1) (at most one run header read).
    mutating func skipIfRun(of level: Int, count n: Int) throws(ParquetError) -> Bool {
        guard n > 0 else { return false }
        if rle.repeatRemaining == 0 && rle.literalIndex >= rle.literalEnd {
            guard rle.remainingBytes > 0 else { return false }
            try rle.readRun()
        }
        guard rle.repeatRemaining >= n, Int(rle.repeatValue) == level else { return false }
        rle.repeatRemaining &-= n
        return true
    }
}
