import CArrowABI

extension CDataInterface {
    /// Moves a foreign `ArrowSchema` into Swift and returns it as a ``Field``.
    ///
    /// The caller's struct is left released (its `release` set to NULL) whatever the outcome,
    /// and the producer's release callback is called exactly once before returning.
    ///
    /// - Throws: `.released` if the struct was already released; `.invalidFormat`,
    ///   `.unsupportedType`, `.invalidData` or `.invalidUTF8` for malformed schemas.
    public static func importField(_ schema: UnsafeMutablePointer<ArrowSchema>) throws(ArrowError) -> Field {
        guard schema.pointee.release != nil else { throw ArrowError(.released, "schema struct is already released") }
        var moved = schema.pointee
        schema.pointee.release = nil
        defer { moved.release?(&moved) }
        return try withUnsafePointer(to: &moved) { (p) throws(ArrowError) -> Field in
            try ImportedSchemaCache.field(p) { () throws(ArrowError) in try SchemaReader.field(p, depth: 1, index: nil) }
        }
    }

    /// Moves a foreign `ArrowSchema` of a record batch (format `+s`) into Swift.
    ///
    /// The struct's children become the fields; its metadata becomes the schema metadata.
    public static func importSchema(_ schema: UnsafeMutablePointer<ArrowSchema>) throws(ArrowError) -> Schema {
        let field = try importField(schema)
        guard case .struct(let fields) = field.type else {
            throw ArrowError(.schemaMismatch, "record batches must be top-level struct arrays, got \(field.type)")
        }
        return Schema(fields, metadata: field.metadata)
    }
}

/// Reads (borrowed) `ArrowSchema` trees into ``Field`` values with full validation.
enum SchemaReader {
    static func field(_ s: UnsafePointer<ArrowSchema>, depth: Int, index: Int?) throws(ArrowError) -> Field {
        guard depth <= ArrayData.maximumNestingDepth else {
            throw ArrowError(.invalidData, "nesting depth exceeds \(ArrayData.maximumNestingDepth)")
        }
        let c = s.pointee
        // Built only when a message needs it.
        func here() -> String { index.map { "child \($0)" } ?? "schema" }
        guard let fmtPtr = c.format else { throw ArrowError(.invalidFormat, "\(here()) has a NULL format") }
        let format = try CDataStrings.read(fmtPtr, "format of \(here())")
        let name = try c.name.map { (p) throws(ArrowError) in try CDataStrings.read(p, "name of \(here())") } ?? ""
        let metadata = try CDataStrings.readMetadata(c.metadata)
        let nullable = c.flags & Int64(ARROW_FLAG_NULLABLE) != 0
        let parsed = try FormatString.parse(format)

        guard c.n_children >= 0 else { throw ArrowError(.invalidData, "\(here()) has a negative child count") }
        guard c.n_children <= 1 << 16 else { throw ArrowError(.invalidData, "\(here()) has too many children (\(c.n_children))") }
        let expected: Int?
        switch parsed {
        case .leaf: expected = 0
        case .list, .largeList, .fixedSizeList, .map: expected = 1
        case .struct: expected = nil
        }
        if let expected, c.n_children != expected {
            throw ArrowError(.invalidData, "format '\(format)' of \(here()) needs \(expected) children, got \(c.n_children)")
        }
        var children: [Field] = []
        if c.n_children > 0 {
            guard let kids = c.children else { throw ArrowError(.invalidData, "\(here()) has NULL children with n_children \(c.n_children)") }
            for i in 0..<Int(c.n_children) {
                guard let child = kids[i] else { throw ArrowError(.invalidData, "\(here()) has a NULL child pointer at \(i)") }
                if case .struct = parsed, child.pointee.name == nil {
                    throw ArrowError(.invalidData, "struct child \(i) of \(here()) has a NULL name")
                }
                do {
                    children.append(try field(child, depth: depth + 1, index: i))
                } catch {
                    throw ArrowError(error.kind, "\(error.message) (in \(here()))")
                }
            }
        }
        var type: DataType
        switch parsed {
        case .leaf(let t): type = t
        case .list: type = .list(children[0])
        case .largeList: type = .largeList(children[0])
        case .fixedSizeList(let n): type = .fixedSizeList(children[0], listSize: n)
        case .struct: type = .struct(children)
        case .map:
            guard case .struct(let kv) = children[0].type, kv.count == 2 else {
                throw ArrowError(.invalidData, "map \(here()) must have a struct child of two fields")
            }
            type = .map(children[0], keysSorted: c.flags & Int64(ARROW_FLAG_MAP_KEYS_SORTED) != 0)
        }
        if let dict = c.dictionary {
            guard type.isInteger else {
                throw ArrowError(.invalidData, "dictionary-encoded \(here()) must have an integer index format, got '\(format)'")
            }
            let value = try field(dict, depth: depth + 1, index: -1)
            type = .dictionary(index: type, value: value.type, ordered: c.flags & Int64(ARROW_FLAG_DICTIONARY_ORDERED) != 0)
        }
        return Field(name, type, nullable: nullable, metadata: metadata)
    }
}
