import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Fields already parsed from C schema trees, by the exact bytes of the tree.
///
/// Hosts export the same schema again and again (a table's batches, tick after tick). A tree is
/// described by everything ``SchemaReader`` reads: each node's format, name, flags, child count
/// and dictionary, in pre-order. A hit is found by a 64-bit hash of part of that description
/// (lengths, flags, counts and the first bytes of each string) and then verified byte for byte
/// against the stored one, without allocating; equal descriptions parse to equal fields with the
/// same validity, and only successful parses are stored. Trees with metadata, NULL formats,
/// more than 64 levels or long strings take the full path.
enum ImportedSchemaCache {
    /// Entries kept before the cache starts over.
    static let capacity = 128
    /// Strings longer than this are not described (the full path reads them).
    static let maximumString = 1024

    struct Entry {
        let description: [UInt8]
        let field: Field
    }

    struct State {
        var entries: [UInt64: Entry] = [:]
        /// The entry of the latest hit or store, tried first: a host exporting one schema tick
        /// after tick is recognised in a single comparing walk.
        var last: Entry?
    }

    static let cache = LockedValue(State())

    /// Forgets every entry.
    static func removeAll() {
        cache.withLock { c in
            c.entries.removeAll()
            c.last = nil
        }
    }

    /// The cached field for the tree at `root`; otherwise parses it with `parse` and stores
    /// the result.
    static func field(_ root: UnsafePointer<ArrowSchema>, parse: () throws(ArrowError) -> Field) throws(ArrowError) -> Field {
        let last = cache.withLock { $0.last }
        if let last {
            // One walk compares the tree with the latest entry, without hashing: equal bytes
            // are the hit, whatever the hash.
            if matches(root, last) { return last.field }
        }
        guard let hash = describe(root, into: nil) else { return try parse() }
        let hit: Field? = cache.withLock { c in
            guard let e = c.entries[hash] else { return nil }
            guard matches(root, e) else { return nil }
            c.last = e
            return e.field
        }
        if let hit { return hit }
        let field = try parse()
        var recorder = Recorder()
        if describe(root, into: &recorder) == hash {
            let entry = Entry(description: recorder.recorded, field: field)
            cache.withLock { c in
                if c.entries.count >= capacity { c.entries.removeAll(keepingCapacity: true) }
                c.entries[hash] = entry
                c.last = entry
            }
        }
        return field
    }

    /// Whether the tree at `root` describes exactly as `entry` (every byte, none left over).
    static func matches(_ root: UnsafePointer<ArrowSchema>, _ entry: Entry) -> Bool {
        entry.description.withUnsafeBufferPointer { bytes in
            var comparer = Comparer(expected: bytes)
            return comparer.node(root) && comparer.position == bytes.count
        }
    }

    /// Walks a tree comparing it with a stored description, as ``Describer`` would describe it,
    /// without producing the description: the comparison every tick of a host costs.
    ///
    /// A stored description satisfies every limit ``Describer`` checks (depth, node count, child
    /// count, string length): a tree that compares equal byte for byte has the same shape and
    /// strings, so only what is not described (metadata, pointers) is checked here.
    struct Comparer {
        let expected: UnsafeBufferPointer<UInt8>
        var position = 0

        @inline(__always)
        mutating func word(_ v: Int64) -> Bool {
            guard position + 8 <= expected.count,
                  UnsafeRawPointer(expected.baseAddress! + position).loadUnaligned(as: Int64.self) == v else { return false }
            position += 8
            return true
        }

        /// A string as ``Describer`` describes it.
        @inline(__always)
        mutating func string(_ p: UnsafePointer<CChar>?) -> Bool {
            let count = expected.count
            var i = position
            guard i < count else { return false }
            guard let p else {
                guard expected[i] == 0 else { return false }
                position = i + 1
                return true
            }
            guard expected[i] == 1 else { return false }
            i += 1
            let bytes = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self)
            var n = 0
            // The stored string ends with a NUL: the loop stops at it or at the first
            // difference, so it never reads past either string.
            while true {
                guard i < count else { return false }
                let b = bytes[n]
                guard expected[i] == b else { return false }
                i += 1
                if b == 0 { break }
                n += 1
            }
            position = i
            return true
        }

        mutating func node(_ s: UnsafePointer<ArrowSchema>) -> Bool {
            let c = s.pointee
            guard c.metadata == nil, string(c.format), string(c.name), word(c.flags),
                  word(c.n_children << 1 | (c.dictionary == nil ? 0 : 1)) else { return false }
            // Equal to the stored word: 0 ≤ n_children ≤ 4096.
            if c.n_children > 0 {
                guard let kids = c.children else { return false }
                for i in 0..<Int(c.n_children) {
                    guard let child = kids[i], node(child) else { return false }
                }
            }
            if let d = c.dictionary { return node(d) }
            return true
        }
    }

    /// Records a description as it is produced.
    struct Recorder {
        var recorded: [UInt8] = []

        mutating func feed(word: UInt64) { withUnsafeBytes(of: word) { recorded.append(contentsOf: $0) } }
        mutating func feed(byte: UInt8) { recorded.append(byte) }
        mutating func feed(_ bytes: UnsafeRawBufferPointer) { recorded.append(contentsOf: bytes) }
    }

    /// The FNV-1a hash of the tree's description, feeding the bytes to `recorder` when given;
    /// nil when the tree must take the full path.
    static func describe(_ root: UnsafePointer<ArrowSchema>, into recorder: UnsafeMutablePointer<Recorder>?) -> UInt64? {
        var d = Describer(recorder: recorder)
        return d.visit(root, depth: 1) ? d.hash : nil
    }

    /// One walk over a tree (a struct with mutating methods: no captured variables, so no
    /// boxes and no dynamic exclusivity checks in the byte loop).
    struct Describer {
        let recorder: UnsafeMutablePointer<Recorder>?
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var nodes = 0

        /// Mixes one word into the hash (the hash only picks the candidate; the description
        /// is compared in full).
        @inline(__always)
        mutating func mix(_ w: UInt64) {
            hash = (hash ^ w) &* 0x0000_0100_0000_01B3
            hash ^= hash >> 29
        }

        mutating func feed(_ v: Int64) {
            mix(UInt64(bitPattern: v))
            recorder?.pointee.feed(word: UInt64(bitPattern: v))
        }

        /// A string as a presence byte, then (when present) its bytes and their terminating NUL,
        /// which none of them can be: a prefix-free code, so different trees describe
        /// differently. The first 8 bytes and the length go to the hash. False for a string
        /// longer than ``ImportedSchemaCache/maximumString``.
        mutating func feed(_ p: UnsafePointer<CChar>?) -> Bool {
            guard let p else {
                mix(0)
                recorder?.pointee.feed(byte: 0)
                return true
            }
            let bytes = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self)
            var n = 0
            var head: UInt64 = 0
            while bytes[n] != 0 {
                if n < 8 { head |= UInt64(bytes[n]) << UInt64(8 &* n) }
                n &+= 1
                guard n <= ImportedSchemaCache.maximumString else { return false }
            }
            mix(head)
            mix(UInt64(n) &+ 1)
            recorder?.pointee.feed(byte: 1)
            recorder?.pointee.feed(UnsafeRawBufferPointer(start: bytes, count: n + 1))
            return true
        }

        mutating func visit(_ s: UnsafePointer<ArrowSchema>, depth: Int) -> Bool {
            nodes += 1
            let c = s.pointee
            guard depth <= ArrayData.maximumNestingDepth, nodes <= 4096, c.format != nil, c.metadata == nil,
                  c.n_children >= 0, c.n_children <= 4096 else { return false }
            guard feed(c.format), feed(c.name) else { return false }
            feed(c.flags)
            // The child count (at most 4096) and whether a dictionary follows, in one word.
            feed(c.n_children << 1 | (c.dictionary == nil ? 0 : 1))
            if c.n_children > 0 {
                guard let kids = c.children else { return false }
                for i in 0..<Int(c.n_children) {
                    guard let child = kids[i], visit(child, depth: depth + 1) else { return false }
                }
            }
            if let d = c.dictionary { return visit(d, depth: depth + 1) }
            return true
        }
    }
}
