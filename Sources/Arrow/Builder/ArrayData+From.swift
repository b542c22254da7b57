/// Convenience constructors for small arrays (tests, examples, literals).
extension ArrayData {
    /// An array of `T.defaultArrowType` holding `values`.
    public static func from<T: ArrowPrimitive>(_ values: [T]) -> ArrayData {
        let b = PrimitiveBuilder<T>(capacity: values.count)
        values.withUnsafeBufferPointer { b.append(contentsOf: $0) }
        return b.finishUnchecked()
    }

    /// An array of `T.defaultArrowType` holding `values`, nil as null.
    public static func from<T: ArrowPrimitive>(_ values: [T?]) -> ArrayData {
        let b = PrimitiveBuilder<T>(capacity: values.count)
        for v in values { b.append(v) }
        return b.finishUnchecked()
    }

    /// An array of `type` (fixed-width with `T`'s stride: e.g. `Int64` for a timestamp).
    public static func from<T: ArrowPrimitive>(_ values: [T?], type: DataType) throws(ArrowError) -> ArrayData {
        let b = try PrimitiveBuilder<T>(type: type, capacity: values.count)
        for v in values { b.append(v) }
        return b.finishUnchecked()
    }

    /// A boolean array.
    public static func from(_ values: [Bool]) -> ArrayData {
        let b = BooleanBuilder(capacity: values.count)
        b.append(contentsOf: values)
        return b.finishUnchecked()
    }

    /// A boolean array, nil as null.
    public static func from(_ values: [Bool?]) -> ArrayData {
        let b = BooleanBuilder(capacity: values.count)
        b.append(contentsOf: values)
        return b.finishUnchecked()
    }

    /// A utf8 array (large_utf8 when `large`); throws only when more than 2 GiB of text
    /// overflows utf8's Int32 offsets.
    public static func from(_ values: [String?], large: Bool = false) throws(ArrowError) -> ArrayData {
        if large {
            let b = LargeStringBuilder(capacity: values.count)
            b.append(contentsOf: values)
            return try b.finish()
        }
        let b = StringBuilder(capacity: values.count)
        b.append(contentsOf: values)
        return try b.finish()
    }

    /// A utf8 array (large_utf8 when `large`).
    public static func from(_ values: [String], large: Bool = false) throws(ArrowError) -> ArrayData {
        try from(values.map { Optional($0) }, large: large)
    }

    /// A binary array (large_binary when `large`), nil as null.
    public static func from(binary values: [[UInt8]?], large: Bool = false) throws(ArrowError) -> ArrayData {
        if large {
            let b = LargeBinaryBuilder(capacity: values.count)
            for v in values { b.append(v) }
            return try b.finish()
        }
        let b = BinaryBuilder(capacity: values.count)
        for v in values { b.append(v) }
        return try b.finish()
    }
}
