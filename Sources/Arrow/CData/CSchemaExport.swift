import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Everything an exported schema tree owns, in one memory block: the child and dictionary
/// structs, the `children` pointer arrays and every string (format, name, metadata).
///
/// As for arrays (``ExportedArrayTree``), each node holds one retain in `private_data`, so
/// children can be moved out and released on their own.
final class ExportedSchemaTree {
    let block: UnsafeMutableRawPointer

    init(blockSize: Int) {
        block = malloc(Swift.max(blockSize, 1))!
        ArrowMemory.exportCreated()
    }

    deinit {
        free(block)
        ArrowMemory.exportReleased()
    }
}

/// The release callback of every schema this module exports.
private func releaseExportedSchema(_ schema: UnsafeMutablePointer<ArrowSchema>?) {
    guard let schema, schema.pointee.release != nil else { return }
    let node = schema.pointee
    if let children = node.children {
        for i in 0..<Int(node.n_children) {
            if let child = children[i], let release = child.pointee.release { release(child) }
        }
    }
    if let dictionary = node.dictionary, let release = dictionary.pointee.release { release(dictionary) }
    schema.pointee.release = nil
    if let p = node.private_data { Unmanaged<ExportedSchemaTree>.fromOpaque(p).release() }
}

extension CDataInterface {
    /// Exports `field` into the caller's empty struct `out`.
    ///
    /// - Complexity: O(*nodes*), with two allocations per call.
    public static func exportField(_ field: Field, to out: UnsafeMutablePointer<ArrowSchema>) {
        _ = exportFieldTree(field, to: out)
    }

    /// ``exportField(_:to:)``, returning the tree and its layout: `structs` child and dictionary
    /// structs, then `slots` children pointers, then the strings, in one block.
    static func exportFieldTree(_ field: Field, to out: UnsafeMutablePointer<ArrowSchema>) -> (tree: ExportedSchemaTree, structs: Int, slots: Int, blockSize: Int) {
        /// The fields a node exports as children: none for a dictionary (its values go into the
        /// dictionary schema), the type's children otherwise.
        func childFields(_ f: Field) -> [Field] {
            if case .dictionary = f.type { return [] }
            return f.type.children
        }
        func dictionaryField(_ f: Field) -> Field? {
            if case .dictionary(_, let value, _) = f.type { return Field("", value, nullable: true) }
            return nil
        }
        // Pass 1: size the block.
        var structs = 0, slots = 0, stringBytes = 0
        func measure(_ f: Field) {
            let kids = childFields(f)
            let dict = dictionaryField(f)
            structs += kids.count + (dict == nil ? 0 : 1)
            slots += kids.count
            stringBytes += FormatString.render(f.type).utf8.count + 1 + f.name.utf8.count + 1
            if !f._metadata.isEmpty { stringBytes += CDataStrings.metadataSize(f._metadata) }
            for k in kids { measure(k) }
            if let dict { measure(dict) }
        }
        measure(field)
        let structBytes = structs * MemoryLayout<ArrowSchema>.stride
        let slotBytes = slots * MemoryLayout<UnsafeMutablePointer<ArrowSchema>?>.stride
        let tree = ExportedSchemaTree(blockSize: structBytes + slotBytes + stringBytes)
        var nextStruct = tree.block.bindMemory(to: ArrowSchema.self, capacity: structs)
        var nextSlot = (tree.block + structBytes).bindMemory(to: UnsafeMutablePointer<ArrowSchema>?.self, capacity: slots)
        var nextByte = tree.block + structBytes + slotBytes

        func put(_ s: String) -> UnsafePointer<CChar> {
            let start = nextByte
            var s = s
            s.withUTF8 { u in
                if let b = u.baseAddress { nextByte.copyMemory(from: b, byteCount: u.count) }
                nextByte += u.count
            }
            nextByte.storeBytes(of: 0, as: UInt8.self)
            nextByte += 1
            return UnsafePointer(start.assumingMemoryBound(to: CChar.self))
        }

        // Pass 2: fill the nodes, each holding one retain of the tree.
        func fill(_ f: Field, into node: UnsafeMutablePointer<ArrowSchema>) {
            var flags: Int64 = f.nullable ? Int64(ARROW_FLAG_NULLABLE) : 0
            switch f.type {
            case .map(_, let sorted) where sorted: flags |= Int64(ARROW_FLAG_MAP_KEYS_SORTED)
            case .dictionary(_, _, let ordered) where ordered: flags |= Int64(ARROW_FLAG_DICTIONARY_ORDERED)
            default: break
            }
            let kids = childFields(f)
            var children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>? = nil
            if !kids.isEmpty {
                children = nextSlot
                for i in 0..<kids.count {
                    nextSlot[i] = nextStruct
                    nextStruct += 1
                }
                nextSlot += kids.count
            }
            let dict = dictionaryField(f)
            var dictionary: UnsafeMutablePointer<ArrowSchema>? = nil
            if dict != nil {
                dictionary = nextStruct
                nextStruct += 1
            }
            let format = put(FormatString.render(f.type))
            let name = put(f.name)
            var metadata: UnsafePointer<CChar>? = nil
            if !f._metadata.isEmpty {
                metadata = UnsafePointer(nextByte.assumingMemoryBound(to: CChar.self))
                nextByte += CDataStrings.writeMetadata(f._metadata, to: nextByte)
            }
            node.initialize(to: ArrowSchema(
                format: format, name: name, metadata: metadata, flags: flags,
                n_children: Int64(kids.count), children: children, dictionary: dictionary,
                release: releaseExportedSchema,
                private_data: Unmanaged.passRetained(tree).toOpaque()
            ))
            for (i, k) in kids.enumerated() { fill(k, into: children![i]!) }
            if let dict, let dictionary { fill(dict, into: dictionary) }
        }
        fill(field, into: out)
        return (tree, structs, slots, structBytes + slotBytes + stringBytes)
    }

    /// Exports a record batch schema as a top-level `+s` struct (non-nullable, unnamed) whose
    /// children are the fields and whose metadata is the schema metadata.
    ///
    /// Schemas exported again and again (a table's batches, tick after tick) are copied from a
    /// cached image of their tree (``ExportedSchemaCache``) instead of being rendered anew.
    public static func exportSchema(_ schema: Schema, to out: UnsafeMutablePointer<ArrowSchema>) {
        if let template = ExportedSchemaCache.template(for: schema) {
            template.export(to: out)
            return
        }
        exportField(schema.topLevelField, to: out)
    }
}

extension Schema {
    /// The top-level `+s` field a record batch schema exports as (non-nullable, unnamed).
    var topLevelField: Field {
        var top = Field("", .struct(fields), nullable: false)
        top._metadata = _metadata
        return top
    }
}

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
        let hit: ExportedSchemaTemplate? = cache.withLock { entries in
            for i in entries.indices.reversed() {
                let e = entries[i]
                if e.fields.withUnsafeBufferPointer({ UInt(bitPattern: $0.baseAddress) }) == key { return e.template }
            }
            return nil
        }
        if let hit { return hit }
        let made = ExportedSchemaTemplate(schema.topLevelField)
        cache.withLock { entries in
            if entries.count >= capacity { entries.removeFirst() }
            entries.append(Entry(fields: schema.fields, template: made))
        }
        return made
    }
}
