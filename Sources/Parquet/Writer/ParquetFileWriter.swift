import Arrow

/// Writes record batches into one Parquet file (store.md §9).
///
/// Each ``write(_:)`` call stores its rows in ⌈rows / `maxRowGroupRows`⌉ row groups, in batch
/// order. The file is built in memory; ``finish()`` appends the footer and returns the bytes.
/// Not thread-safe.
public final class ParquetFileWriter {
    /// The schema of every batch written (field metadata included; it goes into `ARROW:schema`).
    public let schema: Schema
    public let options: ParquetWriterOptions
    let elements: [SchemaElement]
    let levelNodes: [LevelNode]
    let leafInfos: [ColumnChunkWriter.LeafInfo]
    let chunkWriter: ColumnChunkWriter
    let output: MutableBuffer
    var rowGroups: [RowGroup] = []
    var rows: Int64 = 0
    var finished = false

    /// A writer for batches of `schema`.
    ///
    /// - Throws: `schema` for types Parquet cannot store; `unsupported` for an unwritable codec or
    ///   a bad level; `schema` for a page version other than 1 or 2.
    public init(schema: Schema, options: ParquetWriterOptions = ParquetWriterOptions()) throws(ParquetError) {
        guard options.pageVersion == 1 || options.pageVersion == 2 else {
            throw .schema(file: "", detail: "page version \(options.pageVersion): use 1 or 2")
        }
        guard options.maxRowGroupRows > 0, options.dataPageBytes > 0 else {
            throw .schema(file: "", detail: "row group rows and data page bytes must be positive")
        }
        self.schema = schema
        self.options = options
        let (elements, plans) = try ParquetSchemaWriter.elements(for: schema)
        self.elements = elements
        var nodes: [LevelNode] = []
        var next = 0
        for f in schema.fields { nodes.append(try LevelNode.build(f, firstLeaf: &next)) }
        levelNodes = nodes
        // Leaf paths and levels from the Parquet schema itself, so they match the elements.
        let parquet = try ParquetSchema(elements: elements)
        guard parquet.columns.count == plans.count, next == plans.count else {
            throw .schema(file: "", detail: "internal error: \(parquet.columns.count) leaves for \(plans.count) plans")
        }
        leafInfos = zip(parquet.columns, plans).map { ColumnChunkWriter.LeafInfo(path: $0.path, maxDef: $0.maxDef, maxRep: $0.maxRep, plan: $1) }
        for (node, c) in zip(nodes.flatMap(\.leaves), parquet.columns) {
            guard case .leaf(_, let d, let r, _) = node, d == c.maxDef, r == c.maxRep else {
                throw .schema(file: "", detail: "internal error: levels of \(c.dottedPath) disagree")
            }
        }
        chunkWriter = ColumnChunkWriter(options: options, compressor: try PageCompressor(codec: options.codec, level: options.codecLevel))
        output = MutableBuffer(capacity: 1 << 16)
        ParquetFooter.magic.withUnsafeBytes { output.append(contentsOf: $0) }
    }

    /// Writes `batch` as one or more row groups.
    ///
    /// - Throws: `schema` when the batch's schema differs from the writer's (metadata aside).
    public func write(_ batch: RecordBatch) throws(ParquetError) {
        guard !finished else { throw .schema(file: "", detail: "the writer is finished") }
        guard batch.schema.equalsIgnoringMetadata(schema) else {
            throw .schema(file: "", detail: "batch schema does not match the file schema")
        }
        var start = 0
        while start < batch.length {
            let n = Swift.min(options.maxRowGroupRows, batch.length - start)
            let slice: RecordBatch
            do { slice = try batch.slice(offset: start, length: n) } catch { throw .schema(file: "", detail: error.message) }
            try writeRowGroup(slice)
            start += n
        }
    }

    func writeRowGroup(_ batch: RecordBatch) throws(ParquetError) {
        // Room for the row group up front, rather than growing (and copying) the file buffer
        // as the pages arrive: about its values' PLAIN size (compressed pages need less).
        output.reserve(Self.estimatedBytes(batch))
        var chunks: [ColumnChunk] = []
        chunks.reserveCapacity(leafInfos.count)
        var leafIndex = 0
        for (node, column) in zip(levelNodes, batch.columns) {
            let shredded = try LevelShredder.shred(node, column: column)
            for leaf in shredded {
                let info = leafInfos[leafIndex]
                do {
                    chunks.append(try chunkWriter.write(leaf, info: info, into: output))
                } catch {
                    throw error.at("column \(info.path.joined(separator: "."))")
                }
                leafIndex += 1
            }
        }
        var uncompressed: Int64 = 0, compressed: Int64 = 0
        for c in chunks {
            uncompressed += c.metaData?.totalUncompressedSize ?? 0
            compressed += c.metaData?.totalCompressedSize ?? 0
        }
        let first = chunks.first?.metaData.map { $0.dictionaryPageOffset ?? $0.dataPageOffset }
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: uncompressed, numRows: Int64(batch.length),
                                  fileOffset: first, totalCompressedSize: compressed, ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        rows += Int64(batch.length)
    }

    /// About the PLAIN size of the values of `batch`'s flat columns (nested columns count 0).
    static func estimatedBytes(_ batch: RecordBatch) -> Int {
        var total = 1 << 16
        for c in batch.columns {
            let n = c.length
            switch c.type.layout {
            case .boolean: total &+= n / 8
            case .fixedWidth(let w): total &+= n &* w
            case .variableBinary(let w):
                guard c.buffers.count > 1, let o = c.buffers[1], o.count >= (c.offset &+ n &+ 1) &* w else { continue }
                let bytes = w == 4 ? Int(o.load(c.offset &+ n, as: Int32.self)) &- Int(o.load(c.offset, as: Int32.self))
                    : Int(o.load(c.offset &+ n, as: Int64.self)) &- Int(o.load(c.offset, as: Int64.self))
                total &+= 4 &* n &+ Swift.max(bytes, 0)
            default: continue
            }
        }
        return Swift.min(total, MutableBuffer.maximumCapacity / 2)
    }

    /// Appends the footer and returns the file's bytes. The writer cannot be used afterwards.
    public func finish() throws(ParquetError) -> ArrowBuffer {
        guard !finished else { throw .schema(file: "", detail: "the writer is finished") }
        finished = true
        var kv: [ParquetKeyValue] = []
        for (k, v) in schema.metadata where k != "ARROW:schema" { kv.append(ParquetKeyValue(key: k, value: v)) }
        for (k, v) in options.keyValueMetadata where k != "ARROW:schema" { kv.append(ParquetKeyValue(key: k, value: v)) }
        do {
            kv.append(ParquetKeyValue(key: "ARROW:schema", value: try ArrowSchemaCache.encode(schema)))
        } catch {
            throw .schema(file: "", detail: "cannot encode ARROW:schema: \(error.message)")
        }
        let metadata = FileMetaData(
            version: 2, schema: elements, numRows: rows, rowGroups: rowGroups, keyValueMetadata: kv,
            createdBy: options.createdBy, columnOrders: Array(repeating: .typeDefinedOrder, count: leafInfos.count))
        var footer: [UInt8] = []
        ParquetFooter.write(metadata, to: &footer)
        footer.withUnsafeBytes { output.append(contentsOf: $0) }
        return output.finish()
    }

    /// Writes `batches` (all of `schema`) into one file in memory.
    public static func write(_ batches: [RecordBatch], schema: Schema, options: ParquetWriterOptions = ParquetWriterOptions()) throws(ParquetError) -> ArrowBuffer {
        let writer = try ParquetFileWriter(schema: schema, options: options)
        for b in batches { try writer.write(b) }
        return try writer.finish()
    }
}
