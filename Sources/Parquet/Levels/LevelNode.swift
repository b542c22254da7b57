import Arrow

/// The Dremel level structure of one Arrow field, as Parquet stores it: for every node, the
/// definition level at which it is present and, for lists, the repetition level of its elements.
///
/// Lists (`list`, `large_list`, `fixed_size_list`, `map`) add one repetition level and one
/// definition level for "has an element"; nullable nodes add one definition level for "not null".
/// A map is a list of its non-nullable `entries` struct, exactly as Parquet's
/// `repeated group key_value` is.
indirect enum LevelNode: Sendable {
    /// A leaf column: its values are stored where `def == maxDef`.
    case leaf(field: Field, maxDef: Int16, maxRep: Int16, leafIndex: Int)
    /// A struct: present (not null) where `def >= defPresent`.
    case structNode(field: Field, defPresent: Int16, children: [LevelNode])
    /// A list: not null where `def >= defPresent`, non-empty where `def >= defElement`; a new
    /// element starts where `rep == repLevel`.
    case list(field: Field, defPresent: Int16, defElement: Int16, repLevel: Int16, child: LevelNode)

    /// The deepest nesting `build` accepts.
    static let maximumDepth = 64

    /// Builds the level tree of `field`, numbering leaves from `firstLeaf`.
    static func build(_ field: Field, parentDef: Int16 = 0, parentRep: Int16 = 0, firstLeaf: inout Int, depth: Int = 1) throws(ParquetError) -> LevelNode {
        guard depth <= maximumDepth else { throw .schema(file: "", detail: "nesting deeper than \(maximumDepth) levels") }
        let def = parentDef + (field.nullable ? 1 : 0)
        switch field.type {
        case .struct(let fields):
            guard !fields.isEmpty else {
                throw .schema(file: "", detail: "struct field '\(field.name)' has no children; Parquet cannot store it")
            }
            var children: [LevelNode] = []
            for f in fields {
                children.append(try build(f, parentDef: def, parentRep: parentRep, firstLeaf: &firstLeaf, depth: depth + 1))
            }
            return .structNode(field: field, defPresent: def, children: children)
        case .list(let item), .largeList(let item), .fixedSizeList(let item, _), .map(let item, _):
            let child = try build(item, parentDef: def + 1, parentRep: parentRep + 1, firstLeaf: &firstLeaf, depth: depth + 1)
            return .list(field: field, defPresent: def, defElement: def + 1, repLevel: parentRep + 1, child: child)
        default:
            defer { firstLeaf += 1 }
            return .leaf(field: field, maxDef: def, maxRep: parentRep, leafIndex: firstLeaf)
        }
    }

    /// The Arrow field of this node.
    var field: Field {
        switch self {
        case .leaf(let f, _, _, _), .structNode(let f, _, _), .list(let f, _, _, _, _): return f
        }
    }

    /// The leaves under this node, in schema order.
    var leaves: [LevelNode] {
        switch self {
        case .leaf: return [self]
        case .structNode(_, _, let children): return children.flatMap(\.leaves)
        case .list(_, _, _, _, let child): return child.leaves
        }
    }

    /// The number of leaves under this node.
    var leafCount: Int {
        switch self {
        case .leaf: return 1
        case .structNode(_, _, let children): return children.reduce(0) { $0 + $1.leafCount }
        case .list(_, _, _, _, let child): return child.leafCount
        }
    }
}
