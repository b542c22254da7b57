/// The buffers of every array tree this module has exported and not yet seen released, by
/// address.
///
/// A consumer that imports one of our exports and hands the same buffers back (pyarrow does,
/// for every column a processor passes through) would otherwise make the new import keep the
/// consumer's struct alive, which keeps its import of our export alive, which keeps the previous
/// batch alive: tick after tick the chain grows, and its release recurses as deep as it is long.
/// The importer looks each foreign buffer up here first and, when the address is ours, shares
/// our storage instead: the foreign struct is released as soon as nothing else needs it.
///
/// An entry holds a strong reference to its storage, so a live entry's memory is never freed
/// and its address never reused while it is registered.
enum ExportedBuffers {
    struct Entry {
        let storage: BufferStorage
        /// Bytes visible from the address, the largest of every registration.
        var count: Int
        var refs: Int
        /// For the offsets buffer of a string array: its validated element range and the
        /// address of its data buffer (see ``trustedStringRange(offsets:data:)``).
        var strings: StringRange?
    }

    /// The element range `[offset, offset + length)` of a string array known to be valid UTF-8
    /// when exported (``ArrayData/stringsKnownValid``), with its data buffer.
    struct StringRange: Equatable {
        let offset: Int
        let length: Int
        let data: UInt
    }

    /// An open-addressing table keyed by address (linear probing, backward-shift deletion):
    /// a register / unregister / lookup costs a multiply and a probe or two, where a
    /// `Dictionary` would hash every address with SipHash.
    ///
    /// The slots are raw memory owned by the table (key 0 marks an empty slot; an entry is
    /// initialized exactly where its key is not 0), so a probe is a load, not an array access
    /// with its bounds and uniqueness checks.
    struct State: ~Copyable {
        private var keys: UnsafeMutablePointer<UInt>
        private var entries: UnsafeMutablePointer<Entry>
        private var capacity: Int
        private(set) var count = 0

        init(capacity: Int = 64) {
            assert(capacity > 0 && capacity & (capacity - 1) == 0, "capacity must be a power of two")
            self.capacity = capacity
            keys = .allocate(capacity: capacity)
            keys.initialize(repeating: 0, count: capacity)
            entries = .allocate(capacity: capacity)
        }

        deinit {
            for i in 0..<capacity where keys[i] != 0 { (entries + i).deinitialize(count: 1) }
            keys.deallocate()
            entries.deallocate()
        }

        private var mask: Int { capacity - 1 }

        @inline(__always)
        private func home(_ key: UInt) -> Int {
            // Fibonacci hashing; addresses are 64-byte aligned, so drop the low bits first.
            Int(truncatingIfNeeded: ((key >> 6) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        }

        /// The slot holding `key`, or nil.
        @inline(__always)
        func find(_ key: UInt) -> Int? {
            var i = home(key)
            while keys[i] != 0 {
                if keys[i] == key { return i }
                i = (i &+ 1) & mask
            }
            return nil
        }

        subscript(key: UInt) -> Entry? {
            find(key).map { entries[$0] }
        }

        /// Stores an entry for a key known to be absent.
        private mutating func insert(_ key: UInt, _ entry: consuming Entry) {
            if (count + 1) * 4 > capacity * 3 { grow() }
            var i = home(key)
            while keys[i] != 0 { i = (i &+ 1) & mask }
            keys[i] = key
            (entries + i).initialize(to: entry)
            count += 1
        }

        /// Adds one registration of the buffer at `key`: a new entry, or one more reference to
        /// the existing one (found once, updated in place).
        mutating func retain(_ key: UInt, storage: BufferStorage, count: Int, strings: StringRange?) {
            if let i = find(key) {
                let e = entries + i
                e.pointee.refs += 1
                if e.pointee.count < count { e.pointee.count = count }
                if e.pointee.strings != strings { e.pointee.strings = nil }
                return
            }
            insert(key, Entry(storage: storage, count: count, refs: 1, strings: strings))
        }

        /// Drops one registration of the buffer at `key`; returns the storage of an entry that
        /// goes away (for the caller to release outside the lock).
        mutating func release(_ key: UInt) -> BufferStorage? {
            guard let i = find(key) else { return nil }
            let e = entries + i
            e.pointee.refs -= 1
            guard e.pointee.refs <= 0 else { return nil }
            return remove(at: i).storage
        }

        private mutating func grow() {
            let oldKeys = keys, oldEntries = entries, oldCapacity = capacity
            capacity = oldCapacity * 2
            keys = .allocate(capacity: capacity)
            keys.initialize(repeating: 0, count: capacity)
            entries = .allocate(capacity: capacity)
            count = 0
            for i in 0..<oldCapacity where oldKeys[i] != 0 {
                insert(oldKeys[i], (oldEntries + i).move())
            }
            oldKeys.deallocate()
            oldEntries.deallocate()
        }

        /// Backward-shift deletion: later members of the probe run move up, so lookups never
        /// need tombstones. Returns the removed entry.
        private mutating func remove(at slot: Int) -> Entry {
            let removed = (entries + slot).move()
            var hole = slot
            var i = (slot &+ 1) & mask
            while keys[i] != 0 {
                let h = home(keys[i])
                // Move the entry at i into the hole if its home is not in (hole, i] cyclically.
                let inRange = hole <= i ? (h > hole && h <= i) : (h > hole || h <= i)
                if !inRange {
                    keys[hole] = keys[i]
                    (entries + hole).moveInitialize(from: entries + i, count: 1)
                    hole = i
                }
                i = (i &+ 1) & mask
            }
            keys[hole] = 0
            count -= 1
            return removed
        }
    }

    static let state = LockedValue(State())

    /// Registers every buffer of `data` (children and dictionary included).
    static func register(_ data: ArrayData) {
        state.withLock { s in
            func visit(_ d: ArrayData) {
                let buffers = d.buffers
                for i in buffers.indices {
                    guard let b = buffers[i], b.count > 0 else { continue }
                    var strings: StringRange?
                    if i == 1, buffers.count == 3, let data = buffers[2], d.type.isString, d.stringsKnownValid {
                        strings = StringRange(offset: d.offset, length: d.length, data: UInt(bitPattern: data.baseAddress))
                    }
                    s.retain(UInt(bitPattern: b.baseAddress), storage: b.storage, count: b.count, strings: strings)
                }
                for c in d.children { visit(c) }
                if let dict = d.dictionary { visit(dict) }
            }
            visit(data)
        }
    }

    /// Undoes one ``register(_:)`` of `data`.
    static func unregister(_ data: ArrayData) {
        // Storages dropped here are freed after the lock is released (the array allocates only
        // when one is).
        var dropped: [BufferStorage] = []
        state.withLock { s in
            func visit(_ d: ArrayData) {
                let buffers = d.buffers
                for i in buffers.indices {
                    guard let b = buffers[i], b.count > 0 else { continue }
                    if let storage = s.release(UInt(bitPattern: b.baseAddress)) { dropped.append(storage) }
                }
                for c in d.children { visit(c) }
                if let dict = d.dictionary { visit(dict) }
            }
            visit(data)
        }
        withExtendedLifetime(dropped) {}
    }

    /// Our storage behind `address` when at least `bytes` bytes of it are ours, else nil.
    static func storage(at address: UnsafeRawPointer, bytes: Int) -> BufferStorage? {
        let key = UInt(bitPattern: address)
        return state.withLock { s in
            guard let e = s[key], e.count >= bytes else { return nil }
            return e.storage
        }
    }

    /// Whether a string array over our offsets buffer at `offsets` and our data buffer at
    /// `data`, covering elements `[offset, offset + length)`, lies inside a range we exported as
    /// valid: then its UTF-8 need not be checked again (every value boundary and byte of a
    /// sub-range of a valid range is valid).
    static func trustedStringRange(offsets: UnsafeRawPointer, data: UnsafeRawPointer?, offset: Int, length: Int) -> Bool {
        let key = UInt(bitPattern: offsets)
        return state.withLock { s in
            guard let r = s[key]?.strings, let data, r.data == UInt(bitPattern: data) else { return false }
            return offset >= r.offset && offset + length <= r.offset + r.length
        }
    }
}
