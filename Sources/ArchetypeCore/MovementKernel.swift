import Arrow

/// The movement kernel (engine.md §8.4): `position += velocity * dt` on the four movement
/// columns, computed as multiply-round-add-round (no fused multiply-add), nulls propagated.
public enum MovementKernel {
    /// The required columns, in the order they are checked.
    public static let requiredColumns = ["position__x", "position__y", "velocity__dx", "velocity__dy"]

    /// Why the strict entry refused a batch.
    public enum Failure: Error, Equatable, Sendable {
        /// A required column is absent.
        case missingColumn(String)
        /// A required column is not float64.
        case columnTypeMismatch(String)
        /// The batch is internally inconsistent (a column without its values buffer).
        case invalidBatch(String)
    }

    /// The strict one-shot entry (`movementProcess(batch, dt)`): checks the required columns in
    /// order, then returns the batch with both position columns replaced. Other columns are
    /// shared unchanged. `dt` is used as given.
    ///
    /// - Complexity: O(*rows*), vectorisable loops over the value buffers.
    public static func process(_ batch: RecordBatch, dt: Double) throws(Failure) -> RecordBatch {
        var columns: [ArrayData] = []
        for name in requiredColumns {
            guard let c = batch.column(named: name) else { throw .missingColumn(name) }
            guard c.type == .float64 else { throw .columnTypeMismatch(name) }
            guard c.buffers.count == 2, let values = c.buffers[1], values.count >= (c.offset + c.length) * 8 else {
                throw .invalidBatch("column \(name) has no values buffer")
            }
            columns.append(c)
        }
        let x = advance(columns[0], by: columns[2], dt: dt, rows: batch.length)
        let y = advance(columns[1], by: columns[3], dt: dt, rows: batch.length)
        var fields = batch.schema.fields
        var out = batch.columns
        for (name, column) in [("position__x", x), ("position__y", y)] {
            guard let i = batch.schema.index(of: name) else { throw .missingColumn(name) }
            out[i] = column
            // A null can only land here through a null velocity; the field must admit it.
            if column.nullCount > 0 { fields[i].nullable = true }
        }
        do {
            return try RecordBatch(schema: Schema(fields, metadata: batch.schema.metadata), columns: out, length: batch.length)
        } catch {
            throw .invalidBatch(error.message)
        }
    }

    /// `position + velocity * dt` element-wise, validity = both validities.
    static func advance(_ position: ArrayData, by velocity: ArrayData, dt: Double, rows: Int) -> ArrayData {
        let result = MutableBuffer(capacity: rows * 8)
        result.appendZeros(rows * 8)
        // process() checked that both values buffers exist and are long enough.
        let p = position.buffers[1]!.baseAddress.assumingMemoryBound(to: Double.self) + position.offset
        let v = velocity.buffers[1]!.baseAddress.assumingMemoryBound(to: Double.self) + velocity.offset
        result.withUnsafeMutableValues(as: Double.self) { out in
            for i in 0..<rows {
                let step = v[i] * dt
                out[i] = p[i] + step
            }
        }
        let validity = Bitmap.intersection(position, velocity, length: rows)
        return ArrayData(unchecked: .float64, length: rows, nullCount: -1, buffers: [validity, result.finish()])
    }
}
