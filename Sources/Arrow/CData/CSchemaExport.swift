import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// What an exported `ArrowSchema` owns: its strings, its children and its dictionary.
final class ExportedSchemaPrivate {
    let format: UnsafeMutablePointer<CChar>
    let name: UnsafeMutablePointer<CChar>
    let metadata: UnsafeMutablePointer<CChar>?
    let children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>?
    let childCount: Int
    let dictionary: UnsafeMutablePointer<ArrowSchema>?

    init(format: String, name: String, metadata: [(String, String)], children: [UnsafeMutablePointer<ArrowSchema>], dictionary: UnsafeMutablePointer<ArrowSchema>?) {
        self.format = CDataStrings.duplicate(format)
        self.name = CDataStrings.duplicate(name)
        self.metadata = CDataStrings.encodeMetadata(metadata)
        childCount = children.count
        if children.isEmpty {
            self.children = nil
        } else {
            let kids = UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>.allocate(capacity: children.count)
            for (i, c) in children.enumerated() { kids[i] = c }
            self.children = kids
        }
        self.dictionary = dictionary
        ArrowMemory.exportCreated()
    }

    deinit {
        free(format)
        free(name)
        free(metadata)
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

/// The release callback of every schema this module exports.
private func releaseExportedSchema(_ schema: UnsafeMutablePointer<ArrowSchema>?) {
    guard let schema, schema.pointee.release != nil else { return }
    if let p = schema.pointee.private_data {
        Unmanaged<ExportedSchemaPrivate>.fromOpaque(p).release()
    }
    schema.pointee.release = nil
    schema.pointee.private_data = nil
}

extension CDataInterface {
    /// Exports `field` into the caller's empty struct `out`.
    public static func exportField(_ field: Field, to out: UnsafeMutablePointer<ArrowSchema>) {
        var flags: Int64 = field.nullable ? Int64(ARROW_FLAG_NULLABLE) : 0
        var childFields: [Field] = field.type.children
        var dictionary: UnsafeMutablePointer<ArrowSchema>? = nil
        switch field.type {
        case .map(_, let sorted):
            if sorted { flags |= Int64(ARROW_FLAG_MAP_KEYS_SORTED) }
        case .dictionary(_, let value, let ordered):
            if ordered { flags |= Int64(ARROW_FLAG_DICTIONARY_ORDERED) }
            let d = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            exportField(Field("", value, nullable: true), to: d)
            dictionary = d
            childFields = []
        default:
            break
        }
        let children = childFields.map { f -> UnsafeMutablePointer<ArrowSchema> in
            let c = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            exportField(f, to: c)
            return c
        }
        let owner = ExportedSchemaPrivate(format: FormatString.render(field.type), name: field.name,
                                          metadata: field.metadata, children: children, dictionary: dictionary)
        out.initialize(to: ArrowSchema(
            format: UnsafePointer(owner.format),
            name: UnsafePointer(owner.name),
            metadata: owner.metadata.map { UnsafePointer($0) },
            flags: flags,
            n_children: Int64(children.count),
            children: owner.children,
            dictionary: dictionary,
            release: releaseExportedSchema,
            private_data: Unmanaged.passRetained(owner).toOpaque()
        ))
    }

    /// Exports a record batch schema as a top-level `+s` struct (non-nullable, unnamed) whose
    /// children are the fields and whose metadata is the schema metadata.
    public static func exportSchema(_ schema: Schema, to out: UnsafeMutablePointer<ArrowSchema>) {
        exportField(Field("", .struct(schema.fields), nullable: false, metadata: schema.metadata), to: out)
    }
}
