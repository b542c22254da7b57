/// The Parquet schema as a tree, with the definition and repetition levels of every node.
///
/// Built from the flattened, depth-first `SchemaElement` list of a footer, with every count
/// checked (store.md §11.4: `num_children` consistent, depth ≤ 64).
public struct ParquetSchema: Sendable {
    /// The root group (its element is the footer's first schema element).
    public let root: Node
    /// The leaf columns, in the order column chunks appear in a row group.
    public let columns: [ColumnDescriptor]

    /// A group or leaf of the schema tree.
    public struct Node: Sendable {
        /// The footer's element for this node.
        public let element: SchemaElement
        /// Children of a group; empty for a leaf.
        public let children: [Node]
        /// The definition level reached when this node is present.
        public let maxDef: Int16
        /// The repetition level of this node.
        public let maxRep: Int16
        /// The leaf columns under this node.
        public let leaves: Range<Int>

        /// Whether this node is a leaf (a primitive column).
        public var isLeaf: Bool { element.type != nil && element.numChildren == nil }
        public var name: String { element.name }
        public var repetition: Repetition { element.repetitionType ?? .required }
    }

    /// The deepest schema accepted.
    public static let maximumDepth = 64

    /// Parses the flattened schema of a footer.
    ///
    /// - Throws: `corrupt` when the element list is not a well-formed tree.
    /// - Complexity: O(*elements*).
    public init(elements: [SchemaElement]) throws(ParquetError) {
        guard let first = elements.first else { throw .corrupt("the footer has no schema elements") }
        guard first.type == nil else { throw .corrupt("the schema root '\(first.name)' is not a group") }
        var index = 0
        var columns: [ColumnDescriptor] = []
        root = try Self.parse(elements, &index, depth: 0, parentDef: 0, parentRep: 0, path: [], columns: &columns, isRoot: true)
        guard index == elements.count else {
            throw .corrupt("the schema has \(elements.count - index) element(s) outside the root's children")
        }
        self.columns = columns
    }

    private static func parse(
        _ elements: [SchemaElement], _ index: inout Int, depth: Int, parentDef: Int16, parentRep: Int16,
        path: [String], columns: inout [ColumnDescriptor], isRoot: Bool
    ) throws(ParquetError) -> Node {
        guard depth <= maximumDepth else { throw .corrupt("the schema is nested deeper than \(maximumDepth) levels") }
        guard index < elements.count else { throw .corrupt("the schema ends inside a group") }
        let element = elements[index]
        index += 1
        var def = parentDef, rep = parentRep
        if !isRoot {
            switch element.repetitionType ?? .required {
            case .required: break
            case .optional: def += 1
            case .repeated: def += 1; rep += 1
            }
        }
        let myPath = isRoot ? [] : path + [element.name]
        if let n = element.numChildren {
            guard n >= 0 else { throw .corrupt("schema element '\(element.name)' has \(n) children") }
            guard Int(n) <= elements.count - index else {
                throw .corrupt("schema element '\(element.name)' declares \(n) children but only \(elements.count - index) elements follow")
            }
            let firstLeaf = columns.count
            var children: [Node] = []
            children.reserveCapacity(Int(n))
            for _ in 0..<Int(n) {
                children.append(try parse(elements, &index, depth: depth + 1, parentDef: def, parentRep: rep, path: myPath, columns: &columns, isRoot: false))
            }
            return Node(element: element, children: children, maxDef: def, maxRep: rep, leaves: firstLeaf..<columns.count)
        }
        guard let type = element.type else {
            throw .corrupt("schema element '\(element.name)' has neither a type nor children")
        }
        var typeLength = 0
        if type == .fixedLenByteArray {
            guard let l = element.typeLength, l > 0 else {
                throw .corrupt("FIXED_LEN_BYTE_ARRAY column '\(element.name)' has no positive type_length")
            }
            typeLength = Int(l)
        }
        let leaf = columns.count
        columns.append(ColumnDescriptor(path: myPath, physicalType: type, typeLength: typeLength, maxDef: def, maxRep: rep, element: element))
        return Node(element: element, children: [], maxDef: def, maxRep: rep, leaves: leaf..<(leaf + 1))
    }
}

/// One leaf column of a Parquet schema.
public struct ColumnDescriptor: Hashable, Sendable {
    /// The names from the root's child down to the leaf.
    public var path: [String]
    public var physicalType: PhysicalType
    /// The byte width of FIXED_LEN_BYTE_ARRAY values (0 for other types).
    public var typeLength: Int
    public var maxDef: Int16
    public var maxRep: Int16
    /// The leaf's schema element (annotations).
    public var element: SchemaElement

    /// The dotted path, as tools print it.
    public var dottedPath: String { path.joined(separator: ".") }
}
