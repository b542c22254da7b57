extension ArrayData {
    /// A valid empty array of `type` (every buffer present and empty, offsets `[0]`).
    public static func empty(_ type: DataType) throws(ArrowError) -> ArrayData {
        func offsets(_ width: Int) -> ArrowBuffer {
            let b = MutableBuffer(capacity: width)
            b.appendZeros(width)
            return b.finish()
        }
        switch type.layout {
        case .null:
            return .nulls(0)
        case .boolean, .fixedWidth:
            return ArrayData(unchecked: type, length: 0, nullCount: 0, buffers: [nil, .empty])
        case .variableBinary(let w):
            return ArrayData(unchecked: type, length: 0, nullCount: 0, buffers: [nil, offsets(w), .empty])
        case .list(let w):
            return ArrayData(unchecked: type, length: 0, nullCount: 0, buffers: [nil, offsets(w)],
                             children: [try empty(type.children[0].type)])
        case .fixedSizeList:
            return ArrayData(unchecked: type, length: 0, nullCount: 0, buffers: [nil], children: [try empty(type.children[0].type)])
        case .struct:
            var kids: [ArrayData] = []
            for f in type.children { kids.append(try empty(f.type)) }
            return ArrayData(unchecked: type, length: 0, nullCount: 0, buffers: [nil], children: kids)
        case .dictionary:
            guard case .dictionary(_, let value, _) = type else { throw .invalidData("bad dictionary type") }
            return ArrayData(unchecked: type, length: 0, nullCount: 0, buffers: [nil, .empty], dictionary: try empty(value))
        }
    }
}
