// `EncryptionAlgorithm` union of parquet.thrift. Archetype does not decrypt; the footer only has
// to tell that a file is encrypted (store.md §11.2).

/// The encryption algorithm of a file with a plaintext footer. Parameters are not kept.
public enum EncryptionAlgorithm: Hashable, Sendable, ThriftStruct {
    case aesGcmV1
    case aesGcmCtrV1
    case unknown(Int16)

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> EncryptionAlgorithm {
        let saved = try r.beginStruct()
        var result: EncryptionAlgorithm?
        while let f = try r.readFieldHeader() {
            let member: EncryptionAlgorithm
            switch (f.id, f.type) {
            case (1, .struct): member = .aesGcmV1
            case (2, .struct): member = .aesGcmCtrV1
            default: member = .unknown(f.id)
            }
            try r.skip(f)
            if result == nil { result = member }
        }
        r.endStruct(saved)
        // An empty union still says the file is encrypted.
        return result ?? .unknown(0)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        let id: Int16
        switch self {
        case .aesGcmV1: id = 1
        case .aesGcmCtrV1: id = 2
        case .unknown(let n): id = n
        }
        w.writeFieldHeader(id, .struct)
        w.writeEmptyStruct()
        w.endStruct(saved)
    }
}
