import CArrowABI

/// Keeps a moved foreign `ArrowArray` alive and releases it exactly once, when the last buffer
/// that points into it goes away.
final class ImportedArrayOwner: @unchecked Sendable {
    // Written once in init; read only by deinit.
    let array: UnsafeMutablePointer<ArrowArray>

    init(moving source: UnsafeMutablePointer<ArrowArray>) {
        array = .allocate(capacity: 1)
        array.initialize(to: source.pointee)
        source.pointee.release = nil
        ArrowMemory.importCreated()
    }

    deinit {
        if let release = array.pointee.release { release(array) }
        array.deallocate()
        ArrowMemory.importReleased()
    }
}

extension CDataInterface {
    /// Moves a foreign array of the given type into Swift, validating it completely
    /// (what ``ArrayData/validate()`` checks).
    ///
    /// The caller's struct is left released whatever the outcome.
    public static func importArray(_ array: UnsafeMutablePointer<ArrowArray>, type: DataType) throws(ArrowError) -> ArrayData {
        guard array.pointee.release != nil else { throw ArrowError(.released, "array struct is already released") }
        let data = try ArrayReader.readMoving(array, type: type, depth: 1, name: nil)
        try data.validateRead()
        return data
    }

    /// Moves a foreign array and its schema into Swift.
    ///
    /// Both structs are moved before anything else is checked, so both are left released
    /// whatever the outcome.
    public static func importArray(
        _ array: UnsafeMutablePointer<ArrowArray>, schema: UnsafeMutablePointer<ArrowSchema>
    ) throws(ArrowError) -> (Field, ArrayData) {
        try importArray(array, schema: schema, hint: [])
    }

    /// ``importArray(_:schema:)``, taking the children of a top-level struct that describe
    /// `hint`'s columns exactly from `hint` (see ``importRecordBatch(_:schema:hint:)``).
    static func importArray(
        _ array: UnsafeMutablePointer<ArrowArray>, schema: UnsafeMutablePointer<ArrowSchema>, hint: [ArrayData]
    ) throws(ArrowError) -> (Field, ArrayData) {
        guard array.pointee.release != nil else {
            if schema.pointee.release != nil { _ = try? importField(schema) }
            throw ArrowError(.released, "array struct is already released")
        }
        let field: Field
        do { field = try importField(schema) } catch {
            ArrayReader.releaseInPlace(array)
            throw error
        }
        let data = try ArrayReader.readMoving(array, type: field.type, depth: 1, name: nil, hint: hint)
        try data.validateRead(trusted: hint)
        return (field, data)
    }

    /// Moves a foreign record batch (a top-level `+s` struct array without nulls, and its
    /// schema) into Swift.
    ///
    /// Both structs are left released whatever the outcome. The struct's children become the
    /// columns; the struct's metadata becomes the schema metadata.
    ///
    /// - Parameter hint: a batch the producer is likely handing back in part, such as one this
    ///   module exported to it: a column whose struct describes exactly one of the hint's
    ///   columns at the same position (same type, length, offset, null count and buffer
    ///   addresses, no children) is taken from the hint instead of being read and validated
    ///   again. Nothing is read through the producer's pointers for it.
    public static func importRecordBatch(
        _ array: UnsafeMutablePointer<ArrowArray>, schema: UnsafeMutablePointer<ArrowSchema>, hint: RecordBatch? = nil
    ) throws(ArrowError) -> RecordBatch {
        let (field, data) = try importArray(array, schema: schema, hint: hint?.columns ?? [])
        guard case .struct(let fields) = field.type else {
            throw ArrowError(.schemaMismatch, "record batches must be top-level struct arrays, got \(field.type)")
        }
        guard data.nullCount == 0 else {
            throw ArrowError(.invalidData, "a record batch struct array must not have top-level nulls (\(data.nullCount) found)")
        }
        return RecordBatch(validatedStructArray: data, fields: fields, metadata: field.metadata)
    }
}

/// Turns a (borrowed) `ArrowArray` tree into ``ArrayData`` over foreign buffers, checking
/// everything the C struct says about itself. Content checks (offset monotonicity, UTF-8,
/// dictionary indices, child lengths) are left to ``ArrayData/validate()``.
struct ArrayReader {
    /// One storage for every foreign buffer read through this reader: it only keeps the
    /// producer's struct alive. Nil for a reader that accepts only our own buffers
    /// (``ExportedBuffers``): a foreign one makes it throw ``ownerNeeded``.
    let storage: BufferStorage?

    /// Thrown (and caught by ``readMoving(_:type:depth:name:)``) when a reader without storage
    /// meets a foreign buffer; never reaches a caller.
    static let ownerNeeded = ArrowError(.invalidData, "internal: a foreign buffer needs an owner")

    init(owner: ImportedArrayOwner) {
        storage = BufferStorage(foreign: UnsafeRawPointer(owner.array), capacity: 0, owner: owner)
    }

    /// A reader that accepts only our own buffers.
    init() { storage = nil }

    /// Releases the producer's struct now, marking the caller's copy released first (a
    /// producer need not do it for a moved-out child).
    static func releaseInPlace(_ a: UnsafeMutablePointer<ArrowArray>) {
        var moved = a.pointee
        a.pointee.release = nil
        moved.release?(&moved)
    }

    /// Reads the (unreleased) struct at `a` and leaves it released whatever the outcome.
    ///
    /// When every buffer of the tree is our own memory coming back (a host passing through
    /// columns we exported), nothing keeps the producer's struct: it is released at once, and
    /// the read costs no owner, storage or import of its own. Otherwise the struct is moved into
    /// an ``ImportedArrayOwner`` that lives as long as the buffers pointing into it. (Only the
    /// columns of a top-level struct are moved out during a read, after the struct's own
    /// buffers, so a borrowed read that meets a foreign buffer has moved nothing yet when it
    /// starts over with an owner.)
    ///
    /// - Parameter hint: columns that the children of a top-level struct may describe exactly
    ///   (``sameColumn(_:as:type:)``); such a child is released and the column taken instead.
    static func readMoving(
        _ a: UnsafeMutablePointer<ArrowArray>, type: DataType, depth: Int, name: String?, hint: [ArrayData] = []
    ) throws(ArrowError) -> ArrayData {
        do {
            let data = try ArrayReader().read(UnsafePointer(a), type: type, depth: depth, name: name, hint: hint)
            releaseInPlace(a)
            return data
        } catch where error == ownerNeeded {
            let owner = ImportedArrayOwner(moving: a)
            return try ArrayReader(owner: owner).read(UnsafePointer(owner.array), type: type, depth: depth, name: name, hint: hint)
        } catch {
            releaseInPlace(a)
            throw error
        }
    }

    func buffer(_ p: UnsafeRawPointer?, bytes: Int, alignment: Int) throws(ArrowError) -> ArrowBuffer? {
        guard let p else { return nil }
        // Our own memory coming back (a consumer re-exporting what we exported): share our
        // storage, so that this import does not keep the consumer's struct, and through it the
        // earlier export, alive (ExportedBuffers).
        if bytes > 0, let ours = ExportedBuffers.storage(at: p, bytes: bytes) {
            return ArrowBuffer(storage: ours, start: p, count: bytes)
        }
        if alignment > 1, Int(bitPattern: p) % alignment != 0 {
            // Misaligned foreign memory: copy once so typed access stays aligned.
            return ArrowBuffer(copying: UnsafeRawBufferPointer(start: p, count: bytes))
        }
        guard let storage else { throw ArrayReader.ownerNeeded }
        return ArrowBuffer(storage: storage, start: p, count: bytes)
    }

    /// Whether the (unreleased) leaf struct at `a` describes exactly `column` as `type`: same
    /// type, length, offset and known null count, and the same buffer addresses. Then its
    /// data is `column`'s own, and `column` (already valid) can stand for it.
    ///
    /// - Complexity: O(1); nothing is read through the struct's buffer pointers.
    static func sameColumn(_ a: UnsafePointer<ArrowArray>, as column: ArrayData, type: DataType) -> Bool {
        let c = a.pointee
        let buffers = column.buffers
        guard c.n_children == 0, c.dictionary == nil, column.children.isEmpty, column.dictionary == nil,
              !buffers.isEmpty, c.n_buffers == Int64(buffers.count), let pointers = c.buffers,
              c.length == Int64(column.length), c.offset == Int64(column.offset),
              column.isNullCountKnown, c.null_count == Int64(column.nullCount),
              column.type == type else { return false }
        for k in buffers.indices where UnsafeRawPointer(pointers[k]) != buffers[k].map({ UnsafeRawPointer($0.baseAddress) }) {
            return false
        }
        return true
    }

    func read(_ a: UnsafePointer<ArrowArray>, type: DataType, depth: Int, name: String?, hint: [ArrayData] = []) throws(ArrowError) -> ArrayData {
        guard depth <= ArrayData.maximumNestingDepth else {
            throw ArrowError(.invalidData, "nesting depth exceeds \(ArrayData.maximumNestingDepth)")
        }
        let c = a.pointee
        // Built only when a message needs it (the success path allocates no strings).
        func here() -> String { name.map { "child '\($0)'" } ?? "array" }
        if depth > 1 { guard c.release != nil else { throw ArrowError(.released, "\(here()) is released") } }
        guard c.length >= 0 else { throw ArrowError(.invalidData, "\(here()) has negative length \(c.length)") }
        guard c.offset >= 0 else { throw ArrowError(.invalidData, "\(here()) has negative offset \(c.offset)") }
        let (endValue, overflow) = c.length.addingReportingOverflow(c.offset)
        guard !overflow, endValue <= Int64(MutableBuffer.maximumCapacity) else {
            throw ArrowError(.invalidData, "\(here()): offset + length overflows")
        }
        if depth == 1, c.length > Int64(Int32.max) {
            throw ArrowError(.invalidData, "\(here()) length \(c.length) exceeds INT32_MAX")
        }
        guard c.null_count >= -1, c.null_count <= c.length else {
            throw ArrowError(.invalidData, "\(here()) has null_count \(c.null_count) outside [-1, \(c.length)]")
        }
        let length = Int(c.length), offset = Int(c.offset), end = Int(endValue)
        let expectedBuffers = type.bufferCount
        guard c.n_buffers == Int64(expectedBuffers) else {
            throw ArrowError(.invalidData, "\(here()) of type \(type) needs \(expectedBuffers) buffers, got \(c.n_buffers)")
        }
        if expectedBuffers > 0, c.buffers == nil {
            throw ArrowError(.invalidData, "\(here()) has a NULL buffers array with n_buffers \(expectedBuffers)")
        }
        let expectedChildren = type.children.count
        guard c.n_children == Int64(expectedChildren) else {
            throw ArrowError(.invalidData, "\(here()) of type \(type) needs \(expectedChildren) children, got \(c.n_children)")
        }
        if expectedChildren > 0, c.children == nil {
            throw ArrowError(.invalidData, "\(here()) has a NULL children array with n_children \(expectedChildren)")
        }
        let isDictionary: Bool
        if case .dictionary = type { isDictionary = true } else { isDictionary = false }
        if isDictionary != (c.dictionary != nil) {
            throw ArrowError(.invalidData, isDictionary ? "\(here()) is dictionary-encoded but has no dictionary" : "\(here()) has an unexpected dictionary")
        }

        func raw(_ i: Int) -> UnsafeRawPointer? { c.buffers![i] }
        var buffers: [ArrowBuffer?] = []
        buffers.reserveCapacity(expectedBuffers)
        if expectedBuffers > 0 {
            // Validity.
            if let v = raw(0) {
                buffers.append(try buffer(v, bytes: Bitmap.byteCount(forBits: end), alignment: 1))
            } else {
                guard c.null_count <= 0 else {
                    throw ArrowError(.invalidData, "\(here()) has null_count \(c.null_count) but no validity buffer")
                }
                buffers.append(nil)
            }
        }
        func required(_ i: Int, bytes: Int, alignment: Int, _ what: String) throws(ArrowError) -> ArrowBuffer? {
            guard let p = raw(i) else {
                if length == 0 { return nil }
                throw ArrowError(.invalidData, "\(here()) of length \(length) has a NULL \(what) buffer")
            }
            return try buffer(p, bytes: bytes, alignment: alignment)
        }
        var children: [ArrayData] = []
        var dictionary: ArrayData? = nil

        switch type.layout {
        case .null:
            break
        case .boolean:
            buffers.append(try required(1, bytes: Bitmap.byteCount(forBits: end), alignment: 1, "values") ?? .empty)
        case .fixedWidth(let w):
            let (bytes, o) = end.multipliedReportingOverflow(by: w)
            guard !o else { throw ArrowError(.invalidData, "\(here()): data size overflows") }
            buffers.append(try required(1, bytes: bytes, alignment: Swift.min(w & -w, 8), "values") ?? .empty)
        case .variableBinary(let ow), .list(let ow):
            var offsets = try required(1, bytes: (end + 1) * ow, alignment: ow, "offsets")
            if offsets == nil {
                // Empty array without an offsets buffer (allowed): give it real zero offsets so
                // readers need no special case.
                guard end < 1 << 16 else { throw ArrowError(.invalidData, "\(here()) has a NULL offsets buffer") }
                let zeros = MutableBuffer(capacity: (end + 1) * ow)
                zeros.appendZeros((end + 1) * ow)
                offsets = zeros.finish()
            }
            buffers.append(offsets)
            if case .variableBinary = type.layout {
                var last = 0
                if let offsets, length > 0 {
                    last = offsets.loadOffset(end, width: ow)
                }
                guard last >= 0, last <= MutableBuffer.maximumCapacity else {
                    throw ArrowError(.invalidData, "\(here()) has an invalid last offset \(last)")
                }
                if let d = raw(2) {
                    buffers.append(try buffer(d, bytes: last, alignment: 1))
                } else {
                    guard last == 0 else { throw ArrowError(.invalidData, "\(here()) has a NULL data buffer but \(last) bytes of values") }
                    buffers.append(.empty)
                }
            }
        case .fixedSizeList, .struct:
            break
        case .dictionary(let iw):
            guard iw > 0 else { throw ArrowError(.invalidData, "\(here()): dictionary indices must be integers") }
            buffers.append(try required(1, bytes: end * iw, alignment: iw, "indices") ?? .empty)
        }
        if expectedChildren > 0 {
            let fields = type.children
            children.reserveCapacity(expectedChildren)
            for i in 0..<expectedChildren {
                guard let child = c.children![i] else {
                    throw ArrowError(.invalidData, "\(here()) has a NULL child pointer at \(i)")
                }
                do throws(ArrowError) {
                    if depth == 1, case .struct = type {
                        // Each column of a record batch is moved into an owner of its own (the C
                        // Data Interface lets consumers move children out): a column that is
                        // dropped, or whose buffers all turn out to be ours, releases its part of
                        // the producer's tree at once instead of with the whole batch.
                        guard child.pointee.release != nil else {
                            throw ArrowError(.released, "child '\(fields[i].name)' is released")
                        }
                        if i < hint.count, c.offset == 0, ArrayReader.sameColumn(child, as: hint[i], type: fields[i].type) {
                            // A column handed back unchanged: its producer's part goes now.
                            ArrayReader.releaseInPlace(child)
                            children.append(hint[i])
                        } else {
                            children.append(try ArrayReader.readMoving(child, type: fields[i].type, depth: depth + 1, name: fields[i].name))
                        }
                    } else {
                        children.append(try read(child, type: fields[i].type, depth: depth + 1, name: fields[i].name))
                    }
                } catch where error == ArrayReader.ownerNeeded {
                    throw error
                } catch {
                    throw name.map { ArrowError(error.kind, "\(error.message) (in '\($0)')") } ?? error
                }
            }
        }
        if case .dictionary(_, let valueType, _) = type, let d = c.dictionary {
            dictionary = try read(d, type: valueType, depth: depth + 1, name: (name ?? "array") + " dictionary")
        }
        // A string range we exported as valid and got back unchanged needs no UTF-8 check.
        var trusted = false
        if type.isString, buffers.count == 3, let o = buffers[1], let d = buffers[2], o.storage !== storage, d.storage !== storage {
            trusted = ExportedBuffers.trustedStringRange(offsets: o.baseAddress, data: d.baseAddress, offset: offset, length: length)
        }
        return ArrayData(unchecked: type, length: length, offset: offset, nullCount: Int(c.null_count),
                         buffers: buffers, children: children, dictionary: dictionary, stringsKnownValid: trusted)
    }
}
