import Arrow
import ArchetypeCore
import Parquet

/// The batches of one store read, produced lazily (store.md §6: the streaming variant, with the
/// semantics of ``ParquetStore/read(_:filter:columns:)``): parts in bytewise name order, then
/// row groups, then rows; one batch per row group that keeps rows, never spanning two row
/// groups; no 0-row batches; every batch of ``schema``.
///
/// Footers are read and schemas checked when the stream is made; part data is loaded one part
/// at a time as ``next()`` reaches it. Thread-safe (calls are serialised), and independent of
/// the store's lifetime.
public final class ParquetBatchStream: Sendable {
    /// The schema of every batch; nil when the table has no parts (the stream is empty).
    public let schema: Schema?
    let plan: ReadPlan
    let access: PartAccess

    struct Cursor {
        var part = 0
        var rowGroup = 0
        var loaded: ParquetFileReader?
        var failed = false
    }
    private let cursor = LockedValue(Cursor())

    init(plan: ReadPlan, access: PartAccess) {
        self.plan = plan
        self.access = access
        schema = plan.resultSchema
    }

    /// The next batch, or nil at the end. After an error the stream ends.
    public func next() throws(StoreError) -> RecordBatch? {
        try cursor.withLock { (c) throws(StoreError) -> RecordBatch? in
            guard !c.failed else { return nil }
            do throws(StoreError) {
                while c.part < plan.parts.count {
                    let part = plan.parts[c.part]
                    if c.rowGroup >= part.rowGroups.count {
                        c.part += 1
                        c.rowGroup = 0
                        c.loaded = nil
                        continue
                    }
                    let reader: ParquetFileReader
                    if let loaded = c.loaded {
                        reader = loaded
                    } else {
                        reader = try access.load(part.footer, rowGroups: part.rowGroups, columns: plan.decodeColumns)
                        c.loaded = reader
                    }
                    let g = part.rowGroups[c.rowGroup]
                    c.rowGroup += 1
                    let batch = try decode(reader, rowGroup: g, path: part.footer.path)
                    if batch.length > 0 { return batch }
                }
                c.loaded = nil
                return nil
            } catch {
                c.failed = true
                c.loaded = nil
                throw error
            }
        }
    }

    /// Every remaining batch.
    public func collect() throws(StoreError) -> [RecordBatch] {
        var out: [RecordBatch] = []
        while let b = try next() { out.append(b) }
        return out
    }

    /// Decodes row group `g`, filters it and projects it to the result schema.
    func decode(_ reader: ParquetFileReader, rowGroup g: Int, path: String) throws(StoreError) -> RecordBatch {
        let raw: RecordBatch
        do {
            raw = try reader.readRowGroup(g, columns: plan.decodeColumns)
        } catch {
            throw .from(error, path: path)
        }
        access.count { s in
            s.rowGroupsRead += 1
            for f in raw.schema.fields { s.decodedColumns[f.name, default: 0] += 1 }
        }
        var batch = try plan.filter.apply(to: raw, table: plan.table)
        if batch.length == 0 { return batch }
        guard let schema = plan.resultSchema else { return batch }
        do {
            if let projection = plan.projection, projection.count != batch.columnCount {
                batch = try batch.select(projection)
            }
            // One schema for every batch: the first part's (field metadata included).
            return try RecordBatch(schema: schema, columns: batch.columns, length: batch.length)
        } catch {
            throw .corrupt("corrupt Parquet (\(path)): row group \(g): \(error.message)")
        }
    }
}
