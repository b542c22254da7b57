import Arrow

/// Reads a Parquet file into Arrow record batches.
///
/// The footer is decoded and the Arrow schema derived once, at open (store.md §11.3: the
/// `ARROW:schema` hint when it is decodable and consistent, else inference). Reads select
/// top-level columns and row groups; every byte taken from the file is bounds-checked and every
/// failure is a `ParquetError` carrying the file name.
///
/// Thread-safety: a reader may be used from several threads at once (each read decodes with its
/// own state).
public final class ParquetFileReader: @unchecked Sendable {
    /// The file name used in errors ("" for in-memory bytes).
    public let name: String
    /// The footer.
    public let metadata: FileMetaData
    /// The Parquet schema tree and its leaf columns.
    public let parquetSchema: ParquetSchema
    /// The Arrow schema of the rows this reader returns.
    public let schema: Schema
    /// Whether ``schema`` came from the file's `ARROW:schema` (false: inferred).
    public let usedArrowSchemaHint: Bool
    let options: ParquetReaderOptions
    let file: ArrowBuffer
    let footerStart: Int
    /// The level tree of each top-level field.
    let levelNodes: [LevelNode]
    /// Per leaf column: how its values become Arrow values.
    let conversions: [LeafConversion]
    /// Per leaf column: its Arrow type.
    let leafTypes: [DataType]

    /// Opens the file at `path` (read completely into memory).
    public convenience init(path: String, options: ParquetReaderOptions = ParquetReaderOptions()) throws(ParquetError) {
        let bytes = try FileBytes.read(path: path)
        try self.init(bytes: bytes, name: path, options: options)
    }

    /// Opens a file held in memory.
    public convenience init(bytes: [UInt8], name: String = "", options: ParquetReaderOptions = ParquetReaderOptions()) throws(ParquetError) {
        try self.init(bytes: bytes.withUnsafeBytes { ArrowBuffer(copying: $0) }, name: name, options: options)
    }

    /// Opens a file held in an Arrow buffer (no copy).
    public init(bytes: ArrowBuffer, name: String = "", options: ParquetReaderOptions = ParquetReaderOptions()) throws(ParquetError) {
        self.name = name
        self.options = options
        self.file = bytes
        do throws(ParquetError) {
            let raw = UnsafeRawBufferPointer(start: bytes.baseAddress, count: bytes.count)
            let (metadata, footerLength) = try ParquetFooter.read(raw, maxLength: options.maxFooterBytes)
            self.metadata = metadata
            footerStart = raw.count - ParquetFooter.trailerLength - footerLength
            guard metadata.numRows >= 0 else { throw ParquetError.corrupt("the footer says \(metadata.numRows) rows") }
            let parquetSchema = try ParquetSchema(elements: metadata.schema)
            self.parquetSchema = parquetSchema
            for (g, group) in metadata.rowGroups.enumerated() {
                guard group.columns.count == parquetSchema.columns.count else {
                    throw ParquetError.corrupt("row group \(g) has \(group.columns.count) column chunks for \(parquetSchema.columns.count) leaf columns")
                }
                guard group.numRows >= 0 else { throw ParquetError.corrupt("row group \(g) has \(group.numRows) rows") }
            }
            // The hint: a malformed one is ignored (inference instead), never fatal.
            var hint: Schema? = nil
            if let encoded = metadata.metadataValue(forKey: "ARROW:schema") {
                hint = try? ArrowSchemaCache.decode(encoded)
            }
            var (fields, usedHint) = try ArrowSchemaInference.fields(parquetSchema, hint: hint)
            // Level trees, checked against the Parquet levels; an inconsistent hint falls back.
            var built = try Self.levels(fields, parquetSchema)
            if built == nil, hint != nil {
                (fields, usedHint) = try ArrowSchemaInference.fields(parquetSchema, hint: nil)
                built = try Self.levels(fields, parquetSchema)
            }
            guard let (nodes, conversions, leafTypes) = built else {
                throw ParquetError.unsupported("nested layout whose levels do not match its Arrow form")
            }
            levelNodes = nodes
            self.conversions = conversions
            self.leafTypes = leafTypes
            usedArrowSchemaHint = usedHint
            var schemaMetadata: [(String, String)] = []
            if usedHint, let hint {
                schemaMetadata = hint.metadata
            } else {
                for kv in metadata.keyValueMetadata ?? [] where kv.key != "ARROW:schema" {
                    schemaMetadata.append((kv.key, kv.value ?? ""))
                }
            }
            schema = Schema(fields, metadata: schemaMetadata)
        } catch {
            throw error.inFile(name)
        }
    }

    /// Level trees and leaf conversions for `fields`, or nil when they do not match the Parquet
    /// levels.
    static func levels(_ fields: [Field], _ schema: ParquetSchema) throws(ParquetError) -> ([LevelNode], [LeafConversion], [DataType])? {
        var nodes: [LevelNode] = []
        var next = 0
        for f in fields { nodes.append(try LevelNode.build(f, firstLeaf: &next)) }
        guard next == schema.columns.count else { return nil }
        var conversions: [LeafConversion] = []
        var types: [DataType] = []
        for node in nodes {
            for leaf in node.leaves {
                guard case .leaf(let field, let maxDef, let maxRep, let index) = leaf else { return nil }
                let column = schema.columns[index]
                guard column.maxDef == maxDef, column.maxRep == maxRep,
                      let conversion = LeafConversion.plan(column, target: field.type) else { return nil }
                conversions.append(conversion)
                types.append(field.type)
            }
        }
        return (nodes, conversions, types)
    }

    /// The number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }
    /// The number of rows in the file.
    public var rowCount: Int { Int(metadata.numRows) }

    /// The indices of the top-level fields named in `columns` (all when nil), in the order given.
    public func fieldIndices(_ columns: [String]?) throws(ParquetError) -> [Int] {
        guard let columns else { return Array(schema.fields.indices) }
        var out: [Int] = []
        for c in columns {
            guard let i = schema.index(of: c) else { throw .schema(file: name, detail: "no column named '\(c)'") }
            guard !out.contains(i) else { throw .schema(file: name, detail: "column '\(c)' requested twice") }
            out.append(i)
        }
        return out
    }

    /// Reads one row group, with the top-level columns named in `columns` (all when nil).
    public func readRowGroup(_ index: Int, columns: [String]? = nil) throws(ParquetError) -> RecordBatch {
        try readRowGroup(index, fields: try fieldIndices(columns))
    }

    func readRowGroup(_ index: Int, fields: [Int]) throws(ParquetError) -> RecordBatch {
        guard index >= 0, index < metadata.rowGroups.count else {
            throw .schema(file: name, detail: "row group \(index) does not exist (\(metadata.rowGroups.count) row groups)")
        }
        let group = metadata.rowGroups[index]
        let rows = Int(group.numRows)
        let decompressor = PageDecompressor(maxPageBytes: options.maxPageBytes)
        var columns: [ArrayData] = []
        do throws(ParquetError) {
            try file.withUnsafeBytes { (raw) throws(ParquetError) in
                let reader = ColumnChunkReader(file: raw, footerStart: footerStart, options: options, decompressor: decompressor)
                for f in fields {
                    let node = levelNodes[f]
                    var leaves: [DecodedLeaf] = []
                    var indices: [Int] = []
                    for leaf in node.leaves {
                        guard case .leaf(_, _, _, let i) = leaf else { continue }
                        indices.append(i)
                    }
                    // DecodedLeaf slots are indexed by global leaf number; fill only this field's.
                    var byIndex: [Int: DecodedLeaf] = [:]
                    for i in indices {
                        let column = parquetSchema.columns[i]
                        let location = "row group \(index), column \(column.dottedPath)"
                        do throws(ParquetError) {
                            let chunk = try reader.read(group.columns[i], column: column, largeOffsets: LeafConversion.wantsLargeOffsets(leafTypes[i]))
                            let dense = try conversions[i].apply(chunk.values, target: leafTypes[i], column: column.dottedPath,
                                                                 validateUTF8: options.validateUTF8 && !chunk.utf8Checked)
                            byIndex[i] = DecodedLeaf(def: chunk.def, rep: chunk.rep, levelCount: chunk.levelCount, values: dense)
                        } catch {
                            throw error.at(location)
                        }
                    }
                    let first = indices.first ?? 0
                    leaves = (0..<(first + indices.count)).map { byIndex[$0] ?? DecodedLeaf(def: [], rep: [], levelCount: 0, values: .nulls(0)) }
                    do throws(ParquetError) {
                        columns.append(try RecordAssembler.assemble(node, leaves: leaves, rows: rows))
                    } catch {
                        throw error.at("row group \(index), column \(schema.fields[f].name)")
                    }
                }
            }
            let projected = Schema(fields.map { schema.fields[$0] }, metadata: schema.metadata)
            do {
                return try RecordBatch(schema: projected, columns: columns, length: rows)
            } catch {
                throw ParquetError.corrupt("row group \(index): \(error.message)")
            }
        } catch {
            throw error.inFile(name)
        }
    }

    /// Reads the selected row groups (all when nil) and columns (all when nil), one batch per
    /// row group, or batches of at most `batchSize` rows when given (zero-copy slices).
    public func read(columns: [String]? = nil, rowGroups: [Int]? = nil, batchSize: Int? = nil) throws(ParquetError) -> [RecordBatch] {
        let fields = try fieldIndices(columns)
        var out: [RecordBatch] = []
        for g in rowGroups ?? Array(0..<rowGroupCount) {
            let batch = try readRowGroup(g, fields: fields)
            if let size = batchSize, size > 0, batch.length > size {
                var start = 0
                while start < batch.length {
                    let n = Swift.min(size, batch.length - start)
                    do { out.append(try batch.slice(offset: start, length: n)) } catch { throw .corrupt(error.message) }
                    start += n
                }
            } else {
                out.append(batch)
            }
        }
        return out
    }

    /// Every row of the file as one batch (row groups concatenated).
    public func readAll(columns: [String]? = nil) throws(ParquetError) -> RecordBatch {
        let batches = try read(columns: columns)
        let projected = Schema(try fieldIndices(columns).map { schema.fields[$0] }, metadata: schema.metadata)
        if batches.count == 1 { return batches[0] }
        do {
            if batches.isEmpty { return try RecordBatch.empty(projected) }
            return try RecordBatch.concatenate(batches)
        } catch {
            throw .corrupt(error.message)
        }
    }
}

extension ParquetError {
    /// The error with `location` filled in where it was empty.
    func at(_ location: String) -> ParquetError {
        switch self {
        case .corrupt(let f, let l, let d): return .corrupt(file: f, location: l.isEmpty ? location : "\(location), \(l)", detail: d)
        case .unsupported(let f, let l, let x): return .unsupported(file: f, location: l.isEmpty ? location : "\(location), \(l)", feature: x)
        default: return self
        }
    }
}
