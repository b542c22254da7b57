import Arrow

/// The `ARROW:schema` values (base64 IPC schema messages) of the few schemas used last, both
/// ways: a program writes and reads files of the same schemas over and over, and encoding or
/// decoding the FlatBuffers message was a sixth of the writer's time on a 1k-row file.
///
/// Thread-safe. Holds at most ``capacity`` entries each way, and only values of at most
/// ``maximumValueBytes`` characters.
enum ArrowSchemaCache {
    static let capacity = 8
    static let maximumValueBytes = 1 << 16

    struct Entry {
        let schema: Schema
        let encoded: String
    }

    /// Most recent first.
    static let encoded = LockedValue<[Entry]>([])
    static let decoded = LockedValue<[Entry]>([])

    /// `ArrowIPCSchema.encodeBase64(schema)`, from the cache when `schema` was encoded recently.
    static func encode(_ schema: Schema) throws(ArrowError) -> String {
        if let hit = encoded.withLock({ $0.first { $0.schema == schema }?.encoded }) { return hit }
        let value = try ArrowIPCSchema.encodeBase64(schema)
        remember(Entry(schema: schema, encoded: value), in: encoded)
        return value
    }

    /// `ArrowIPCSchema.decodeBase64(value)`, from the cache when `value` was decoded recently.
    static func decode(_ value: String) throws(ArrowError) -> Schema {
        if let hit = decoded.withLock({ $0.first { $0.encoded == value }?.schema }) { return hit }
        let schema = try ArrowIPCSchema.decodeBase64(value)
        remember(Entry(schema: schema, encoded: value), in: decoded)
        return schema
    }

    static func remember(_ entry: Entry, in cache: LockedValue<[Entry]>) {
        guard entry.encoded.utf8.count <= maximumValueBytes else { return }
        cache.withLock { c in
            c.insert(entry, at: 0)
            if c.count > capacity { c.removeLast() }
        }
    }
}

/// The Parquet module's process-wide caches.
public enum ParquetCaches {
    /// Empties them (the recent `ARROW:schema` values, both ways); later calls refill them.
    public static func release() {
        ArrowSchemaCache.encoded.withLock { $0.removeAll() }
        ArrowSchemaCache.decoded.withLock { $0.removeAll() }
    }
}
