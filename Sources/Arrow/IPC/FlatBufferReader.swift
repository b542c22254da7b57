/// A verifying FlatBuffers reader for untrusted bytes.
///
/// Nothing is read before it is checked: every access goes through a bounds check against the
/// buffer, every offset taken from the buffer is followed with overflow-checked arithmetic, and
/// every object is checked as it is reached:
///
/// - the root offset and every `uoffset` are 1…2³¹−1 and land inside the buffer;
/// - a table is 4-byte aligned; its vtable (table position − int32 `soffset`) is 2-byte
///   aligned, at least 4 bytes, of even size, inside the buffer, and the table's inline size
///   (≥ 4) fits in the buffer;
/// - a field lies inside its table's inline size and is aligned to its own size;
/// - a vector's count × element size does not overflow and ends inside the buffer;
/// - a string ends inside the buffer, is followed by a NUL, and is valid UTF-8;
/// - a union's value is present when its type is not NONE;
/// - tables nest at most `maxDepth` deep (the root table is depth 1);
/// - the total bytes of the objects visited stay under a budget proportional to the buffer size,
///   so a buffer whose offsets share objects (a DAG) cannot make decoding explode.
///
/// Alignment is checked relative to the start of the buffer. Any violation is an
/// ``ArrowError`` of kind `.invalidData` (`.invalidUTF8` for strings) naming the byte offset.
final class FlatBufferReader {
    /// A verified table: its position, its vtable and its inline size.
    struct Table {
        let position: Int
        let vtable: Int
        let vtableSize: Int
        let size: Int
        let depth: Int
    }

    /// A verified vector: where its first element is and how many there are.
    struct Vector {
        let start: Int
        let count: Int
        let elementSize: Int
        /// The depth of the table holding the vector.
        let depth: Int
    }

    let bytes: [UInt8]
    let maxDepth: Int
    /// Bytes of objects that may still be visited.
    private var budget: Int

    /// - Parameters:
    ///   - maxDepth: the deepest table nesting accepted (the root is depth 1).
    ///   - budgetFactor: the visited-bytes budget, as a multiple of the buffer size.
    init(_ bytes: [UInt8], maxDepth: Int = 64, budgetFactor: Int = 4) throws(ArrowError) {
        guard bytes.count <= Int(Int32.max) else {
            throw ArrowError(.invalidData, "flatbuffer of \(bytes.count) bytes exceeds 2 GiB")
        }
        self.bytes = bytes
        self.maxDepth = maxDepth
        let (b, o) = bytes.count.multipliedReportingOverflow(by: Swift.max(budgetFactor, 1))
        self.budget = o ? Int.max : b &+ 1024
    }

    // MARK: Errors and bounds

    func invalid(_ message: String, at offset: Int) -> ArrowError {
        ArrowError(.invalidData, "flatbuffer: \(message) at byte \(offset)")
    }

    /// Checks that `count` bytes at `position` lie inside the buffer.
    @inline(__always)
    func check(_ position: Int, _ count: Int, _ what: @autoclosure () -> String) throws(ArrowError) {
        guard position >= 0, count >= 0, position <= bytes.count, count <= bytes.count - position else {
            throw invalid("\(what()) of \(count) bytes outside the buffer of \(bytes.count) bytes", at: position)
        }
    }

    /// Checks that `position` is a multiple of `alignment`.
    @inline(__always)
    func checkAlignment(_ position: Int, _ alignment: Int, _ what: @autoclosure () -> String) throws(ArrowError) {
        guard position % alignment == 0 else {
            throw invalid("\(what()) not aligned to \(alignment) bytes", at: position)
        }
    }

    /// Charges `n` bytes of visited objects against the budget.
    private func charge(_ n: Int, at position: Int) throws(ArrowError) {
        guard n <= budget else {
            throw invalid("objects visited exceed \(bytes.count)-byte buffer's budget (shared offsets?)", at: position)
        }
        budget -= n
    }

    /// Adds a (possibly negative) offset read from the buffer to a position, checking overflow
    /// and that the result lies inside the buffer.
    private func follow(_ position: Int, _ offset: Int, _ what: @autoclosure () -> String) throws(ArrowError) -> Int {
        let (target, overflow) = position.addingReportingOverflow(offset)
        guard !overflow, target >= 0, target < bytes.count else {
            throw invalid("\(what()) offset \(offset) leads outside the buffer", at: position)
        }
        return target
    }

    // MARK: Little-endian scalars (bounds-checked)

    func u8(at p: Int) throws(ArrowError) -> UInt8 {
        try check(p, 1, "uint8")
        return bytes[p]
    }

    func u16(at p: Int) throws(ArrowError) -> UInt16 {
        try check(p, 2, "uint16")
        return UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8
    }

    func u32(at p: Int) throws(ArrowError) -> UInt32 {
        try check(p, 4, "uint32")
        return UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
    }

    func i32(at p: Int) throws(ArrowError) -> Int32 { Int32(bitPattern: try u32(at: p)) }

    func u64(at p: Int) throws(ArrowError) -> UInt64 {
        try check(p, 8, "uint64")
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[p + i]) }
        return v
    }

    // MARK: Offsets, tables, strings, vectors

    /// Follows the `uoffset` stored at `position` (which must be 4-byte aligned).
    func uoffsetTarget(at position: Int, _ what: @autoclosure () -> String) throws(ArrowError) -> Int {
        try checkAlignment(position, 4, "offset to \(what())")
        let raw = try u32(at: position)
        guard raw >= 1, raw <= UInt32(Int32.max) else {
            throw invalid("offset to \(what()) is \(raw), outside 1...2^31-1", at: position)
        }
        return try follow(position, Int(raw), what())
    }

    /// The root table, through the root offset at byte 0.
    func root() throws(ArrowError) -> Table {
        guard bytes.count >= 8 else {
            throw invalid("buffer of \(bytes.count) bytes too short for a root table", at: 0)
        }
        return try table(at: try uoffsetTarget(at: 0, "root table"), depth: 1)
    }

    /// Verifies the table at `position` and its vtable.
    func table(at position: Int, depth: Int) throws(ArrowError) -> Table {
        guard depth <= maxDepth else {
            throw invalid("tables nested deeper than \(maxDepth)", at: position)
        }
        try checkAlignment(position, 4, "table")
        try check(position, 4, "table")
        let soffset = Int(try i32(at: position))
        let (vtable, overflow) = position.subtractingReportingOverflow(soffset)
        guard !overflow, vtable >= 0, vtable < bytes.count else {
            throw invalid("vtable offset \(soffset) leads outside the buffer", at: position)
        }
        try checkAlignment(vtable, 2, "vtable")
        try check(vtable, 4, "vtable header")
        let vtableSize = Int(try u16(at: vtable))
        let tableSize = Int(try u16(at: vtable + 2))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw invalid("vtable size \(vtableSize) not an even number ≥ 4", at: vtable)
        }
        try check(vtable, vtableSize, "vtable")
        guard tableSize >= 4 else {
            throw invalid("table size \(tableSize) smaller than its vtable offset", at: vtable + 2)
        }
        try check(position, tableSize, "table")
        try charge(tableSize, at: position)
        return Table(position: position, vtable: vtable, vtableSize: vtableSize, size: tableSize, depth: depth)
    }

    /// The position of field `slot` of `table` if it is present, checked to lie inside the table
    /// and to be aligned to `size`.
    func field(_ table: Table, _ slot: Int, size: Int) throws(ArrowError) -> Int? {
        let entry = 4 + 2 * slot
        guard slot >= 0, entry + 2 <= table.vtableSize else { return nil }
        let offset = Int(try u16(at: table.vtable + entry))
        if offset == 0 { return nil }
        guard offset >= 4, offset <= table.size - size else {
            throw invalid("field \(slot) at offset \(offset) outside its table of \(table.size) bytes", at: table.position)
        }
        let position = table.position + offset
        try checkAlignment(position, size, "field \(slot)")
        return position
    }

    func bool(_ table: Table, _ slot: Int, default value: Bool) throws(ArrowError) -> Bool {
        guard let p = try field(table, slot, size: 1) else { return value }
        return try u8(at: p) != 0
    }

    func u8(_ table: Table, _ slot: Int, default value: UInt8) throws(ArrowError) -> UInt8 {
        guard let p = try field(table, slot, size: 1) else { return value }
        return try u8(at: p)
    }

    func i16(_ table: Table, _ slot: Int, default value: Int16) throws(ArrowError) -> Int16 {
        guard let p = try field(table, slot, size: 2) else { return value }
        return Int16(bitPattern: try u16(at: p))
    }

    func i32(_ table: Table, _ slot: Int, default value: Int32) throws(ArrowError) -> Int32 {
        guard let p = try field(table, slot, size: 4) else { return value }
        return try i32(at: p)
    }

    func i64(_ table: Table, _ slot: Int, default value: Int64) throws(ArrowError) -> Int64 {
        guard let p = try field(table, slot, size: 8) else { return value }
        return Int64(bitPattern: try u64(at: p))
    }

    /// The table that field `slot` refers to, or nil when absent.
    func table(_ table: Table, _ slot: Int) throws(ArrowError) -> Table? {
        guard let p = try field(table, slot, size: 4) else { return nil }
        return try self.table(at: try uoffsetTarget(at: p, "table"), depth: table.depth + 1)
    }

    /// The string that field `slot` refers to, or nil when absent.
    func string(_ table: Table, _ slot: Int) throws(ArrowError) -> String? {
        guard let p = try field(table, slot, size: 4) else { return nil }
        return try string(at: try uoffsetTarget(at: p, "string"))
    }

    /// The string at `position`: uint32 length, bytes, NUL.
    func string(at position: Int) throws(ArrowError) -> String {
        try checkAlignment(position, 4, "string")
        let length = Int(try u32(at: position))
        let (end, overflow) = (position + 4).addingReportingOverflow(length)
        guard !overflow else { throw invalid("string length \(length) overflows", at: position) }
        try check(position + 4, length + 1, "string with its NUL")
        guard bytes[end] == 0 else { throw invalid("string of \(length) bytes not NUL-terminated", at: position) }
        try charge(length + 4, at: position)
        guard let s = String(validating: bytes[(position + 4)..<end], as: UTF8.self) else {
            throw ArrowError(.invalidUTF8, "flatbuffer: string of \(length) bytes is not valid UTF-8 at byte \(position)")
        }
        return s
    }

    /// The vector that field `slot` refers to (elements of `elementSize` bytes, aligned to it),
    /// or nil when absent.
    func vector(_ table: Table, _ slot: Int, elementSize: Int) throws(ArrowError) -> Vector? {
        guard let p = try field(table, slot, size: 4) else { return nil }
        let position = try uoffsetTarget(at: p, "vector")
        try checkAlignment(position, 4, "vector")
        let count = Int(try u32(at: position))
        let (bytesLong, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw invalid("vector of \(count) elements overflows", at: position) }
        try check(position + 4, bytesLong, "vector of \(count) elements")
        try checkAlignment(position + 4, Swift.min(elementSize, 8), "vector elements")
        try charge(bytesLong + 4, at: position)
        return Vector(start: position + 4, count: count, elementSize: elementSize, depth: table.depth)
    }

    /// Element `i` of a vector of tables.
    func table(in vector: Vector, _ i: Int) throws(ArrowError) -> Table {
        guard i >= 0, i < vector.count, vector.elementSize == 4 else {
            throw invalid("vector index \(i) outside 0..<\(vector.count)", at: vector.start)
        }
        let p = vector.start + 4 * i
        return try table(at: try uoffsetTarget(at: p, "table"), depth: vector.depth + 1)
    }

    /// A union: the type byte in `typeSlot` and the table in `typeSlot + 1`. A type other than
    /// NONE (0) requires the table.
    func union(_ table: Table, typeSlot: Int) throws(ArrowError) -> (type: UInt8, value: Table?) {
        let type = try u8(table, typeSlot, default: 0)
        let value = try self.table(table, typeSlot + 1)
        if type != 0 && value == nil {
            throw invalid("union of type \(type) in field \(typeSlot) has no value", at: table.position)
        }
        return (type, type == 0 ? nil : value)
    }
}
