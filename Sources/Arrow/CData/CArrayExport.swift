import CArrowABI

/// What an exported `ArrowArray` owns: a reference to the Swift data (which keeps every buffer
/// alive), the buffer pointer array, and its children and dictionary structs.
final class ExportedArrayPrivate {
    let data: ArrayData
    let buffers: UnsafeMutablePointer<UnsafeRawPointer?>?
    let children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>?
    let childCount: Int
    let dictionary: UnsafeMutablePointer<ArrowArray>?

    init(data: ArrayData, children: [UnsafeMutablePointer<ArrowArray>], dictionary: UnsafeMutablePointer<ArrowArray>?) {
        self.data = data
        let bufs = data.buffers
        if bufs.isEmpty {
            buffers = nil
        } else {
            let b = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: bufs.count)
            for (i, buf) in bufs.enumerated() { b[i] = buf?.baseAddress }
            buffers = b
        }
        childCount = children.count
        if children.isEmpty {
            self.children = nil
        } else {
            let kids = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: children.count)
            for (i, c) in children.enumerated() { kids[i] = c }
            self.children = kids
        }
        self.dictionary = dictionary
        ArrowMemory.exportCreated()
    }

    deinit {
        buffers?.deallocate()
        if let children {
            for i in 0..<childCount {
                if let c = children[i] {
                    // Children not moved out by the consumer are released with their parent.
                    if let release = c.pointee.release { release(c) }
                    c.deallocate()
                }
            }
            children.deallocate()
        }
        if let dictionary {
            if let release = dictionary.pointee.release { release(dictionary) }
            dictionary.deallocate()
        }
        ArrowMemory.exportReleased()
    }
}

/// The release callback of every array this module exports.
private func releaseExportedArray(_ array: UnsafeMutablePointer<ArrowArray>?) {
    guard let array, array.pointee.release != nil else { return }
    if let p = array.pointee.private_data {
        Unmanaged<ExportedArrayPrivate>.fromOpaque(p).release()
    }
    array.pointee.release = nil
    array.pointee.private_data = nil
}

extension CDataInterface {
    /// Exports `data` into the caller's empty struct `out` (zero-copy: the struct references the
    /// Swift buffers until it is released). The null count is always exact.
    public static func exportArray(_ data: ArrayData, to out: UnsafeMutablePointer<ArrowArray>) {
        let children = data.children.map { child -> UnsafeMutablePointer<ArrowArray> in
            let c = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
            exportArray(child, to: c)
            return c
        }
        var dictionary: UnsafeMutablePointer<ArrowArray>? = nil
        if let d = data.dictionary {
            let p = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
            exportArray(d, to: p)
            dictionary = p
        }
        let owner = ExportedArrayPrivate(data: data, children: children, dictionary: dictionary)
        out.initialize(to: ArrowArray(
            length: Int64(data.length),
            null_count: Int64(data.nullCount),
            offset: Int64(data.offset),
            n_buffers: Int64(data.buffers.count),
            n_children: Int64(children.count),
            buffers: owner.buffers.map { UnsafeMutablePointer(mutating: $0) }.map { UnsafeMutablePointer<UnsafeRawPointer?>($0) },
            children: owner.children,
            dictionary: dictionary,
            release: releaseExportedArray,
            private_data: Unmanaged.passRetained(owner).toOpaque()
        ))
    }

    /// Exports a record batch as a top-level `+s` struct array (offset 0, no validity buffer,
    /// null count 0) and its schema.
    public static func exportRecordBatch(
        _ batch: RecordBatch, array: UnsafeMutablePointer<ArrowArray>, schema: UnsafeMutablePointer<ArrowSchema>
    ) {
        exportArray(batch.asStructArray(), to: array)
        exportSchema(batch.schema, to: schema)
    }
}
