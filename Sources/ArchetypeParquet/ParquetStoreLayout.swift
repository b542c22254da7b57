import ArchetypeCore

/// File names and paths of a store directory (store.md §2):
///
/// ```
/// <root>/<namespace>/.archetype.lock
/// <root>/<namespace>/<table>/part-<uuidv7>.parquet
/// <root>/<namespace>/<table>/.part-<uuidv7>.parquet.tmp
/// ```
public enum ParquetStoreLayout {
    /// File-name prefix of published parts.
    public static let partPrefix = "part-"
    /// File-name suffix of published parts (and of every file a read considers).
    public static let partSuffix = ".parquet"
    /// The writer lock file in a namespace directory.
    public static let lockFileName = ".archetype.lock"
    /// The `created_by` of every part (store.md §9.1).
    public static let createdBy = "archetype version 0.1.0"

    /// `part-<uuid>.parquet`.
    public static func partFileName(uuid: String) -> String { partPrefix + uuid + partSuffix }

    /// `.part-<uuid>.parquet.tmp`.
    public static func stagingFileName(uuid: String) -> String { "." + partPrefix + uuid + partSuffix + ".tmp" }

    /// Whether a read considers the file `name` a part (store.md §6.1): it ends in `.parquet`
    /// and starts with neither `.` nor `_`. Foreign `.parquet` files count.
    public static func isPartCandidate(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, first != UInt8(ascii: "."), first != UInt8(ascii: "_") else { return false }
        let suffix = partSuffix.utf8
        return bytes.count > suffix.count && bytes.suffix(suffix.count).elementsEqual(suffix)
    }

    /// Whether `name` is a stray staging file the first writable open deletes (store.md §4):
    /// `.part-*.parquet.tmp`, or the undotted `part-*.parquet.tmp`.
    public static func isStagingFileName(_ name: String) -> Bool {
        var rest = Array(name.utf8)[...]
        if rest.first == UInt8(ascii: ".") { rest = rest.dropFirst() }
        let prefix = partPrefix.utf8, suffix = (partSuffix + ".tmp").utf8
        return rest.count > prefix.count + suffix.count && rest.prefix(prefix.count).elementsEqual(prefix)
            && rest.suffix(suffix.count).elementsEqual(suffix)
    }

    /// Whether `name` passes the name rules of store.md §2.2.
    public static func isValidName(_ name: String) -> Bool {
        (try? Names.validateTableName(name)) != nil
    }

    /// The `(milliseconds, counter)` that a generated UUIDv7 must exceed to sort after the part
    /// file `name`, or nil when `name` is not `part-<uuid>.parquet` with a parsable timestamp.
    /// A foreign UUID version above 7 at the same millisecond forces the next millisecond.
    static func floor(ofPartName name: String) -> (ms: UInt64, counter: UInt16)? {
        let bytes = Array(name.utf8)
        let prefix = Array(partPrefix.utf8)
        guard bytes.count >= prefix.count + 18, Array(bytes[0..<prefix.count]) == prefix else { return nil }
        let uuid = Array(bytes[prefix.count...])
        func hex(_ c: UInt8) -> UInt64? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        guard uuid[8] == UInt8(ascii: "-"), uuid[13] == UInt8(ascii: "-") else { return nil }
        var ms: UInt64 = 0
        for i in Array(0..<8) + Array(9..<13) {
            guard let h = hex(uuid[i]) else { return nil }
            ms = ms << 4 | h
        }
        guard let version = hex(uuid[14]) else { return nil }
        if version < 7 { return (ms, 0) }
        if version > 7 { return (ms, 0xFFF) }
        var counter: UInt64 = 0
        for i in 15..<18 {
            guard let h = hex(uuid[i]) else { return nil }
            counter = counter << 4 | h
        }
        return (ms, UInt16(counter))
    }
}
