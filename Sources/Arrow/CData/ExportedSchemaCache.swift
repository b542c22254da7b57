import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The image of one exported schema tree, from which copies are made by one `memcpy` and a
/// pointer rebase per node, instead of rendering every format string and name again.
final class ExportedSchemaTemplate: @unchecked Sendable {
    // Immutable after init; `export(to:)` only reads it.
    private let root: ArrowSchema
    /// The block's bytes, its pointers rebased to point into this copy.
    private let image: UnsafeMutableRawPointer
    private let blockSize: Int
    private let structs: Int
    private let slots: Int

    init(_ field: Field) {
        var scratch = ArrowSchema()
        let (tree, structs, slots, blockSize) = CDataInterface.exportFieldTree(field, to: &scratch)
        self.structs = structs
        self.slots = slots
        self.blockSize = blockSize
        image = malloc(Swift.max(blockSize, 1))!
        image.copyMemory(from: tree.block, byteCount: blockSize)
        var root = scratch
        Self.rebase(&root, image: image, structs: structs, slots: slots, from: UnsafeRawPointer(tree.block), to: UnsafeRawPointer(image))
        root.private_data = nil
        for i in 0..<structs { image.assumingMemoryBound(to: ArrowSchema.self)[i].private_data = nil }
        self.root = root
        scratch.release?(&scratch)
    }

    deinit { free(image) }

    /// Fills the caller's empty struct with a new tree equal to the one the template was made of.
    ///
    /// - Complexity: O(*nodes*), with two allocations.
    func export(to out: UnsafeMutablePointer<ArrowSchema>) {
        let tree = ExportedSchemaTree(blockSize: blockSize)
        tree.block.copyMemory(from: image, byteCount: blockSize)
        var top = root
        Self.rebase(&top, image: tree.block, structs: structs, slots: slots, from: UnsafeRawPointer(image), to: UnsafeRawPointer(tree.block))
        top.private_data = Unmanaged.passRetained(tree).toOpaque()
        let nodes = tree.block.assumingMemoryBound(to: ArrowSchema.self)
        for i in 0..<structs { nodes[i].private_data = Unmanaged.passRetained(tree).toOpaque() }
        out.initialize(to: top)
    }

    /// Moves every pointer of `root` and of the block at `image` that points into the block at
    /// `old` to the same place in the block at `new`.
    private static func rebase(
        _ root: inout ArrowSchema, image: UnsafeMutableRawPointer, structs: Int, slots: Int,
        from old: UnsafeRawPointer, to new: UnsafeRawPointer
    ) {
        func moved<T>(_ p: UnsafePointer<T>?) -> UnsafePointer<T>? {
            p.map { (new + (UnsafeRawPointer($0) - old)).assumingMemoryBound(to: T.self) }
        }
        func moved<T>(_ p: UnsafeMutablePointer<T>?) -> UnsafeMutablePointer<T>? {
            p.map { UnsafeMutableRawPointer(mutating: new + (UnsafeRawPointer($0) - old)).assumingMemoryBound(to: T.self) }
        }
        func rebaseNode(_ n: inout ArrowSchema) {
            n.format = moved(n.format)
            n.name = moved(n.name)
            n.metadata = moved(n.metadata)
            n.children = moved(n.children)
            n.dictionary = moved(n.dictionary)
        }
        rebaseNode(&root)
        let nodes = image.assumingMemoryBound(to: ArrowSchema.self)
        for i in 0..<structs { rebaseNode(&nodes[i]) }
        let slotBase = (image + structs * MemoryLayout<ArrowSchema>.stride).assumingMemoryBound(to: UnsafeMutablePointer<ArrowSchema>?.self)
        for i in 0..<slots { slotBase[i] = moved(slotBase[i]) }
    }
}

/// Templates of the schemas most recently exported, by the identity of their field array.
///
/// A schema's `fields` is an immutable array value: an entry retains it, so while the entry
/// lives no other array can have its storage address, and the same address means the same
/// fields. A table's batches share their schema's array, so each of its exports after the first
/// is a hit; any other schema (a new array, or one with metadata) is exported the full way and
/// becomes the newest entry.
enum ExportedSchemaCache {
    /// Entries kept; the oldest is dropped first.
    static let capacity = 32

    struct Entry {
        /// The storage address of `fields`, which the entry retains so that it stays unique.
        let key: UInt
        let fields: [Field]
        let template: ExportedSchemaTemplate
    }

    static let cache = LockedValue<[Entry]>([])

    /// Forgets every entry.
    static func removeAll() { cache.withLock { $0.removeAll() } }

    /// The template for `schema`, made and cached on first use; nil for schemas with metadata or
    /// no fields (exported the full way, uncached).
    static func template(for schema: Schema) -> ExportedSchemaTemplate? {
        guard schema._metadata.isEmpty, !schema.fields.isEmpty else { return nil }
        let key = schema.fields.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let hit: ExportedSchemaTemplate? = cache.withLock { entries in entries.last { $0.key == key }?.template }
        if let hit { return hit }
        let made = ExportedSchemaTemplate(schema.topLevelField)
        cache.withLock { entries in
            if entries.count >= capacity { entries.removeFirst() }
            entries.append(Entry(key: key, fields: schema.fields, template: made))
        }
        return made
    }
}
