// The enumerations of parquet.thrift, with their Thrift values. Unknown values read from a file
// are kept (`.unknown(n)`) where the format allows future values, so that a reader can report
// them precisely instead of failing to decode the footer.

/// Physical storage types (`Type` in parquet.thrift).
public enum PhysicalType: Int32, Hashable, Sendable, CaseIterable {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7
}

/// Field repetition (`FieldRepetitionType`).
public enum Repetition: Int32, Hashable, Sendable {
    case required = 0
    case optional = 1
    case repeated = 2
}

/// Legacy converted types (`ConvertedType`).
public enum ConvertedType: Int32, Hashable, Sendable {
    case utf8 = 0, map = 1, mapKeyValue = 2, list = 3, `enum` = 4, decimal = 5, date = 6
    case timeMillis = 7, timeMicros = 8, timestampMillis = 9, timestampMicros = 10
    case uint8 = 11, uint16 = 12, uint32 = 13, uint64 = 14
    case int8 = 15, int16 = 16, int32 = 17, int64 = 18
    case json = 19, bson = 20, interval = 21
}

/// Value and level encodings (`Encoding`).
public enum Encoding: Hashable, Sendable {
    case plain                  // 0
    case plainDictionary        // 2
    case rle                    // 3
    case bitPacked              // 4 (deprecated)
    case deltaBinaryPacked      // 5
    case deltaLengthByteArray   // 6
    case deltaByteArray         // 7
    case rleDictionary          // 8
    case byteStreamSplit        // 9
    case unknown(Int32)

    public init(thrift value: Int32) {
        switch value {
        case 0: self = .plain
        case 2: self = .plainDictionary
        case 3: self = .rle
        case 4: self = .bitPacked
        case 5: self = .deltaBinaryPacked
        case 6: self = .deltaLengthByteArray
        case 7: self = .deltaByteArray
        case 8: self = .rleDictionary
        case 9: self = .byteStreamSplit
        default: self = .unknown(value)
        }
    }

    public var thriftValue: Int32 {
        switch self {
        case .plain: 0
        case .plainDictionary: 2
        case .rle: 3
        case .bitPacked: 4
        case .deltaBinaryPacked: 5
        case .deltaLengthByteArray: 6
        case .deltaByteArray: 7
        case .rleDictionary: 8
        case .byteStreamSplit: 9
        case .unknown(let v): v
        }
    }

    /// The name parquet tools print (`PLAIN`, `RLE_DICTIONARY`, …).
    public var name: String {
        switch self {
        case .plain: "PLAIN"
        case .plainDictionary: "PLAIN_DICTIONARY"
        case .rle: "RLE"
        case .bitPacked: "BIT_PACKED"
        case .deltaBinaryPacked: "DELTA_BINARY_PACKED"
        case .deltaLengthByteArray: "DELTA_LENGTH_BYTE_ARRAY"
        case .deltaByteArray: "DELTA_BYTE_ARRAY"
        case .rleDictionary: "RLE_DICTIONARY"
        case .byteStreamSplit: "BYTE_STREAM_SPLIT"
        case .unknown(let v): "UNKNOWN(\(v))"
        }
    }
}

/// Page compression (`CompressionCodec`).
public enum CompressionCodec: Hashable, Sendable {
    case uncompressed   // 0
    case snappy         // 1
    case gzip           // 2
    case lzo            // 3
    case brotli         // 4
    case lz4            // 5 (Hadoop-framed, deprecated)
    case zstd           // 6
    case lz4Raw         // 7
    case unknown(Int32)

    public init(thrift value: Int32) {
        switch value {
        case 0: self = .uncompressed
        case 1: self = .snappy
        case 2: self = .gzip
        case 3: self = .lzo
        case 4: self = .brotli
        case 5: self = .lz4
        case 6: self = .zstd
        case 7: self = .lz4Raw
        default: self = .unknown(value)
        }
    }

    public var thriftValue: Int32 {
        switch self {
        case .uncompressed: 0
        case .snappy: 1
        case .gzip: 2
        case .lzo: 3
        case .brotli: 4
        case .lz4: 5
        case .zstd: 6
        case .lz4Raw: 7
        case .unknown(let v): v
        }
    }

    /// The name parquet tools print (`SNAPPY`, `ZSTD`, …).
    public var name: String {
        switch self {
        case .uncompressed: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .lzo: "LZO"
        case .brotli: "BROTLI"
        case .lz4: "LZ4"
        case .zstd: "ZSTD"
        case .lz4Raw: "LZ4_RAW"
        case .unknown(let v): "UNKNOWN(\(v))"
        }
    }
}

/// Page kinds (`PageType`).
public enum PageType: Hashable, Sendable {
    case dataPage           // 0
    case indexPage          // 1
    case dictionaryPage     // 2
    case dataPageV2         // 3
    case unknown(Int32)

    public init(thrift value: Int32) {
        switch value {
        case 0: self = .dataPage
        case 1: self = .indexPage
        case 2: self = .dictionaryPage
        case 3: self = .dataPageV2
        default: self = .unknown(value)
        }
    }

    public var thriftValue: Int32 {
        switch self {
        case .dataPage: 0
        case .indexPage: 1
        case .dictionaryPage: 2
        case .dataPageV2: 3
        case .unknown(let v): v
        }
    }
}
