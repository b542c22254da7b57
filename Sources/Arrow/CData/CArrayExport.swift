import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Everything an exported array tree owns, in one object: a reference to the Swift data (which
/// keeps every buffer alive) and one memory block holding the child and dictionary structs and
/// the `buffers` / `children` pointer arrays of every node.
///
/// Every node of the tree (the root included) holds one retain of this object in its
/// `private_data`; releasing a node drops that retain after releasing the node's own children
/// that were not moved out. So children can be moved out and released on their own, in any order
/// and on any thread, and the block lives until the last node is released. Exporting a tree costs
/// two allocations whatever its size.
final class ExportedArrayTree {
    let data: ArrayData
    let block: UnsafeMutableRawPointer

    init(data: ArrayData, blockSize: Int) {
        self.data = data
        block = malloc(Swift.max(blockSize, 1))!
        ExportedBuffers.register(data)
        ArrowMemory.exportCreated()
    }

    deinit {
        ExportedBuffers.unregister(data)
        free(block)
        ArrowMemory.exportReleased()
    }
}

/// The release callback of every array this module exports.
private func releaseExportedArray(_ array: UnsafeMutablePointer<ArrowArray>?) {
    guard let array, array.pointee.release != nil else { return }
    let node = array.pointee
    // Children and the dictionary live in the tree's block; release those not moved out.
    if let children = node.children {
        for i in 0..<Int(node.n_children) {
            if let child = children[i], let release = child.pointee.release { release(child) }
        }
    }
    if let dictionary = node.dictionary, let release = dictionary.pointee.release { release(dictionary) }
    array.pointee.release = nil
    if let p = node.private_data { Unmanaged<ExportedArrayTree>.fromOpaque(p).release() }
}

extension CDataInterface {
    /// Exports `data` into the caller's empty struct `out` (zero-copy: the struct references the
    /// Swift buffers until it is released). The null count is always exact.
    ///
    /// - Complexity: O(*nodes*), with two allocations per call.
    public static func exportArray(_ data: ArrayData, to out: UnsafeMutablePointer<ArrowArray>) {
        // Pass 1: size the block, and find misaligned buffers on the way.
        var structs = 0, slots = 0, misaligned = false
        func measure(_ d: ArrayData) {
            let buffers = d.buffers
            slots += buffers.count + d.children.count
            structs += d.children.count + (d.dictionary == nil ? 0 : 1)
            for b in buffers where Int(bitPattern: b?.baseAddress) % arrowBufferAlignment != 0 { misaligned = true }
            for c in d.children { measure(c) }
            if let dict = d.dictionary { measure(dict) }
        }
        measure(data)
        // Every exported buffer is 64-byte aligned (c-abi.md §4.6): foreign buffers passed
        // through with a smaller alignment are copied once (the tree's shape stays the same).
        let data = misaligned ? data.withAlignedBuffers() : data
        let structBytes = structs * MemoryLayout<ArrowArray>.stride
        let tree = ExportedArrayTree(data: data, blockSize: structBytes + slots * MemoryLayout<UnsafeRawPointer?>.stride)
        var nextStruct = tree.block.bindMemory(to: ArrowArray.self, capacity: structs)
        var nextSlot = (tree.block + structBytes).bindMemory(to: UnsafeRawPointer?.self, capacity: slots)

        // Pass 2: fill the nodes, each holding one retain of the tree.
        func fill(_ d: ArrayData, into node: UnsafeMutablePointer<ArrowArray>) {
            var buffers: UnsafeMutablePointer<UnsafeRawPointer?>? = nil
            if !d.buffers.isEmpty {
                buffers = nextSlot
                for (i, b) in d.buffers.enumerated() { nextSlot[i] = b?.baseAddress }
                nextSlot += d.buffers.count
            }
            var children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>? = nil
            if !d.children.isEmpty {
                let slotsForChildren = UnsafeMutableRawPointer(nextSlot).bindMemory(to: UnsafeMutablePointer<ArrowArray>?.self, capacity: d.children.count)
                nextSlot += d.children.count
                children = slotsForChildren
                for i in 0..<d.children.count {
                    slotsForChildren[i] = nextStruct
                    nextStruct += 1
                }
            }
            var dictionary: UnsafeMutablePointer<ArrowArray>? = nil
            if d.dictionary != nil {
                dictionary = nextStruct
                nextStruct += 1
            }
            node.initialize(to: ArrowArray(
                length: Int64(d.length),
                null_count: Int64(d.nullCount),
                offset: Int64(d.offset),
                n_buffers: Int64(d.buffers.count),
                n_children: Int64(d.children.count),
                buffers: UnsafeMutablePointer(mutating: buffers),
                children: children,
                dictionary: dictionary,
                release: releaseExportedArray,
                private_data: Unmanaged.passRetained(tree).toOpaque()
            ))
            for (i, c) in d.children.enumerated() { fill(c, into: children![i]!) }
            if let dict = d.dictionary, let dictionary { fill(dict, into: dictionary) }
        }
        fill(data, into: out)
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

extension ArrayData {
    /// This data, with every buffer whose address is not 64-byte aligned replaced by an aligned
    /// copy (the same bytes, so offsets keep their meaning). Returns `self` when nothing moves.
    ///
    /// - Complexity: O(*nodes*) to check; O(*bytes*) of the misaligned buffers to copy.
    func withAlignedBuffers() -> ArrayData {
        guard hasMisalignedBuffer else { return self }
        let buffers = self.buffers.map { b -> ArrowBuffer? in
            guard let b, Int(bitPattern: b.baseAddress) % arrowBufferAlignment != 0 else { return b }
            return b.withUnsafeBytes { ArrowBuffer(copying: $0) }
        }
        return ArrayData(unchecked: type, length: length, offset: offset, nullCount: nullCount, buffers: buffers,
                         children: children.map { $0.withAlignedBuffers() }, dictionary: dictionary?.withAlignedBuffers(),
                         stringsKnownValid: stringsKnownValid)
    }

    private var hasMisalignedBuffer: Bool {
        buffers.contains { b in b.map { Int(bitPattern: $0.baseAddress) % arrowBufferAlignment != 0 } ?? false }
            || children.contains { $0.hasMisalignedBuffer }
            || (dictionary?.hasMisalignedBuffer ?? false)
    }
}
