#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A builder of dictionary-encoded arrays: integer indices plus a dictionary that is either
/// given up front, accumulated from the appended values, or both (values missing from a given
/// dictionary are added after its entries).
///
/// Values can be appended by value (``append(_:)-(String)``, ``append(bytes:)``,
/// ``append(_:)-(T)``) when the dictionary's value type is fixed-width or variable binary: equal
/// values (byte-wise; floats by bit pattern) share one dictionary entry. Any dictionary can be
/// indexed directly with ``appendIndex(_:)``.
public final class DictionaryBuilder: ArrayBuilder {
    public let type: DataType
    /// The index type.
    public let indexType: DataType
    /// The value type.
    public let valueType: DataType
    let maxIndex: UInt64
    let given: ArrayData?
    let givenCount: Int
    let memoWidth: Int?          // fixed-width values: bytes per value
    let memoBinary: Bool         // variable-binary values
    var indices = MutableBuffer()
    var validity = ValidityBuilder()
    // Memo table over every dictionary entry (given ones copied in).
    var keyBytes = MutableBuffer()
    var keyOffsets: [Int] = [0]
    var hashes: [UInt64] = []
    var slots: [Int] = []
    var entryCount = 0
    var needsUTF8Check = false
    /// For value types without a memo table: the entry added by `appendEmptyValue()`.
    var emptyEntry: Int?

    /// A builder that accumulates its dictionary from the appended values.
    public convenience init(type: DataType) throws(ArrowError) {
        try self.init(type: type, dictionary: nil)
    }

    /// A builder whose dictionary starts as `dictionary` (its type must be the value type).
    public init(type: DataType, dictionary: ArrayData?) throws(ArrowError) {
        guard case .dictionary(let indexType, let valueType, _) = type, indexType.isInteger else {
            throw .schemaMismatch("\(type) is not a dictionary type with integer indices")
        }
        self.type = type
        self.indexType = indexType
        self.valueType = valueType
        switch indexType {
        case .int8: maxIndex = UInt64(Int8.max)
        case .int16: maxIndex = UInt64(Int16.max)
        case .int32: maxIndex = UInt64(Int32.max)
        case .uint8: maxIndex = UInt64(UInt8.max)
        case .uint16: maxIndex = UInt64(UInt16.max)
        case .uint32: maxIndex = UInt64(UInt32.max)
        default: maxIndex = UInt64(Int64.max)
        }
        switch valueType.layout {
        case .fixedWidth(let w): memoWidth = w; memoBinary = false
        case .variableBinary: memoWidth = nil; memoBinary = true
        default: memoWidth = nil; memoBinary = false
        }
        if let dictionary {
            guard dictionary.type == valueType else {
                throw .schemaMismatch("dictionary has type \(dictionary.type), \(type) needs \(valueType)")
            }
            try dictionary.validate()
        }
        given = dictionary
        givenCount = dictionary?.length ?? 0
        resetMemo()
    }

    private func resetMemo() {
        keyBytes = MutableBuffer()
        keyOffsets = [0]
        hashes = []
        slots = []
        entryCount = 0
        emptyEntry = nil
        guard let given, memoWidth != nil || memoBinary else {
            entryCount = givenCount
            return
        }
        var cap = 16
        while cap < givenCount * 2 { cap *= 2 }
        slots = Array(repeating: -1, count: cap)
        func add(_ bytes: UnsafeRawBufferPointer, valid: Bool) {
            // Null entries of a given dictionary are kept (as empty keys) but never matched.
            keyBytes.append(contentsOf: bytes)
            keyOffsets.append(keyBytes.count)
            let h = DictionaryBuilder.hash(bytes)
            hashes.append(h)
            if valid, find(bytes, h) == nil { insert(entryCount, h) }
            entryCount += 1
        }
        if let w = memoWidth, let v = try? FixedSizeBinaryArray(given) {
            for i in 0..<givenCount { v.withUnsafeBytes(at: i) { add($0, valid: v.isValid(i)) } }
            _ = w
        } else if case .variableBinary(4) = valueType.layout, let v = try? GenericBinaryArray<Int32>(given) {
            for i in 0..<givenCount { v.withUnsafeBytes(at: i) { add($0, valid: v.isValid(i)) } }
        } else if let v = try? GenericBinaryArray<Int64>(given) {
            for i in 0..<givenCount { v.withUnsafeBytes(at: i) { add($0, valid: v.isValid(i)) } }
        }
    }

    /// The number of dictionary entries so far (given and added).
    public var dictionaryLength: Int { entryCount }
    public var length: Int { validity.length }
    public var nullCount: Int { validity.nullCount }

    // MARK: Hash table

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let p = bytes.baseAddress else { return h }
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    private func keyEquals(_ k: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let s = keyOffsets[k], e = keyOffsets[k + 1]
        guard e - s == bytes.count else { return false }
        if bytes.count == 0 { return true }
        return memcmp(keyBytes.baseAddress + s, bytes.baseAddress!, bytes.count) == 0
    }

    private func find(_ bytes: UnsafeRawBufferPointer, _ h: UInt64) -> Int? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let k = slots[i]
            if k < 0 { return nil }
            if hashes[k] == h && keyEquals(k, bytes) { return k }
            i = (i + 1) & mask
        }
    }

    private func insert(_ k: Int, _ h: UInt64) {
        if (k + 1) * 2 > slots.count {
            var bigger = Array(repeating: -1, count: slots.count * 2)
            let mask = bigger.count - 1
            for old in slots where old >= 0 {
                var i = Int(truncatingIfNeeded: hashes[old]) & mask
                while bigger[i] >= 0 { i = (i + 1) & mask }
                bigger[i] = old
            }
            slots = bigger
        }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] >= 0 { i = (i + 1) & mask }
        slots[i] = k
    }

    /// The entry holding `bytes`, added if missing.
    private func memoize(_ bytes: UnsafeRawBufferPointer) -> Int {
        if slots.isEmpty { slots = Array(repeating: -1, count: 16) }
        let h = DictionaryBuilder.hash(bytes)
        if let k = find(bytes, h) { return k }
        let k = entryCount
        keyBytes.append(contentsOf: bytes)
        keyOffsets.append(keyBytes.count)
        hashes.append(h)
        insert(k, h)
        entryCount += 1
        return k
    }

    // MARK: Appending

    /// Appends the dictionary entry at `index`; throws if there is no such entry.
    public func appendIndex(_ index: Int) throws(ArrowError) {
        guard index >= 0, index < entryCount else {
            throw .invalidArgument("dictionary index \(index) outside a dictionary of \(entryCount) values")
        }
        indices.append(Int64(index))
        validity.appendValid()
    }

    /// Appends a value given as bytes (variable binary or fixed-width value types).
    public func append(bytes: UnsafeRawBufferPointer) throws(ArrowError) {
        if let w = memoWidth {
            guard bytes.count == w else { throw .invalidArgument("value of \(bytes.count) bytes for \(valueType)") }
        } else if !memoBinary {
            throw ArrowError(.unsupportedType, "values of \(valueType) cannot be appended by value; use appendIndex")
        } else if valueType.isString {
            needsUTF8Check = true
        }
        indices.append(Int64(memoize(bytes)))
        validity.appendValid()
    }

    /// Appends a string value (utf8, large_utf8, binary or large_binary dictionaries).
    public func append(_ string: String) throws(ArrowError) {
        guard memoBinary else { throw .schemaMismatch("cannot append a string to a dictionary of \(valueType)") }
        var s = string
        let k = s.withUTF8 { memoize(UnsafeRawBufferPointer($0)) }
        indices.append(Int64(k))
        validity.appendValid()
    }

    /// Appends a string value or a null.
    public func append(_ string: String?) throws(ArrowError) {
        if let string { try append(string) } else { appendNull() }
    }

    /// Appends a fixed-width value (its type's stride must be the value type's width).
    public func append<T: ArrowPrimitive>(_ value: T) throws(ArrowError) {
        guard memoWidth == MemoryLayout<T>.stride else { throw .schemaMismatch("cannot append \(T.self) to a dictionary of \(valueType)") }
        var v = value
        let k = withUnsafeBytes(of: &v) { memoize($0) }
        indices.append(Int64(k))
        validity.appendValid()
    }

    public func appendNull() {
        indices.append(Int64(0))
        validity.appendNull()
    }

    public func appendNulls(_ n: Int) {
        guard n > 0 else { return }
        indices.appendZeros(n * 8)
        validity.appendNulls(n)
    }

    /// Appends the value type's empty value ("", zero, an empty list, …), added to the
    /// dictionary if missing.
    public func appendEmptyValue() {
        if let w = memoWidth {
            let zeros = [UInt8](repeating: 0, count: w)
            let k = zeros.withUnsafeBytes { memoize($0) }
            indices.append(Int64(k))
            validity.appendValid()
        } else if memoBinary {
            indices.append(Int64(memoize(UnsafeRawBufferPointer(start: nil, count: 0))))
            validity.appendValid()
        } else {
            if emptyEntry == nil {
                emptyEntry = entryCount
                entryCount += 1
            }
            indices.append(Int64(emptyEntry!))
            validity.appendValid()
        }
    }

    public func reserve(_ n: Int) {
        let n = reserveHint(n)
        indices.reserve(n * 8)
        validity.reserve(n)
    }

    public func finish() throws(ArrowError) -> ArrayData {
        let n = length
        let count = entryCount
        let (bits, nulls) = validity.finish()
        let raw = indices.finish()
        indices = MutableBuffer()
        defer { needsUTF8Check = false; resetMemo() }
        guard count == 0 || UInt64(count - 1) <= maxIndex else {
            throw ArrowError(.capacityExceeded, "\(count) dictionary values do not fit \(indexType) indices")
        }
        // The dictionary: the given one, plus the values added after it.
        var dict: ArrayData
        if count > givenCount {
            let added = try buildAdded(from: givenCount, to: count)
            if let given { dict = try concatenate([given, added]) } else { dict = added }
        } else {
            if let given { dict = given } else { dict = try ArrayData.empty(valueType) }
        }
        // The indices, narrowed to the index type.
        let narrowed: ArrowBuffer = raw.withUnsafeValues(as: Int64.self) { src in
            func narrow<I: FixedWidthInteger & BitwiseCopyable>(_: I.Type) -> ArrowBuffer {
                let out = MutableBuffer.uninitialized(n * MemoryLayout<I>.stride)
                let dst = out.baseAddress.assumingMemoryBound(to: I.self)
                for i in 0..<n { dst[i] = I(truncatingIfNeeded: src[i]) }
                return out.finish()
            }
            switch indexType {
            case .int8: return narrow(Int8.self)
            case .int16: return narrow(Int16.self)
            case .int32: return narrow(Int32.self)
            case .uint8: return narrow(UInt8.self)
            case .uint16: return narrow(UInt16.self)
            case .uint32: return narrow(UInt32.self)
            case .uint64: return narrow(UInt64.self)
            default: return narrow(Int64.self)
            }
        }
        if dict.type != valueType { dict = ArrayData(unchecked: valueType, length: dict.length, offset: dict.offset, buffers: dict.buffers, children: dict.children, dictionary: dict.dictionary) }
        return ArrayData(unchecked: type, length: n, nullCount: nulls, buffers: [bits, narrowed], dictionary: dict)
    }

    /// The entries `from..<to` of the memo table as an array of the value type.
    private func buildAdded(from: Int, to: Int) throws(ArrowError) -> ArrayData {
        let base = UnsafeRawPointer(keyBytes.baseAddress)
        if memoWidth == nil && !memoBinary {
            // Only the empty value can have been added.
            let b = try makeBuilder(for: valueType)
            b.appendEmptyValues(to - from)
            return try b.finish()
        }
        if memoWidth != nil {
            let s = keyOffsets[from], e = keyOffsets[to]
            let values = ArrowBuffer(copying: UnsafeRawBufferPointer(start: base + s, count: e - s))
            return ArrayData(unchecked: valueType, length: to - from, nullCount: 0, buffers: [nil, values])
        }
        let builder = try GenericBinaryBuilderDispatch.make(valueType)
        for k in from..<to {
            let s = keyOffsets[k], e = keyOffsets[k + 1]
            builder.appendRaw(UnsafeRawBufferPointer(start: base + s, count: e - s))
        }
        let result = try builder.finishRaw()
        if needsUTF8Check { try result.validate() }
        return result
    }
}

/// Builds a variable-binary array of any of the four variable-binary types from raw bytes.
enum GenericBinaryBuilderDispatch {
    final class Box<Offset: ArrowOffset>: RawBinaryAppender {
        let b: GenericBinaryBuilder<Offset>
        init(_ type: DataType) throws(ArrowError) { b = try GenericBinaryBuilder<Offset>(type: type) }
        func appendRaw(_ bytes: UnsafeRawBufferPointer) { b.core.append(bytes) }
        func finishRaw() throws(ArrowError) -> ArrayData { try b.finish() }
    }
    static func make(_ type: DataType) throws(ArrowError) -> any RawBinaryAppender {
        if case .variableBinary(4) = type.layout { return try Box<Int32>(type) }
        return try Box<Int64>(type)
    }
}

protocol RawBinaryAppender {
    func appendRaw(_ bytes: UnsafeRawBufferPointer)
    func finishRaw() throws(ArrowError) -> ArrayData
}
