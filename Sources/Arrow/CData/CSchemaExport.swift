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
