import Arrow

/// Building the engine's batches: gathers across chunks, constant base columns, stamping.
enum BatchBuilding {
    /// Rows `(chunk, row)` from several batches of one schema, in order.
    static func gather(chunks: [RecordBatch], rows: [(Int, Int)], schema: Schema) throws(ArchetypeError) -> RecordBatch {
        do {
            let distinct = Array(Set(rows.map(\.0))).sorted()
            if distinct.count == 1 {
                let b = chunks[distinct[0]]
                return try retyped(b.take(rows.map(\.1)), schema)
            }
            var base: [Int: Int] = [:]
            var used: [RecordBatch] = []
            var start = 0
            for c in distinct {
                base[c] = start
                used.append(chunks[c])
                start += chunks[c].length
            }
            let all = try RecordBatch.concatenate(used)
            return try retyped(all.take(rows.map { base[$0.0]! + $0.1 }), schema)
        } catch let e as ArchetypeError {
            throw e
        } catch let e as ArrowError {
            throw .arrow(e)
        } catch {
            throw .internal("\(error)")
        }
    }

    /// The batch under the registered schema object (field metadata kept).
    ///
    /// - Complexity: O(1) when the batch already shares the schema's fields, O(*columns*)
    ///   otherwise.
    static func retyped(_ batch: RecordBatch, _ schema: Schema) throws(ArchetypeError) -> RecordBatch {
        if batch.schema.sharesFields(with: schema) {
            return RecordBatch(unchecked: schema, columns: batch.columns, length: batch.length)
        }
        do { return try RecordBatch(schema: schema, columns: batch.columns, length: batch.length) } catch { throw .arrow(error) }
    }

    /// `batch` under `t`'s schema when its fields equal them ignoring metadata, else nil.
    ///
    /// The last other schema found equal is remembered: a host hands batches back under one
    /// imported schema tick after tick, and a batch whose fields are that schema's holds columns
    /// of the same types and nullability.
    ///
    /// - Complexity: O(1) for a batch under `t`'s schema or the remembered one, O(*columns*)
    ///   otherwise.
    static func retypedIfEqual(_ batch: RecordBatch, for t: TableState) -> RecordBatch? {
        let known = t.schemaKnownEqual.map { batch.schema.sharesFields(with: $0) } ?? false
        if !known {
            // O(1) when the batch shares the table's own fields.
            guard batch.schema.equalsIgnoringMetadata(t.schema) else { return nil }
            if !batch.schema.sharesFields(with: t.schema) { t.schemaKnownEqual = batch.schema }
        }
        return RecordBatch(unchecked: t.schema, columns: batch.columns, length: batch.length)
    }

    /// A utf8 column of `n` copies of `value`.
    static func constantString(_ value: String, _ n: Int) -> ArrayData {
        let bytes = Array(value.utf8)
        let offsets = MutableBuffer(capacity: (n + 1) * 4)
        let data = MutableBuffer(capacity: n * bytes.count)
        var o: Int32 = 0
        offsets.append(o)
        bytes.withUnsafeBytes { raw in
            for _ in 0..<n {
                data.append(contentsOf: raw)
                o &+= Int32(truncatingIfNeeded: bytes.count)
                offsets.append(o)
            }
        }
        // Copies of a Swift string: valid UTF-8 by construction.
        return ArrayData(unchecked: .utf8, length: n, nullCount: 0, buffers: [nil, offsets.finish(), data.finish()],
                         stringsKnownValid: true)
    }

    /// An int32 column of `n` copies of `value`.
    static func constantInt32(_ value: Int32, _ n: Int) -> ArrayData {
        let b = MutableBuffer(capacity: n * 4)
        // Written once, without zero-filling first.
        b.extendUninitialized(by: n * 4).initializeMemory(as: Int32.self, repeating: value, count: n)
        return ArrayData(unchecked: .int32, length: n, nullCount: 0, buffers: [nil, b.finish()])
    }

    /// A boolean column of `n` copies of `value`.
    static func constantBool(_ value: Bool, _ n: Int) -> ArrayData {
        var b = BitmapBuilder(capacity: n)
        b.append(repeating: value, count: n)
        return ArrayData(unchecked: .boolean, length: n, nullCount: 0, buffers: [nil, b.finish()])
    }

    /// An int32 column of the given values.
    static func int32Column(_ values: [Int32]) -> ArrayData {
        ArrayData(unchecked: .int32, length: values.count, nullCount: 0, buffers: [nil, ArrowBuffer(values: values)])
    }
}

/// Reusable constant base columns for one world (world and run ids repeat on every row).
final class ConstantColumns {
    let worldId: String
    let runId: String
    private var worldColumn: ArrayData?
    private var runColumn: ArrayData?

    init(worldId: String, runId: String) {
        self.worldId = worldId
        self.runId = runId
    }

    /// `n` rows of the world id (a slice of a cached column; regrown when too short).
    func world(_ n: Int) -> ArrayData {
        if worldColumn == nil || worldColumn!.length < n { worldColumn = BatchBuilding.constantString(worldId, Swift.max(n, 64)) }
        return worldColumn!.sliceUnchecked(offset: 0, length: n)
    }

    func run(_ n: Int) -> ArrayData {
        if runColumn == nil || runColumn!.length < n { runColumn = BatchBuilding.constantString(runId, Swift.max(n, 64)) }
        return runColumn!.sliceUnchecked(offset: 0, length: n)
    }
}
