import Arrow

/// What a processor is told about the batch it transforms.
public struct ProcessorContext: Sendable {
    public var worldId: String
    public var runId: String
    /// The tick being produced.
    public var tick: Int32
    public var table: String

    public init(worldId: String, runId: String, tick: Int32, table: String) {
        self.worldId = worldId
        self.runId = runId
        self.tick = tick
        self.table = table
    }
}

/// A transformation applied to every eligible table each tick (engine.md §8.1).
///
/// A processor must keep the schema, the row count, the `entity_id` sequence and the
/// `is_active` values (§8.3); the world checks that after every call.
public protocol Processor: Sendable {
    /// Used in errors and profiles.
    var name: String { get }
    /// Lower runs first; ties keep insertion order.
    var priority: Int32 { get }
    /// The columns it needs; tables lacking any are skipped silently.
    var requiredColumns: [String] { get }
    /// Transforms `batch` (the table's prior rows, tombstones applied).
    func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch
}

/// The movement kernel as a processor: `position += velocity * dt`, priority 10 (§8.4).
public struct MovementProcessor: Processor {
    public let dt: Double
    public var name: String { "movement" }
    public var priority: Int32 { 10 }
    public var requiredColumns: [String] { MovementKernel.requiredColumns }

    /// - Throws: `invalidArgument` when `dt` is not finite.
    public init(dt: Double = 1.0) throws(ArchetypeError) {
        guard dt.isFinite else { throw .invalidArgument("movement dt must be finite, got \(dt)") }
        self.dt = dt
    }

    public func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch {
        do {
            return try MovementKernel.process(batch, dt: dt)
        } catch {
            switch error {
            case .missingColumn(let c): throw ArchetypeError.missingColumn(table: context.table, column: c)
            case .columnTypeMismatch(let c):
                let actual = batch.column(named: c).map { "\($0.type)" } ?? "?"
                throw ArchetypeError.columnTypeMismatch(table: context.table, column: c, expected: "double", actual: actual)
            case .invalidBatch(let d): throw ArchetypeError.internal(d)
            }
        }
    }
}

/// The processor contract (engine.md §8.3): the checks run after every processor call and on
/// split-step commit. Returns a violation detail, or nil.
enum ProcessorContract {
    ///
    /// - Parameter validated: the output's columns were validated completely on the way in (a
    ///   split-step commit imports them so), so the per-column checks would repeat that.
    static func violation(input: RecordBatch, output: RecordBatch, validated: Bool = false) -> String? {
        if !output.schema.equalsIgnoringMetadata(input.schema) {
            for (a, b) in zip(input.schema.fields, output.schema.fields) where !a.equalsIgnoringMetadata(b) {
                return "schema changed: \(a.name) \(a.type)\(a.nullable ? "" : " not null") → \(b.name) \(b.type)\(b.nullable ? "" : " not null")"
            }
            return "schema changed: \(input.schema.fields.count) → \(output.schema.fields.count) fields"
        }
        if output.length != input.length { return "row count \(input.length) → \(output.length)" }
        let n = input.length
        // The schemas are equal: a column has the same index in both.
        let entity = baseColumn(2, "entity_id", in: input.schema), active = baseColumn(4, "is_active", in: input.schema)
        if let k = entity, case let (i, o) = (input.columns[k], output.columns[k]), !sameBuffers(i, o) {
            for r in 0..<n where i.buffers[1]!.load(i.offset + r, as: Int32.self) != o.buffers[1]!.load(o.offset + r, as: Int32.self) || o.isNull(r) {
                return "entity_id differs at row \(r)"
            }
        }
        if let k = active, case let (i, o) = (input.columns[k], output.columns[k]), !sameBuffers(i, o) {
            for r in 0..<n where Bitmap.get(i.buffers[1]!.baseAddress, i.offset + r) != Bitmap.get(o.buffers[1]!.baseAddress, o.offset + r) || o.isNull(r) {
                return "is_active differs at row \(r)"
            }
        }
        if validated { return nil }
        for (f, c) in zip(output.schema.fields, output.columns) {
            if !f.nullable && c.nullCount > 0 { return "null in non-nullable \(f.name)" }
            if case .struct = f.type, (try? c.validate()) == nil { return "invalid or null-carrying nested column \(f.name)" }
            if case .list = f.type, (try? c.validate()) == nil { return "invalid or null-carrying nested column \(f.name)" }
        }
        return nil
    }

    /// The index of the base column `name`: `position` in a table's schema (``BaseColumns``),
    /// looked up by name otherwise.
    static func baseColumn(_ position: Int, _ name: String, in schema: Schema) -> Int? {
        if position < schema.fields.count, schema.fields[position].name.hasSameBytes(as: name) { return position }
        return schema.index(of: name)
    }

    /// Pointer equality of the values (fast path for unchanged columns).
    static func sameBuffers(_ a: ArrayData, _ b: ArrayData) -> Bool {
        a.offset == b.offset && a.length == b.length && a.buffers.count == b.buffers.count
            && zip(a.buffers, b.buffers).allSatisfy { x, y in x?.baseAddress == y?.baseAddress }
    }
}
