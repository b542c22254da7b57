import Arrow

/// Writes one leaf column chunk: levels and values split into data pages of about
/// `dataPageBytes`, an optional dictionary page in front, statistics and the column metadata.
struct ColumnChunkWriter {
    let options: ParquetWriterOptions
    let compressor: PageCompressor
    /// Reusable scratch buffers.
    let scratch = Scratch()

    final class Scratch {
        let levels = MutableBuffer()
        let values = MutableBuffer()
        let indices = MutableBuffer()
        let body = MutableBuffer()
        let compressed = MutableBuffer()
        var constantLevels: [Int16] = []
    }

    struct LeafInfo {
        var path: [String]
        var maxDef: Int16
        var maxRep: Int16
        var plan: LeafWritePlan
    }

    /// Appends the chunk's pages to `file` and returns its metadata.
    func write(_ leaf: ShreddedLeaf, info: LeafInfo, into file: MutableBuffer) throws(ParquetError) -> ColumnChunk {
        let column = try PhysicalColumn.make(leaf, plan: info.plan)
        let dotted = info.path.joined(separator: ".")
        let top = info.path.first ?? ""
        let requested = options.encoding(path: dotted, topLevel: top)
        var dictionary: DictionaryEncoder? = nil
        let isBoolean: Bool
        if case .booleans = column.storage { isBoolean = true } else { isBoolean = false }
        var isNull = false
        if case .none = column.storage { isNull = true }
        if requested == nil, !isBoolean, !isNull, options.usesDictionary(path: dotted, topLevel: top) {
            switch column.storage {
            case .fixed(_, let w, _): dictionary = DictionaryEncoder(fixedWidth: w)
            default: dictionary = DictionaryEncoder()
            }
        }
        let valueEncoding = try Self.checkEncoding(requested ?? .plain, column: column, plan: info.plan, path: dotted)

        // Pages over level entries; for nested columns pages start at record boundaries.
        let entries = leaf.levelCount
        let flat = leaf.rep.isEmpty && { if case .nonNull = leaf.selection { return true }; return false }()
        let perEntry = Swift.max(1, estimatedBytesPerEntry(column, leaf))
        let entriesPerPage = Swift.max(1, options.dataPageBytes / perEntry)

        // Without a dictionary the data pages go straight into the file; with one they wait in
        // `pageData` for the dictionary page, which comes first but is known only at the end.
        let chunkStart = file.count
        let pageData = dictionary == nil ? file : MutableBuffer()
        var uncompressedTotal = 0
        var encodingsUsed: [Encoding] = []
        var dataPageEncodingCounts: [Encoding: Int32] = [:]
        var dictionaryActive = dictionary != nil
        var valueCursor = 0   // nested: dense values written so far
        var start = 0
        while start < entries {
            var end = Swift.min(entries, start + entriesPerPage)
            if !leaf.rep.isEmpty {
                while end < entries && leaf.rep[end] != 0 { end += 1 }
            }
            // Values of this page.
            let slotStart: Int, slotCount: Int, filter: ValidityFilter?
            var pageNulls = 0
            if flat {
                slotStart = start
                slotCount = end - start
                filter = column.filter(from: start)
                if let f = filter { pageNulls = slotCount - f.validCount(slotCount) }
            } else {
                var present = 0
                if leaf.def.isEmpty { present = end - start } else {
                    let maxDef = info.maxDef
                    leaf.def.withUnsafeBufferPointer { d in for i in start..<end where d[i] == maxDef { present += 1 } }
                }
                slotStart = valueCursor
                slotCount = present
                filter = nil
                pageNulls = (end - start) - present
                valueCursor += present
            }
            // Body: levels then values.
            let body = scratch.body
            body.resize(to: 0)
            let v2 = options.pageVersion == 2
            var repBytes = 0, defBytes = 0
            if info.maxRep > 0 {
                let before = body.count
                leaf.rep.withUnsafeBufferPointer { r in
                    RLEHybridEncoder.encodeLevels(UnsafeBufferPointer(rebasing: r[start..<end]), maxLevel: Int(info.maxRep), lengthPrefix: !v2, into: body)
                }
                repBytes = body.count - before
            }
            if info.maxDef > 0 {
                let before = body.count
                if leaf.def.isEmpty {
                    if scratch.constantLevels.count < end - start || scratch.constantLevels.first != info.maxDef {
                        scratch.constantLevels = [Int16](repeating: info.maxDef, count: Swift.max(end - start, entriesPerPage))
                    }
                    scratch.constantLevels.withUnsafeBufferPointer { c in
                        RLEHybridEncoder.encodeLevels(UnsafeBufferPointer(rebasing: c[0..<(end - start)]), maxLevel: Int(info.maxDef), lengthPrefix: !v2, into: body)
                    }
                } else {
                    leaf.def.withUnsafeBufferPointer { d in
                        RLEHybridEncoder.encodeLevels(UnsafeBufferPointer(rebasing: d[start..<end]), maxLevel: Int(info.maxDef), lengthPrefix: !v2, into: body)
                    }
                }
                defBytes = body.count - before
            }
            let valuesStart = body.count
            let encoding: Encoding
            // Uncompressed pages are framed straight from `body` (no copy), and their PLAIN
            // values, when their size is known up front, skip `body` too: they are encoded into
            // the chunk right after the header and the levels (`direct` is their size).
            let raw = options.codec == .uncompressed
            var direct: Int? = nil
            // Compressed PLAIN fixed-width values without nulls are compressed straight from the
            // Arrow buffer when nothing precedes them in the compressed bytes (no levels, or v2).
            var borrowed: UnsafeRawBufferPointer? = nil
            if dictionaryActive, let dict = dictionary {
                let indices = scratch.indices
                indices.resize(to: 0)
                insert(column, from: slotStart, count: slotCount, filter: filter, into: dict, indices: indices)
                indices.withUnsafeMutableValues(as: UInt32.self) { ix in
                    RLEHybridEncoder.encodeDictionaryIndices(UnsafeBufferPointer(ix), bitWidth: dict.indexBitWidth, into: body)
                }
                encoding = .rleDictionary
                // Fall back to PLAIN for the following pages once the dictionary is too large.
                if dict.plainByteSize > options.maxDictionaryBytes { dictionaryActive = false }
            } else if raw, valueEncoding == .plain, let size = plainSize(column, from: slotStart, count: slotCount, filter: filter) {
                direct = size
                encoding = .plain
            } else if !raw, valuesStart == 0 || v2, valueEncoding == .plain, filter == nil, case .fixed(let b, let w, let off) = column.storage {
                borrowed = UnsafeRawBufferPointer(start: b.baseAddress + (off &+ slotStart) &* w, count: slotCount &* w)
                encoding = .plain
            } else {
                try encodeValues(column, from: slotStart, count: slotCount, filter: filter, encoding: valueEncoding, into: body)
                encoding = valueEncoding
            }
            let valuesLength = direct ?? borrowed?.count ?? body.count - valuesStart
            let pageBytes = valuesStart + valuesLength
            guard pageBytes <= Int(Int32.max) else {
                throw .limitExceeded(file: "", what: "page size", value: pageBytes, limit: Int(Int32.max))
            }

            // Compress and frame.
            let header: PageHeader
            let compressed = scratch.compressed
            compressed.resize(to: 0)
            var records = end - start
            if !leaf.rep.isEmpty {
                records = 0
                leaf.rep.withUnsafeBufferPointer { r in for i in start..<end where r[i] == 0 { records += 1 } }
            }
            if v2 {
                // Levels stay uncompressed; only values are compressed.
                let isCompressed = !raw
                if isCompressed {
                    compressed.append(contentsOf: UnsafeRawBufferPointer(start: body.baseAddress, count: valuesStart))
                    let valueBytes = borrowed ?? UnsafeRawBufferPointer(start: body.baseAddress + valuesStart, count: valuesLength)
                    _ = try compressor.compress(valueBytes, into: compressed)
                }
                header = PageHeader(type: .dataPageV2, uncompressedPageSize: Int32(pageBytes), compressedPageSize: Int32(raw ? pageBytes : compressed.count),
                                    dataPageHeaderV2: DataPageHeaderV2(numValues: Int32(end - start), numNulls: Int32(pageNulls), numRows: Int32(records),
                                                                       encoding: encoding, definitionLevelsByteLength: Int32(defBytes),
                                                                       repetitionLevelsByteLength: Int32(repBytes), isCompressed: isCompressed))
            } else {
                if !raw {
                    _ = try compressor.compress(borrowed ?? UnsafeRawBufferPointer(start: body.baseAddress, count: body.count), into: compressed)
                }
                header = PageHeader(type: .dataPage, uncompressedPageSize: Int32(pageBytes), compressedPageSize: Int32(raw ? pageBytes : compressed.count),
                                    dataPageHeader: DataPageHeader(numValues: Int32(end - start), encoding: encoding))
            }
            guard compressed.count <= Int(Int32.max) else {
                throw .limitExceeded(file: "", what: "page size", value: compressed.count, limit: Int(Int32.max))
            }
            let headerBytes = header.encoded()
            headerBytes.withUnsafeBytes { pageData.append(contentsOf: $0) }
            let framed = raw ? body : compressed
            pageData.append(contentsOf: UnsafeRawBufferPointer(start: framed.baseAddress, count: framed.count))
            if let size = direct {
                let before = pageData.count
                try encodeValues(column, from: slotStart, count: slotCount, filter: filter, encoding: .plain, into: pageData)
                guard pageData.count - before == size else {
                    throw .schema(file: "", detail: "internal error: column \(dotted): \(pageData.count - before) PLAIN bytes, \(size) expected")
                }
            }
            uncompressedTotal += headerBytes.count + pageBytes
            if !encodingsUsed.contains(encoding) { encodingsUsed.append(encoding) }
            dataPageEncodingCounts[encoding, default: 0] += 1
            start = end
        }
        guard leaf.def.isEmpty || valueCursor == leaf.valueCount || flat else {
            throw .schema(file: "", detail: "column \(dotted): \(valueCursor) values paged, \(leaf.valueCount) expected")
        }

        // Dictionary page first, then the data pages.
        var dictionaryOffset: Int64? = nil
        var encodingStats: [PageEncodingStats] = []
        if let dict = dictionary, encodingsUsed.contains(.rleDictionary) {
            let plain = scratch.values
            plain.resize(to: 0)
            dict.encodeDictionaryPage(into: plain)
            let compressed = scratch.compressed
            compressed.resize(to: 0)
            if options.codec == .uncompressed {
                compressed.append(contentsOf: UnsafeRawBufferPointer(start: plain.baseAddress, count: plain.count))
            } else {
                _ = try compressor.compress(UnsafeRawBufferPointer(start: plain.baseAddress, count: plain.count), into: compressed)
            }
            let header = PageHeader(type: .dictionaryPage, uncompressedPageSize: Int32(plain.count), compressedPageSize: Int32(compressed.count),
                                    dictionaryPageHeader: DictionaryPageHeader(numValues: Int32(dict.count), encoding: .plain))
            let headerBytes = header.encoded()
            dictionaryOffset = Int64(chunkStart)
            headerBytes.withUnsafeBytes { file.append(contentsOf: $0) }
            file.append(contentsOf: UnsafeRawBufferPointer(start: compressed.baseAddress, count: compressed.count))
            uncompressedTotal += headerBytes.count + plain.count
            encodingStats.append(PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1))
        }
        let dataStart: Int
        if pageData === file {
            dataStart = chunkStart
        } else {
            dataStart = file.count
            file.append(contentsOf: UnsafeRawBufferPointer(start: pageData.baseAddress, count: pageData.count))
        }
        let chunkEnd = file.count

        var encodings: [Encoding] = []
        if dictionaryOffset != nil { encodings.append(.plain) }
        if info.maxDef > 0 || info.maxRep > 0 { encodings.append(.rle) }
        for e in encodingsUsed where !encodings.contains(e) { encodings.append(e) }
        let pageType: PageType = options.pageVersion == 2 ? .dataPageV2 : .dataPage
        for e in encodingsUsed { encodingStats.append(PageEncodingStats(pageType: pageType, encoding: e, count: dataPageEncodingCounts[e] ?? 0)) }
        let nullCount = leaf.levelCount - leaf.valueCount
        // Every valid value is in the dictionary when every data page used it.
        let complete = encodingsUsed == [.rleDictionary] ? dictionary : nil
        let statistics = options.statistics ? ColumnStatisticsBuilder.statistics(column, plan: info.plan, nullCount: nullCount, dictionary: complete) : nil
        let meta = ColumnMetaData(
            type: info.plan.physicalType, encodings: encodings, pathInSchema: info.path, codec: options.codec,
            numValues: Int64(leaf.levelCount), totalUncompressedSize: Int64(uncompressedTotal),
            totalCompressedSize: Int64(chunkEnd - chunkStart), dataPageOffset: Int64(dataStart),
            dictionaryPageOffset: dictionaryOffset, statistics: statistics, encodingStats: encodingStats)
        return ColumnChunk(fileOffset: 0, metaData: meta)
    }

    /// A rough size of one level entry, to size pages.
    func estimatedBytesPerEntry(_ column: PhysicalColumn, _ leaf: ShreddedLeaf) -> Int {
        switch column.storage {
        case .fixed(_, let w, _): return w
        case .booleans, .none: return 1
        case .byteArrays32(let o, _, let off):
            guard column.count > 0 else { return 8 }
            let bytes = Int(o.load(off + column.count, as: Int32.self)) - Int(o.load(off, as: Int32.self))
            return 4 + bytes / column.count
        case .byteArrays64(let o, _, let off):
            guard column.count > 0 else { return 8 }
            let bytes = Int(o.load(off + column.count, as: Int64.self)) - Int(o.load(off, as: Int64.self))
            return 4 + bytes / column.count
        }
    }

    /// The size of the PLAIN encoding of slots `s..<s+n` (only the valid ones), when it is known
    /// without encoding them (nil for byte arrays with nulls).
    func plainSize(_ c: PhysicalColumn, from s: Int, count n: Int, filter: ValidityFilter?) -> Int? {
        let valid = filter?.validCount(n) ?? n
        switch c.storage {
        case .none: return 0
        case .booleans: return (valid &+ 7) / 8
        case .fixed(_, let w, _): return valid &* w
        case .byteArrays32(let o, _, let off):
            guard filter == nil else { return nil }
            return 4 &* n &+ Int(o.load(off &+ s &+ n, as: Int32.self)) &- Int(o.load(off &+ s, as: Int32.self))
        case .byteArrays64(let o, _, let off):
            guard filter == nil else { return nil }
            return 4 &* n &+ Int(o.load(off &+ s &+ n, as: Int64.self)) &- Int(o.load(off &+ s, as: Int64.self))
        }
    }

    /// Checks that `encoding` can store this column's values.
    static func checkEncoding(_ encoding: Encoding, column: PhysicalColumn, plan: LeafWritePlan, path: String) throws(ParquetError) -> Encoding {
        func bad() -> ParquetError { .schema(file: "", detail: "column \(path): encoding \(encoding.name) cannot store \(plan.physicalType)") }
        switch encoding {
        case .plain: return .plain
        case .rle:
            guard plan.physicalType == .boolean else { throw bad() }
            return .rle
        case .deltaBinaryPacked:
            guard plan.physicalType == .int32 || plan.physicalType == .int64 else { throw bad() }
            return encoding
        case .deltaLengthByteArray:
            guard plan.physicalType == .byteArray else { throw bad() }
            return encoding
        case .deltaByteArray:
            guard plan.physicalType == .byteArray || plan.physicalType == .fixedLenByteArray else { throw bad() }
            return encoding
        case .byteStreamSplit:
            guard [.float, .double, .int32, .int64, .fixedLenByteArray].contains(plan.physicalType) else { throw bad() }
            return encoding
        default:
            throw .unsupported("writing encoding \(encoding.name)")
        }
    }

    func insert(_ c: PhysicalColumn, from s: Int, count n: Int, filter: ValidityFilter?, into dict: DictionaryEncoder, indices: MutableBuffer) {
        switch c.storage {
        case .fixed(let b, let w, let off):
            dict.insert(fixedWidthValues: b.baseAddress + (off + s) * w, count: n, validity: filter, indices: indices)
        case .byteArrays32(let o, let d, let off):
            o.withUnsafeValues(as: Int32.self) { all in
                dict.insert(offsets: UnsafeBufferPointer(rebasing: all[(off + s)...(off + s + n)]), data: d.baseAddress, validity: filter, indices: indices)
            }
        case .byteArrays64(let o, let d, let off):
            o.withUnsafeValues(as: Int64.self) { all in
                dict.insert(offsets: UnsafeBufferPointer(rebasing: all[(off + s)...(off + s + n)]), data: d.baseAddress, validity: filter, indices: indices)
            }
        case .booleans, .none:
            break
        }
    }

    func encodeValues(_ c: PhysicalColumn, from s: Int, count n: Int, filter: ValidityFilter?, encoding: Encoding, into sink: MutableBuffer) throws(ParquetError) {
        switch c.storage {
        case .none:
            break
        case .booleans(let b, let off):
            if encoding == .rle {
                RLEHybridEncoder.encodeBooleans(bits: b.baseAddress, offset: off + s, count: n, validity: filter, into: sink)
            } else {
                var e = PlainBooleanEncoder()
                e.append(bits: b.baseAddress, offset: off + s, count: n, validity: filter, into: sink)
            }
        case .fixed(let b, let w, let off):
            let p = b.baseAddress + (off + s) * w
            switch encoding {
            case .deltaBinaryPacked:
                if w == 4 { DeltaBinaryPackedEncoder.encode(UnsafeBufferPointer(start: p.assumingMemoryBound(to: Int32.self), count: n), validity: filter, into: sink) }
                else { DeltaBinaryPackedEncoder.encode(UnsafeBufferPointer(start: p.assumingMemoryBound(to: Int64.self), count: n), validity: filter, into: sink) }
            case .byteStreamSplit:
                ByteStreamSplitEncoder.encode(p, count: n, byteWidth: w, validity: filter, into: sink)
            case .deltaByteArray:
                DeltaByteArrayEncoder.encodeFixedLength(p, count: n, width: w, validity: filter, into: sink)
            default:
                PlainEncoder.encode(p, count: n, byteWidth: w, validity: filter, into: sink)
            }
        case .byteArrays32(let o, let d, let off):
            o.withUnsafeValues(as: Int32.self) { all in
                let offsets = UnsafeBufferPointer(rebasing: all[(off + s)...(off + s + n)])
                switch encoding {
                case .deltaLengthByteArray: DeltaLengthByteArrayEncoder.encode(offsets: offsets, data: d.baseAddress, validity: filter, into: sink)
                case .deltaByteArray: DeltaByteArrayEncoder.encode(offsets: offsets, data: d.baseAddress, validity: filter, into: sink)
                default: PlainEncoder.encodeByteArrays(offsets: offsets, data: d.baseAddress, validity: filter, into: sink)
                }
            }
        case .byteArrays64(let o, let d, let off):
            o.withUnsafeValues(as: Int64.self) { all in
                let offsets = UnsafeBufferPointer(rebasing: all[(off + s)...(off + s + n)])
                switch encoding {
                case .deltaLengthByteArray: DeltaLengthByteArrayEncoder.encode(offsets: offsets, data: d.baseAddress, validity: filter, into: sink)
                case .deltaByteArray: DeltaByteArrayEncoder.encode(offsets: offsets, data: d.baseAddress, validity: filter, into: sink)
                default: PlainEncoder.encodeByteArrays(offsets: offsets, data: d.baseAddress, validity: filter, into: sink)
                }
            }
        }
    }
}
