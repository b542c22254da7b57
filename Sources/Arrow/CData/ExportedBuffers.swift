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
    struct State: ~Copyable {
        var keys: [UInt] = Array(repeating: 0, count: 64)
        var entries: [Entry?] = Array(repeating: nil, count: 64)
        var count = 0

        private var mask: Int { keys.count - 1 }

        @inline(__always)
        private func home(_ key: UInt) -> Int {
            // Fibonacci hashing; addresses are 64-byte aligned, so drop the low bits first.
            Int(truncatingIfNeeded: ((key >> 6) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        }

        /// The slot holding `key`, or nil.
        func find(_ key: UInt) -> Int? {
            var i = home(key)
            while keys[i] != 0 {
                if keys[i] == key { return i }
                i = (i + 1) & mask
            }
            return nil
        }

        subscript(key: UInt) -> Entry? {
            get { find(key).flatMap { entries[$0] } }
            set {
                if let newValue {
                    if let i = find(key) { entries[i] = newValue; return }
                    insert(key, newValue)
                } else if let i = find(key) {
                    remove(at: i)
                }
            }
        }

        /// Stores an entry for a key known to be absent.
        private mutating func insert(_ key: UInt, _ entry: Entry) {
            if (count + 1) * 4 > keys.count * 3 { grow() }
            var i = home(key)
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = key
            entries[i] = entry
            count += 1
        }

        /// Adds one registration of the buffer at `key`: a new entry, or one more reference to
        /// the existing one (found once, updated in place).
        mutating func retain(_ key: UInt, storage: BufferStorage, count: Int, strings: StringRange?) {
            if let i = find(key) {
                entries[i]!.refs += 1
                if entries[i]!.count < count { entries[i]!.count = count }
                if entries[i]!.strings != strings { entries[i]!.strings = nil }
                return
            }
            insert(key, Entry(storage: storage, count: count, refs: 1, strings: strings))
        }

        /// Drops one registration of the buffer at `key`; returns the storage of an entry that
        /// goes away (for the caller to release outside the lock).
        mutating func release(_ key: UInt) -> BufferStorage? {
            guard let i = find(key) else { return nil }
            entries[i]!.refs -= 1
            guard entries[i]!.refs <= 0 else { return nil }
            let storage = entries[i]!.storage
            remove(at: i)
            return storage
        }

        private mutating func grow() {
            let oldKeys = keys, oldEntries = entries
            keys = Array(repeating: 0, count: oldKeys.count * 2)
            entries = Array(repeating: nil, count: oldKeys.count * 2)
            count = 0
            for (k, e) in zip(oldKeys, oldEntries) where k != 0 { self[k] = e }
        }

        /// Backward-shift deletion: later members of the probe run move up, so lookups never
        /// need tombstones.
        private mutating func remove(at slot: Int) {
            var hole = slot
            var i = (slot + 1) & mask
            while keys[i] != 0 {
                let h = home(keys[i])
                // Move the entry at i into the hole if its home is not in (hole, i] cyclically.
                let inRange = hole <= i ? (h > hole && h <= i) : (h > hole || h <= i)
                if !inRange {
                    keys[hole] = keys[i]
                    entries[hole] = entries[i]
                    hole = i
                }
                i = (i + 1) & mask
            }
            keys[hole] = 0
            entries[hole] = nil
            count -= 1
        }
    }

    static let state = LockedValue(State())

    /// Registers every buffer of `data` (children and dictionary included).
    static func register(_ data: ArrayData) {
        state.withLock { s in
            func visit(_ d: ArrayData) {
                for (i, b) in d.buffers.enumerated() {
                    guard let b, b.count > 0 else { continue }
                    let key = UInt(bitPattern: b.baseAddress)
                    var strings: StringRange?
                    if i == 1, d.type.isString, d.stringsKnownValid, d.buffers.count == 3, let data = d.buffers[2] {
                        strings = StringRange(offset: d.offset, length: d.length, data: UInt(bitPattern: data.baseAddress))
                    }
                    s.retain(key, storage: b.storage, count: b.count, strings: strings)
                }
                for c in d.children { visit(c) }
                if let dict = d.dictionary { visit(dict) }
            }
            visit(data)
        }
    }

    /// Undoes one ``register(_:)`` of `data`.
    static func unregister(_ data: ArrayData) {
        // Storages dropped here are freed after the lock is released.
        var dropped: [BufferStorage] = []
        dropped.reserveCapacity(data.children.count * 2 + 4)
        state.withLock { s in
            func visit(_ d: ArrayData) {
                for b in d.buffers {
                    guard let b, b.count > 0 else { continue }
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
