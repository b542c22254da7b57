import Synchronization

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

    struct State: ~Copyable {
        var entries: [UInt: Entry] = [:]
    }

    static let state = Mutex(State())

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
                    if var e = s.entries[key] {
                        e.refs += 1
                        e.count = Swift.max(e.count, b.count)
                        if e.strings != strings { e.strings = nil }
                        s.entries[key] = e
                    } else {
                        s.entries[key] = Entry(storage: b.storage, count: b.count, refs: 1, strings: strings)
                    }
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
        state.withLock { s in
            func visit(_ d: ArrayData) {
                for b in d.buffers {
                    guard let b, b.count > 0 else { continue }
                    let key = UInt(bitPattern: b.baseAddress)
                    guard var e = s.entries[key] else { continue }
                    e.refs -= 1
                    if e.refs <= 0 {
                        dropped.append(e.storage)
                        s.entries[key] = nil
                    } else {
                        s.entries[key] = e
                    }
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
            guard let e = s.entries[key], e.count >= bytes else { return nil }
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
            guard let r = s.entries[key]?.strings, let data, r.data == UInt(bitPattern: data) else { return false }
            return offset >= r.offset && offset + length <= r.offset + r.length
        }
    }
}
