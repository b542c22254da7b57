/// A schema and equal-length columns: the unit of data that crosses the C boundary and that
/// the engine and the store move around.
public struct RecordBatch: Sendable {
    /// The shape of the batch.
    public let schema: Schema
    /// One array per field, each ``length`` long.
    public let columns: [ArrayData]
    /// The number of rows.
    public let length: Int

    /// Creates a batch, checking that there is one column per field, that every column has the
    /// field's type (field metadata aside) and `length` rows, and that non-nullable fields hold
    /// no nulls.
    ///
    /// - Parameter length: required when there are no columns; otherwise the columns' length.
    public init(schema: Schema, columns: [ArrayData], length: Int? = nil) throws(ArrowError) {
        guard schema.fields.count == columns.count else {
            throw .schemaMismatch("schema has \(schema.fields.count) fields but \(columns.count) columns were given")
        }
        let n = length ?? columns.first?.length ?? 0
        guard n >= 0 else { throw .invalidArgument("negative row count \(n)") }
        for (field, column) in zip(schema.fields, columns) {
            guard column.type.equalsIgnoringMetadata(field.type) else {
                throw .schemaMismatch("column '\(field.name)' has type \(column.type), schema says \(field.type)")
            }
            guard column.length == n else {
                throw .schemaMismatch("column '\(field.name)' has \(column.length) rows, expected \(n)")
            }
            if !field.nullable, column.nullCount > 0 {
                throw .schemaMismatch("non-nullable column '\(field.name)' holds \(column.nullCount) null(s)")
            }
        }
        self.schema = schema
        self.columns = columns
        self.length = n
    }

    /// Creates a batch without checking it: the caller guarantees what
    /// ``init(schema:columns:length:)`` checks (one column per field, of the field's type,
    /// `length` rows each, no nulls in non-nullable fields), for instance because the columns
    /// come from a batch whose schema equals `schema` ignoring metadata.
    public init(unchecked schema: Schema, columns: [ArrayData], length: Int) {
        self.init(uncheckedSchema: schema, columns: columns, length: length)
    }

    /// Internal initializer for callers that already checked the invariants.
    init(uncheckedSchema schema: Schema, columns: [ArrayData], length: Int) {
        self.schema = schema
        self.columns = columns
        self.length = length
    }

    /// An empty batch with `schema`.
    public static func empty(_ schema: Schema) throws(ArrowError) -> RecordBatch {
        var columns: [ArrayData] = []
        for f in schema.fields { columns.append(try ArrayData.empty(f.type)) }
        return RecordBatch(uncheckedSchema: schema, columns: columns, length: 0)
    }

    /// The number of columns.
    public var columnCount: Int { columns.count }

    /// The column named `name`, or nil.
    public func column(named name: String) -> ArrayData? { schema.index(of: name).map { columns[$0] } }

    /// A zero-copy view of `length` rows starting at `offset`.
    public func slice(offset: Int, length count: Int) throws(ArrowError) -> RecordBatch {
        guard offset >= 0, count >= 0, offset <= length, count <= length - offset else {
            throw .invalidArgument("slice \(offset)..<\(offset &+ count) is outside a batch of \(length) rows")
        }
        return RecordBatch(uncheckedSchema: schema, columns: columns.map { $0.sliceUnchecked(offset: offset, length: count) }, length: count)
    }

    /// A batch of the named columns, in the given order.
    public func select(_ names: [String]) throws(ArrowError) -> RecordBatch {
        var fields: [Field] = []
        var cols: [ArrayData] = []
        for name in names {
            guard let i = schema.index(of: name) else { throw .schemaMismatch("no column named '\(name)'") }
            fields.append(schema.fields[i])
            cols.append(columns[i])
        }
        return RecordBatch(uncheckedSchema: Schema(fields, metadata: schema.metadata), columns: cols, length: length)
    }

    /// A batch with the column `name` replaced by `column` (and its field by `field`, when given).
    public func replacing(column name: String, with column: ArrayData, field: Field? = nil) throws(ArrowError) -> RecordBatch {
        guard let i = schema.index(of: name) else { throw .schemaMismatch("no column named '\(name)'") }
        var fields = schema.fields
        fields[i] = field ?? fields[i].with(type: column.type)
        var cols = columns
        cols[i] = column
        return try RecordBatch(schema: Schema(fields, metadata: schema.metadata), columns: cols, length: length)
    }

    /// The batch as one struct array (no nulls), as it crosses the C boundary.
    public func asStructArray() -> ArrayData {
        ArrayData(unchecked: .struct(schema.fields), length: length, nullCount: 0, buffers: [nil], children: columns)
    }

    /// A batch from a struct array without top-level nulls; the struct's children become the
    /// columns (sliced to the struct's offset and length).
    public init(structArray array: ArrayData, metadata: [(String, String)] = []) throws(ArrowError) {
        guard case .struct(let fields) = array.type else {
            throw .schemaMismatch("record batches must be top-level struct arrays, got \(array.type)")
        }
        guard array.nullCount == 0 else { throw .invalidData("a record batch struct array must not have top-level nulls") }
        try self.init(schema: Schema(fields, metadata: metadata), columns: array.logicalChildren, length: array.length)
    }

    /// ``init(structArray:metadata:)`` for a validated struct array of type `.struct(fields)`
    /// without top-level nulls: validation has checked what the batch needs (each child of its
    /// field's type, long enough, without nulls where not nullable).
    init(validatedStructArray array: ArrayData, fields: [Field], metadata: [(String, String)]) {
        self.init(uncheckedSchema: Schema(fields, metadata: metadata), columns: array.logicalChildren, length: array.length)
    }
}
