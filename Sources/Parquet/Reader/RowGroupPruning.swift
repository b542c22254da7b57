import Arrow

/// A simple predicate on top-level columns, evaluated against column-chunk statistics to skip
/// row groups that cannot hold a matching row (store.md §6.5).
public indirect enum ParquetPredicate: Sendable {
    /// `column == value`.
    case equals(String, ParquetScalar)
    /// `lower <(=) column <(=) upper`; a nil bound is open.
    case range(String, lower: ParquetScalar?, lowerInclusive: Bool = true, upper: ParquetScalar?, upperInclusive: Bool = true)
    /// `column IN values` (an empty list matches nothing).
    case isIn(String, [ParquetScalar])
    /// All of the predicates.
    case and([ParquetPredicate])
}

/// A literal compared with column statistics: integers (signed or unsigned as the column's
/// type says), floating point, booleans, strings and bytes (unsigned lexicographic).
public enum ParquetScalar: Sendable, Hashable {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case bytes([UInt8])
}

extension ParquetFileReader {
    /// The indices of the row groups that may hold rows matching `predicate`, in file order.
    /// A row group is skipped only when its statistics prove no row matches: missing or
    /// untrustworthy statistics (NaN bounds, inexact or absent min/max) keep it. Nulls never match.
    ///
    /// - Complexity: O(row groups × predicate size).
    public func rowGroups(matching predicate: ParquetPredicate) -> [Int] {
        metadata.rowGroups.indices.filter { mayMatch(predicate, rowGroup: $0) }
    }

    /// Whether row group `g` may hold a row matching `predicate`.
    public func mayMatch(_ predicate: ParquetPredicate, rowGroup g: Int) -> Bool {
        switch predicate {
        case .and(let parts):
            return parts.allSatisfy { mayMatch($0, rowGroup: g) }
        case .equals(let column, let value):
            guard let b = bounds(column, rowGroup: g) else { return true }
            guard let lo = b.min, let hi = b.max else { return !b.allNull }
            return !b.allNull && b.compare(value, lo) >= 0 && b.compare(value, hi) <= 0
        case .isIn(let column, let values):
            if values.isEmpty { return false }
            guard let b = bounds(column, rowGroup: g) else { return true }
            guard let lo = b.min, let hi = b.max else { return !b.allNull }
            return !b.allNull && values.contains { b.compare($0, lo) >= 0 && b.compare($0, hi) <= 0 }
        case .range(let column, let lower, let lowerInclusive, let upper, let upperInclusive):
            guard let b = bounds(column, rowGroup: g) else { return true }
            if b.allNull { return false }
            guard let lo = b.min, let hi = b.max else { return true }
            if let lower {
                let c = b.compare(hi, lower)
                if c < 0 || (c == 0 && !lowerInclusive) { return false }
            }
            if let upper {
                let c = b.compare(lo, upper)
                if c > 0 || (c == 0 && !upperInclusive) { return false }
            }
            return true
        }
    }

    /// Decoded statistics of a flat top-level column in row group `g`, or nil when unknown.
    func bounds(_ column: String, rowGroup g: Int) -> ChunkBounds? {
        guard g >= 0, g < metadata.rowGroups.count else { return nil }
        // Only flat top-level columns: one leaf whose path is just the column name.
        guard let leaf = parquetSchema.columns.firstIndex(where: { $0.path == [column] }) else { return nil }
        let descriptor = parquetSchema.columns[leaf]
        guard descriptor.maxRep == 0, let meta = metadata.rowGroups[g].columns[leaf].metaData, let stats = meta.statistics else { return nil }
        let allNull = stats.nullCount.map { $0 >= meta.numValues && meta.numValues > 0 } ?? false
        var unsigned = false
        if case .integer(_, let signed)? = descriptor.element.logicalType { unsigned = !signed }
        if [.uint8, .uint16, .uint32, .uint64].contains(descriptor.element.convertedType) { unsigned = true }
        var minBytes = stats.minValue, maxBytes = stats.maxValue
        if minBytes == nil || maxBytes == nil {
            // The deprecated fields are trustworthy only for signed numeric order.
            let signedNumeric = [.int32, .int64, .float, .double].contains(descriptor.physicalType) && !unsigned
            if signedNumeric { minBytes = stats.min; maxBytes = stats.max }
        }
        if stats.isMinValueExact == false { minBytes = nil }
        if stats.isMaxValueExact == false { maxBytes = nil }
        let kind: ChunkBounds.Kind
        switch descriptor.physicalType {
        case .int32: kind = unsigned ? .uint32 : .int32
        case .int64: kind = unsigned ? .uint64 : .int64
        case .float: kind = .float
        case .double: kind = .double
        case .boolean: kind = .boolean
        case .byteArray, .fixedLenByteArray:
            if case .decimal? = descriptor.element.logicalType { return nil }
            if descriptor.element.convertedType == .decimal { return nil }
            kind = .bytes
        case .int96: return nil
        }
        var b = ChunkBounds(kind: kind, allNull: allNull)
        b.min = minBytes.flatMap { b.decode($0) }
        b.max = maxBytes.flatMap { b.decode($0) }
        if b.min == nil || b.max == nil { b.min = nil; b.max = nil }
        return b
    }
}

/// Statistics bounds decoded into comparable scalars.
struct ChunkBounds {
    enum Kind { case int32, uint32, int64, uint64, float, double, boolean, bytes }
    let kind: Kind
    let allNull: Bool
    var min: ParquetScalar?
    var max: ParquetScalar?

    init(kind: Kind, allNull: Bool) {
        self.kind = kind
        self.allNull = allNull
    }

    /// The scalar of a PLAIN-encoded bound, or nil when it is malformed or NaN.
    func decode(_ bytes: [UInt8]) -> ParquetScalar? {
        bytes.withUnsafeBytes { raw -> ParquetScalar? in
            switch kind {
            case .int32: return raw.count == 4 ? .int(Int64(raw.loadUnaligned(as: Int32.self))) : nil
            case .uint32: return raw.count == 4 ? .int(Int64(raw.loadUnaligned(as: UInt32.self))) : nil
            case .int64: return raw.count == 8 ? .int(raw.loadUnaligned(as: Int64.self)) : nil
            case .uint64: return raw.count == 8 ? .int(Int64(bitPattern: raw.loadUnaligned(as: UInt64.self))) : nil
            case .float:
                guard raw.count == 4 else { return nil }
                let v = Double(raw.loadUnaligned(as: Float.self))
                return v.isNaN ? nil : .double(v)
            case .double:
                guard raw.count == 8 else { return nil }
                let v = raw.loadUnaligned(as: Double.self)
                return v.isNaN ? nil : .double(v)
            case .boolean: return raw.count == 1 ? .bool(raw[0] != 0) : nil
            case .bytes: return .bytes(bytes)
            }
        }
    }

    /// Orders `a` against `b` in the column's order: negative, zero or positive. Values of another
    /// kind than the column's compare as equal (so they never prune).
    func compare(_ a: ParquetScalar, _ b: ParquetScalar) -> Int {
        switch (kind, normalized(a), normalized(b)) {
        case (.uint64, .int(let x), .int(let y)):
            let ux = UInt64(bitPattern: x), uy = UInt64(bitPattern: y)
            return ux < uy ? -1 : (ux > uy ? 1 : 0)
        case (_, .int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (_, .double(let x), .double(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (_, .int(let x), .double(let y)): return Double(x) < y ? -1 : (Double(x) > y ? 1 : 0)
        case (_, .double(let x), .int(let y)): return x < Double(y) ? -1 : (x > Double(y) ? 1 : 0)
        case (_, .bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (_, .bytes(let x), .bytes(let y)):
            for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
            return x.count - y.count
        default: return 0
        }
    }

    func normalized(_ s: ParquetScalar) -> ParquetScalar {
        if case .string(let text) = s { return .bytes(Array(text.utf8)) }
        return s
    }
}
