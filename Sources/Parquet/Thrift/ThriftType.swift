// Thrift compact protocol type ids (apache/thrift doc/specs/thrift-compact-protocol.md).

/// A value type of the Thrift compact protocol.
///
/// The raw value is the id used for list, set and map *elements*. In a struct field header a
/// boolean is written as type 1 (true) or 2 (false) and carries its value in the header; a
/// reader reports both as `.bool` with the value in `ThriftFieldHeader.boolValue`.
public enum ThriftType: UInt8, Hashable, Sendable, CaseIterable {
    case bool = 2
    case i8 = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case `struct` = 12
    case uuid = 13

    /// The type of a wire nibble, with 1 and 2 both meaning `.bool`; `nil` for 0 and 14–15.
    @inlinable
    public init?(compactNibble nibble: UInt8) {
        switch nibble {
        case 1, 2: self = .bool
        case 3: self = .i8
        case 4: self = .i16
        case 5: self = .i32
        case 6: self = .i64
        case 7: self = .double
        case 8: self = .binary
        case 9: self = .list
        case 10: self = .set
        case 11: self = .map
        case 12: self = .struct
        case 13: self = .uuid
        default: return nil
        }
    }

    /// The smallest number of bytes one value of this type occupies as a list element.
    @inlinable
    public var minimumElementSize: Int {
        switch self {
        case .double: 8
        case .uuid: 16
        default: 1
        }
    }

    /// The name used in error messages.
    public var name: String {
        switch self {
        case .bool: "bool"
        case .i8: "i8"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .double: "double"
        case .binary: "binary"
        case .list: "list"
        case .set: "set"
        case .map: "map"
        case .struct: "struct"
        case .uuid: "uuid"
        }
    }
}

/// A struct field header as read from the wire.
public struct ThriftFieldHeader: Hashable, Sendable {
    /// The field id.
    public var id: Int16
    /// The field's value type.
    public var type: ThriftType
    /// For `type == .bool`, the field's value (booleans are encoded in the header).
    public var boolValue: Bool

    @inlinable
    public init(id: Int16, type: ThriftType, boolValue: Bool = false) {
        self.id = id
        self.type = type
        self.boolValue = boolValue
    }
}
