// `SchemaElement` of parquet.thrift: one node of the flattened (depth-first) schema tree.

/// A schema node. Leaves have a `type`; groups have `numChildren`.
public struct SchemaElement: Hashable, Sendable, ThriftStruct {
    /// The physical type of a leaf; `nil` for a group.
    public var type: Optional<PhysicalType>
    /// The byte length of FIXED_LEN_BYTE_ARRAY values.
    public var typeLength: Optional<Int32>
    /// `nil` only for the root.
    public var repetitionType: Optional<Repetition>
    public var name: String
    /// The number of children of a group; `nil` for a leaf.
    public var numChildren: Optional<Int32>
    public var convertedType: Optional<ConvertedType>
    public var scale: Optional<Int32>
    public var precision: Optional<Int32>
    public var fieldId: Optional<Int32>
    public var logicalType: Optional<LogicalType>

    public init(
        name: String, type: PhysicalType? = nil, typeLength: Int32? = nil,
        repetitionType: Repetition? = nil, numChildren: Int32? = nil,
        convertedType: ConvertedType? = nil, scale: Int32? = nil, precision: Int32? = nil,
        fieldId: Int32? = nil, logicalType: LogicalType? = nil
    ) {
        self.type = type
        self.typeLength = typeLength
        self.repetitionType = repetitionType
        self.name = name
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.scale = scale
        self.precision = precision
        self.fieldId = fieldId
        self.logicalType = logicalType
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> SchemaElement {
        let saved = try r.beginStruct()
        var e = SchemaElement(name: "")
        var hasName = false
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): e.type = try r.readPhysicalType()
            case (2, .i32): e.typeLength = try r.readI32()
            case (3, .i32): e.repetitionType = try r.readRepetition()
            case (4, .binary):
                e.name = try r.readString()
                hasName = true
            case (5, .i32): e.numChildren = try r.readI32()
            case (6, .i32): e.convertedType = try r.readConvertedType()
            case (7, .i32): e.scale = try r.readI32()
            case (8, .i32): e.precision = try r.readI32()
            case (9, .i32): e.fieldId = try r.readI32()
            case (10, .struct): e.logicalType = try LogicalType.decode(from: &r)
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard hasName else { throw r.missing("SchemaElement", "name") }
        return e
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, type)
        w.writeField(2, typeLength)
        w.writeField(3, repetitionType)
        w.writeField(4, name)
        w.writeField(5, numChildren)
        w.writeField(6, convertedType)
        w.writeField(7, scale)
        w.writeField(8, precision)
        w.writeField(9, fieldId)
        w.writeField(10, logicalType)
        w.endStruct(saved)
    }
}
