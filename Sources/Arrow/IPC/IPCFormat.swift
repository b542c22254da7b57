/// Constants of the Arrow IPC metadata (apache/arrow `format/Schema.fbs` and `Message.fbs`):
/// vtable slots of the tables we read and write, union type ids and enum values.
///
/// A union field occupies two slots: its type byte (`<name>_type`) and then its value.
enum IPCFormat {
    /// The continuation marker that starts an encapsulated message since Arrow 0.15.
    static let continuationMarker: UInt32 = 0xFFFF_FFFF

    /// `MetadataVersion`.
    enum MetadataVersion {
        static let v4: Int16 = 3
        static let v5: Int16 = 4
    }

    /// `MessageHeader` union type ids.
    enum MessageHeader {
        static let schema: UInt8 = 1
        static let dictionaryBatch: UInt8 = 2
        static let recordBatch: UInt8 = 3
        static let tensor: UInt8 = 4
        static let sparseTensor: UInt8 = 5

        static func name(_ id: UInt8) -> String {
            switch id {
            case 0: "NONE"
            case dictionaryBatch: "DictionaryBatch"
            case recordBatch: "RecordBatch"
            case tensor: "Tensor"
            case sparseTensor: "SparseTensor"
            case schema: "Schema"
            default: "unknown header type \(id)"
            }
        }
    }

    /// Slots of `table Message`.
    enum MessageSlot {
        static let version = 0
        static let headerType = 1  // header: MessageHeader (type byte, then value in slot 2)
        static let bodyLength = 3
        static let customMetadata = 4
    }

    /// Slots of `table Schema`.
    enum SchemaSlot {
        static let endianness = 0
        static let fields = 1
        static let customMetadata = 2
        static let features = 3
    }

    /// Slots of `table Field`.
    enum FieldSlot {
        static let name = 0
        static let nullable = 1
        static let typeType = 2  // type: Type (type byte, then value in slot 3)
        static let dictionary = 4
        static let children = 5
        static let customMetadata = 6
    }

    /// Slots of `table KeyValue`.
    enum KeyValueSlot {
        static let key = 0
        static let value = 1
    }

    /// Slots of `table DictionaryEncoding`.
    enum DictionarySlot {
        static let id = 0
        static let indexType = 1
        static let isOrdered = 2
        static let dictionaryKind = 3
    }

    /// `Type` union ids.
    enum TypeID {
        static let none: UInt8 = 0
        static let null: UInt8 = 1
        static let int: UInt8 = 2
        static let floatingPoint: UInt8 = 3
        static let binary: UInt8 = 4
        static let utf8: UInt8 = 5
        static let bool: UInt8 = 6
        static let decimal: UInt8 = 7
        static let date: UInt8 = 8
        static let time: UInt8 = 9
        static let timestamp: UInt8 = 10
        static let interval: UInt8 = 11
        static let list: UInt8 = 12
        static let struct_: UInt8 = 13
        static let union: UInt8 = 14
        static let fixedSizeBinary: UInt8 = 15
        static let fixedSizeList: UInt8 = 16
        static let map: UInt8 = 17
        static let duration: UInt8 = 18
        static let largeBinary: UInt8 = 19
        static let largeUtf8: UInt8 = 20
        static let largeList: UInt8 = 21
        static let runEndEncoded: UInt8 = 22
        static let binaryView: UInt8 = 23
        static let utf8View: UInt8 = 24
        static let listView: UInt8 = 25
        static let largeListView: UInt8 = 26
    }

    /// Field slots inside the type tables.
    enum IntSlot { static let bitWidth = 0, isSigned = 1 }
    enum FloatingPointSlot { static let precision = 0 }
    enum DecimalSlot { static let precision = 0, scale = 1, bitWidth = 2 }
    enum DateSlot { static let unit = 0 }
    enum TimeSlot { static let unit = 0, bitWidth = 1 }
    enum TimestampSlot { static let unit = 0, timezone = 1 }
    enum DurationSlot { static let unit = 0 }
    enum FixedSizeBinarySlot { static let byteWidth = 0 }
    enum FixedSizeListSlot { static let listSize = 0 }
    enum MapSlot { static let keysSorted = 0 }
    enum UnionSlot { static let mode = 0 }
    enum IntervalSlot { static let unit = 0 }

    /// `enum Precision: short`.
    enum Precision { static let half: Int16 = 0, single: Int16 = 1, double: Int16 = 2 }
    /// `enum DateUnit: short`.
    enum DateUnit { static let day: Int16 = 0, millisecond: Int16 = 1 }
    /// `enum Endianness: short`.
    enum Endianness { static let little: Int16 = 0, big: Int16 = 1 }

    /// `enum TimeUnit: short`.
    static func code(_ unit: TimeUnit) -> Int16 {
        switch unit {
        case .second: 0
        case .millisecond: 1
        case .microsecond: 2
        case .nanosecond: 3
        }
    }

    static func timeUnit(_ code: Int16) -> TimeUnit? {
        switch code {
        case 0: .second
        case 1: .millisecond
        case 2: .microsecond
        case 3: .nanosecond
        default: nil
        }
    }

    /// The table depth a schema message uses above its top-level fields: Message, Schema.
    static let tablesAboveFields = 2
    /// The table depth a field may use below itself: its type table, or its dictionary
    /// encoding and that encoding's index type.
    static let tablesBelowField = 2
    /// The FlatBuffers table nesting limit of the reader.
    static let maximumTableDepth = 64
}
