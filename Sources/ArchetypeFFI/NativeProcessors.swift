import ArchetypeCore
import Arrow
import CArrowABI

/// The movement kernel as a world processor with the priority and label of its spec.
struct MovementSpecProcessor: Processor {
    let dt: Double
    let name: String
    let priority: Int32
    var requiredColumns: [String] { MovementKernel.requiredColumns }

    func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch {
        try NativeProcessorKinds.movement(batch, dt: dt, table: context.table)
    }
}

/// The registry of native processor kinds (c-abi.md §8.5): a kind number, its name and how a
/// spec becomes a processor. New kinds are added here (a non-breaking change, §2.3).
enum NativeProcessorKinds {
    /// Validates a spec (struct size, flags, kind, label, kind-specific fields) and builds the
    /// processor it describes.
    static func make(_ p: UnsafePointer<arct_processor_spec>) throws(FFIError) -> any Processor {
        try CArgument.checkStructSize(p.pointee.struct_size, minimum: MemoryLayout<arct_processor_spec>.size, "spec")
        let spec = p.pointee
        let label = try CArgument.optionalString(spec.label, "label")
        guard spec.flags == 0 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "spec.flags has unknown bits \(spec.flags)") }
        switch spec.kind {
        case ARCT_PROCESSOR_MOVEMENT:
            guard spec.dt.isFinite else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "movement dt must be finite, got \(spec.dt)") }
            return MovementSpecProcessor(dt: spec.dt, name: label ?? "movement", priority: spec.priority)
        default:
            throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "spec.kind \(spec.kind) is unknown")
        }
    }

    /// The movement kernel with the world's errors: a missing or mistyped column is a schema
    /// mismatch (300); a null reaching a non-nullable position column too.
    static func movement(_ batch: RecordBatch, dt: Double, table: String) throws(ArchetypeError) -> RecordBatch {
        let out: RecordBatch
        do {
            out = try MovementKernel.process(batch, dt: dt)
        } catch {
            switch error {
            case .missingColumn(let c): throw .schemaMismatch(table: table, detail: "missing required column \(c)")
            case .columnTypeMismatch(let c):
                let actual = batch.column(named: c).map { "\($0.type)" } ?? "?"
                throw .columnTypeMismatch(table: table, column: c, expected: "double", actual: actual)
            case .invalidBatch(let d): throw .internal(d)
            }
        }
        // The output keeps the input's schema: a null velocity cannot land in a position
        // column that admits no nulls.
        for (f, g) in zip(batch.schema.fields, out.schema.fields) where !f.nullable && g.nullable {
            throw .nullInNonNullable(table: table, column: f.name)
        }
        return out
    }
}

@c @implementation
public func arct_world_add_processor(
    _ world: OpaquePointer?, _ spec: UnsafePointer<arct_processor_spec>?, _ outProcessorId: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    let function = "arct_world_add_processor"
    return ffiCall(function) { () throws(FFIError) in
        guard let spec, let outProcessorId else { throw FFIError(ARCT_ERR_NULL_POINTER, "spec and out_processor_id are required") }
        try WorldRegistry.with(function, world) { (h, _) throws(FFIError) in
            let p = try NativeProcessorKinds.make(spec)
            try h.checkMutable()
            do throws(ArchetypeError) { outProcessorId.pointee = try h.world.addProcessor(p) } catch { throw FFIError(error) }
        }
    }
}

@c @implementation
public func arct_world_remove_processor(_ world: OpaquePointer?, _ processorId: UInt64) -> Int32 {
    let function = "arct_world_remove_processor"
    return ffiCall(function) { () throws(FFIError) in
        try WorldRegistry.with(function, world) { (h, _) throws(FFIError) in
            try h.checkMutable()
            do throws(ArchetypeError) { try h.world.removeProcessor(processorId) } catch { throw FFIError(error) }
        }
    }
}

@c @implementation
public func arct_processor_apply(
    _ spec: UnsafePointer<arct_processor_spec>?,
    _ inArray: UnsafeMutablePointer<ArrowArray>?, _ inSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ tick: Int32
) -> Int32 {
    let input = MovedBatch(inArray, inSchema)
    return withExtendedLifetime(input) {
        ffiCall("arct_processor_apply") { () throws(FFIError) in
            guard let spec, let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "spec, in_array and in_schema are required") }
            try checkOutputs(outArray, outSchema)
            let p = try NativeProcessorKinds.make(spec)
            let batch = try input.importEngineBatch()
            // Strict (§8.5): a missing required column is an error, not a skip.
            let names = Set(batch.schema.fields.map(\.name))
            if let missing = p.requiredColumns.first(where: { !names.contains($0) }) {
                throw FFIError(ARCT_ERR_SCHEMA_MISMATCH, "missing required column \(missing)")
            }
            let context = ProcessorContext(worldId: "", runId: "", tick: tick, table: "")
            let out: RecordBatch
            do {
                out = try p.process(batch, context: context)
            } catch let e as ArchetypeError {
                throw FFIError(e)
            } catch {
                throw FFIError(ARCT_ERR_ARROW, "processor \(p.name) failed: \(error)")
            }
            CDataInterface.exportRecordBatch(out, array: outArray!, schema: outSchema!)
        }
    }
}
