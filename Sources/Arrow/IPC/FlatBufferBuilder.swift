/// A minimal FlatBuffers builder.
///
/// FlatBuffers are built back to front: every object (string, vector, table, vtable) is written
/// below the objects it refers to, so a reference is always a forward offset. The builder keeps
/// its bytes at the end of a growable array; `Ref` values count bytes from the *end* of the
/// buffer, which stays stable while the buffer grows at the front.
///
/// Supported: scalars with default elision, strings (length + bytes + NUL), vectors of scalars
/// and of offsets, tables with vtables (optionally deduplicated), and unions (a `UInt8` type
/// field plus an offset field). Every scalar is aligned to its own size relative to the end of
/// the buffer, and `finish` pads the front so the whole buffer is aligned to the largest scalar
/// written: a buffer that starts at an aligned address has all its fields aligned.
///
/// The builder only ever sees data it is given by this module, so misuse (a table inside a
/// table, a reference to an object not yet built) is a programming error and traps.
struct FlatBufferBuilder {
    /// A built object, as its distance in bytes from the end of the buffer.
    struct Ref: Hashable {
        let value: Int
    }

    /// The bytes; the buffer occupies `storage[head...]`.
    private var storage: [UInt8]
    private var head: Int
    /// The largest alignment any written value needs.
    private(set) var minimumAlignment = 1
    /// Whether identical vtables are written once and shared.
    let deduplicatesVTables: Bool
    /// Written vtables (as their `UInt16` entries) and where they are, for deduplication.
    private var vtables: [(entries: [UInt16], ref: Ref)] = []
    /// The open table: where it started and the fields added so far (slot, reference).
    private var openTable: (start: Int, fields: [(slot: Int, ref: Int)])?

    init(initialCapacity: Int = 256, deduplicatesVTables: Bool = true) {
        let capacity = Swift.max(initialCapacity, 16)
        storage = [UInt8](repeating: 0, count: capacity)
        head = capacity
        self.deduplicatesVTables = deduplicatesVTables
    }

    /// The number of bytes written so far.
    var size: Int { storage.count - head }

    // MARK: Raw writing

    /// Makes room for `n` more bytes in front of `head`.
    private mutating func reserve(_ n: Int) {
        guard head < n else { return }
        let used = size
        var capacity = storage.count
        while capacity - used < n { capacity *= 2 }
        var grown = [UInt8](repeating: 0, count: capacity)
        let newHead = capacity - used
        grown.withUnsafeMutableBufferPointer { dst in
            storage.withUnsafeBufferPointer { src in
                guard let from = src.baseAddress, let to = dst.baseAddress, used > 0 else { return }
                (to + newHead).update(from: from + head, count: used)
            }
        }
        storage = grown
        head = newHead
    }

    /// Writes `n` zero bytes.
    mutating func pad(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        for i in (head - n)..<head { storage[i] = 0 }
        head -= n
    }

    /// Pads so that, once `additional` more bytes are written, the size is a multiple of
    /// `alignment` (a power of two).
    mutating func align(_ alignment: Int, additional: Int = 0) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        minimumAlignment = Swift.max(minimumAlignment, alignment)
        let padding = (0 &- (size &+ additional)) & (alignment - 1)
        pad(padding)
    }

    /// Writes the little-endian bytes of `value` without aligning.
    private mutating func push<T: FixedWidthInteger>(_ value: T) {
        let n = MemoryLayout<T>.size
        reserve(n)
        head -= n
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { raw in
            for i in 0..<n { storage[head + i] = raw[i] }
        }
    }

    /// Writes raw bytes without aligning.
    private mutating func push(bytes: some Collection<UInt8>) {
        let n = bytes.count
        reserve(n)
        head -= n
        var i = head
        for b in bytes { storage[i] = b; i += 1 }
    }

    /// Aligns to the size of `value`, then writes it.
    mutating func prepend<T: FixedWidthInteger>(_ value: T) {
        align(MemoryLayout<T>.size)
        push(value)
    }

    /// Writes a `uoffset` (uint32) referring to an already built object.
    mutating func prepend(offsetTo ref: Ref) {
        align(4)
        precondition(ref.value > 0 && ref.value <= size, "reference to an object not yet built")
        let relative = size + 4 - ref.value
        push(UInt32(truncatingIfNeeded: relative))
    }

    // MARK: Strings and vectors

    /// Writes a string: uint32 byte count, the UTF-8 bytes, a NUL.
    mutating func createString(_ string: String) -> Ref {
        precondition(openTable == nil, "strings cannot be built inside a table")
        let utf8 = Array(string.utf8)
        align(4, additional: utf8.count + 1)
        push(UInt8(0))
        push(bytes: utf8)
        push(UInt32(truncatingIfNeeded: utf8.count))
        return Ref(value: size)
    }

    /// Writes a vector of scalars: uint32 count, then the elements, each aligned to its size.
    mutating func createVector<T: FixedWidthInteger>(_ elements: [T]) -> Ref {
        precondition(openTable == nil, "vectors cannot be built inside a table")
        let width = MemoryLayout<T>.size
        align(4, additional: elements.count * width)
        align(width, additional: elements.count * width)
        for e in elements.reversed() { push(e) }
        push(UInt32(truncatingIfNeeded: elements.count))
        return Ref(value: size)
    }

    /// Writes a vector of offsets (to tables, strings or vectors).
    mutating func createVector(offsetsTo refs: [Ref]) -> Ref {
        precondition(openTable == nil, "vectors cannot be built inside a table")
        align(4, additional: refs.count * 4)
        for r in refs.reversed() { prepend(offsetTo: r) }
        push(UInt32(truncatingIfNeeded: refs.count))
        return Ref(value: size)
    }

    // MARK: Tables

    /// Starts a table; add its fields, then call `endTable()`.
    mutating func startTable() {
        precondition(openTable == nil, "tables cannot be nested while building")
        openTable = (start: size, fields: [])
    }

    private mutating func record(slot: Int) {
        precondition(openTable != nil, "no open table")
        let ref = size
        openTable?.fields.append((slot: slot, ref: ref))
    }

    /// Adds a scalar field, unless it equals `defaultValue` (readers then see the default).
    mutating func add<T: FixedWidthInteger>(slot: Int, _ value: T, default defaultValue: T) {
        guard value != defaultValue else { return }
        add(slot: slot, always: value)
    }

    /// Adds a scalar field even when it equals its default.
    mutating func add<T: FixedWidthInteger>(slot: Int, always value: T) {
        prepend(value)
        record(slot: slot)
    }

    /// Adds a boolean field (one byte), unless it equals `defaultValue`.
    mutating func add(slot: Int, _ value: Bool, default defaultValue: Bool) {
        add(slot: slot, UInt8(value ? 1 : 0), default: defaultValue ? 1 : 0)
    }

    /// Adds an offset field; `nil` leaves the field absent.
    mutating func add(slot: Int, offsetTo ref: Ref?) {
        guard let ref else { return }
        prepend(offsetTo: ref)
        record(slot: slot)
    }

    /// Adds a union: the type byte in `typeSlot`, the value's offset in `typeSlot + 1`.
    mutating func addUnion(typeSlot: Int, type: UInt8, value: Ref) {
        add(slot: typeSlot, always: type)
        add(slot: typeSlot + 1, offsetTo: value)
    }

    /// Closes the open table: writes its vtable offset and its vtable (or reuses an identical one).
    mutating func endTable() -> Ref {
        guard let table = openTable else { preconditionFailure("no open table") }
        // The table starts with an int32 offset to its vtable, patched below.
        prepend(Int32(0))
        let object = size
        let slotCount = (table.fields.map(\.slot).max() ?? -1) + 1
        var entries = [UInt16](repeating: 0, count: slotCount + 2)
        entries[0] = UInt16(truncatingIfNeeded: 4 + 2 * slotCount)
        let tableSize = object - table.start
        precondition(tableSize <= Int(UInt16.max), "table too large for a vtable")
        entries[1] = UInt16(truncatingIfNeeded: tableSize)
        for f in table.fields {
            let offset = object - f.ref
            precondition(offset > 0 && offset <= Int(UInt16.max), "field offset out of range")
            entries[f.slot + 2] = UInt16(truncatingIfNeeded: offset)
        }
        openTable = nil
        var vtable: Ref? = nil
        if deduplicatesVTables {
            vtable = vtables.first(where: { $0.entries == entries })?.ref
        }
        if vtable == nil {
            // `size` is a multiple of 4 here, so the uint16 entries are aligned.
            for e in entries.reversed() { push(e) }
            let ref = Ref(value: size)
            vtables.append((entries: entries, ref: ref))
            vtable = ref
        }
        guard let vtable else { preconditionFailure("unreachable") }
        // soffset = table position − vtable position = (end − object) − (end − vtable).
        let soffset = Int32(truncatingIfNeeded: vtable.value - object)
        var le = soffset.littleEndian
        let at = storage.count - object
        withUnsafeBytes(of: &le) { raw in
            for i in 0..<4 { storage[at + i] = raw[i] }
        }
        return Ref(value: object)
    }

    // MARK: Finishing

    /// Writes the root offset and returns the finished buffer, aligned to the largest scalar.
    mutating func finish(root: Ref) -> [UInt8] {
        precondition(openTable == nil, "a table is still open")
        align(Swift.max(minimumAlignment, 4), additional: 4)
        prepend(offsetTo: root)
        return Array(storage[head...])
    }
}
