import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A source of record batches for an exported stream: returns the next batch, nil at the end,
/// or throws.
public typealias RecordBatchProducer = () throws(ArrowError) -> RecordBatch?

/// The state behind an exported `ArrowArrayStream`. Not thread-safe: the C Stream Interface
/// allows one consumer at a time.
final class ExportedStreamPrivate {
    let schema: Schema
    var next: RecordBatchProducer?
    var lastError: UnsafeMutablePointer<CChar>?

    init(schema: Schema, next: @escaping RecordBatchProducer) {
        self.schema = schema
        self.next = next
        ArrowMemory.exportCreated()
    }

    deinit {
        free(lastError)
        ArrowMemory.exportReleased()
    }

    func fail(_ error: ArrowError) -> Int32 {
        free(lastError)
        lastError = CDataStrings.duplicate(error.message)
        switch error.kind {
        case .invalidData, .invalidFormat, .invalidUTF8, .schemaMismatch, .unsupportedType, .released: return EINVAL
        case .capacityExceeded: return ENOMEM
        default: return EIO
        }
    }
}

private func streamPrivate(_ stream: UnsafeMutablePointer<ArrowArrayStream>?) -> ExportedStreamPrivate? {
    guard let stream, stream.pointee.release != nil, let p = stream.pointee.private_data else { return nil }
    return Unmanaged<ExportedStreamPrivate>.fromOpaque(p).takeUnretainedValue()
}

private func streamGetSchema(_ stream: UnsafeMutablePointer<ArrowArrayStream>?, _ out: UnsafeMutablePointer<ArrowSchema>?) -> Int32 {
    guard let state = streamPrivate(stream), let out else { return EINVAL }
    CDataInterface.exportSchema(state.schema, to: out)
    return 0
}

private func streamGetNext(_ stream: UnsafeMutablePointer<ArrowArrayStream>?, _ out: UnsafeMutablePointer<ArrowArray>?) -> Int32 {
    guard let state = streamPrivate(stream), let out else { return EINVAL }
    do {
        // Zero-row batches are skipped: consumers see only batches with rows.
        while let producer = state.next {
            guard let batch = try producer() else { break }
            if batch.length == 0 { continue }
            CDataInterface.exportRecordBatchArray(batch, to: out)
            return 0
        }
        state.next = nil
        out.pointee.release = nil   // end of stream
        return 0
    } catch {
        state.next = nil
        return state.fail(error)
    }
}

private func streamGetLastError(_ stream: UnsafeMutablePointer<ArrowArrayStream>?) -> UnsafePointer<CChar>? {
    guard let state = streamPrivate(stream) else { return nil }
    return state.lastError.map { UnsafePointer($0) }
}

private func streamRelease(_ stream: UnsafeMutablePointer<ArrowArrayStream>?) {
    guard let stream, stream.pointee.release != nil else { return }
    if let p = stream.pointee.private_data { Unmanaged<ExportedStreamPrivate>.fromOpaque(p).release() }
    stream.pointee.release = nil
    stream.pointee.private_data = nil
}

extension CDataInterface {
    /// Exports a stream of batches with `schema` into the caller's empty struct `out`.
    ///
    /// `next` is called lazily from `get_next`, on the consumer's thread; it must produce batches
    /// whose schema equals `schema` (field metadata included). Zero-row batches are skipped.
    /// An error thrown by `next` ends the stream: `get_next` returns `EINVAL` (malformed data) or
    /// `EIO` (anything else) and `get_last_error` describes it.
    public static func exportStream(schema: Schema, to out: UnsafeMutablePointer<ArrowArrayStream>, next: @escaping RecordBatchProducer) {
        let state = ExportedStreamPrivate(schema: schema, next: next)
        out.initialize(to: ArrowArrayStream(
            get_schema: streamGetSchema,
            get_next: streamGetNext,
            get_last_error: streamGetLastError,
            release: streamRelease,
            private_data: Unmanaged.passRetained(state).toOpaque()
        ))
    }

    /// Exports a fixed list of batches as a stream.
    public static func exportStream(schema: Schema, batches: [RecordBatch], to out: UnsafeMutablePointer<ArrowArrayStream>) {
        var iterator = batches.makeIterator()
        exportStream(schema: schema, to: out) { () throws(ArrowError) -> RecordBatch? in iterator.next() }
    }

    /// The array half of ``exportRecordBatch(_:array:schema:)``.
    static func exportRecordBatchArray(_ batch: RecordBatch, to out: UnsafeMutablePointer<ArrowArray>) {
        exportArray(batch.asStructArray(), to: out)
    }

    /// Moves a foreign `ArrowArrayStream` into a Swift reader. The caller's struct is left
    /// released whatever the outcome; the reader releases the stream when it is dropped.
    public static func importStream(_ stream: UnsafeMutablePointer<ArrowArrayStream>) throws(ArrowError) -> CStreamReader {
        guard stream.pointee.release != nil else { throw ArrowError(.released, "stream struct is already released") }
        return try CStreamReader(moving: stream)
    }
}

/// Reads record batches from a foreign `ArrowArrayStream` that was moved into Swift.
///
/// Not thread-safe (one reader at a time, as the C Stream Interface requires). Every batch is
/// validated and checked against the stream's schema.
public final class CStreamReader {
    let stream: UnsafeMutablePointer<ArrowArrayStream>
    /// The schema of every batch in the stream.
    public let schema: Schema
    private var finished = false

    init(moving source: UnsafeMutablePointer<ArrowArrayStream>) throws(ArrowError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: source.pointee)
        source.pointee.release = nil
        ArrowMemory.importCreated()
        do {
            schema = try CStreamReader.readSchema(stream)
        } catch {
            CStreamReader.releaseStream(stream)
            throw error
        }
    }

    deinit { CStreamReader.releaseStream(stream) }

    private static func releaseStream(_ stream: UnsafeMutablePointer<ArrowArrayStream>) {
        if let release = stream.pointee.release { release(stream) }
        stream.deallocate()
        ArrowMemory.importReleased()
    }

    private static func producerError(_ stream: UnsafeMutablePointer<ArrowArrayStream>, _ what: String, _ code: Int32) -> ArrowError {
        var detail = "error \(code)"
        if let get = stream.pointee.get_last_error, let msg = get(stream) {
            detail = (try? CDataStrings.read(msg, "stream error")) ?? detail
        }
        return ArrowError(.streamError, "stream \(what) failed: \(detail)")
    }

    private static func readSchema(_ stream: UnsafeMutablePointer<ArrowArrayStream>) throws(ArrowError) -> Schema {
        guard let getSchema = stream.pointee.get_schema else { throw ArrowError(.invalidData, "stream has no get_schema callback") }
        var c = ArrowSchema()
        let rc = getSchema(stream, &c)
        guard rc == 0 else {
            if c.release != nil { c.release?(&c) }
            throw producerError(stream, "get_schema", rc)
        }
        return try CDataInterface.importSchema(&c)
    }

    /// The next batch, or nil at the end of the stream.
    public func next() throws(ArrowError) -> RecordBatch? {
        guard !finished else { return nil }
        guard let getNext = stream.pointee.get_next else { throw ArrowError(.invalidData, "stream has no get_next callback") }
        var c = ArrowArray()
        let rc = getNext(stream, &c)
        guard rc == 0 else {
            finished = true
            if c.release != nil { c.release?(&c) }
            throw CStreamReader.producerError(stream, "get_next", rc)
        }
        guard c.release != nil else {
            finished = true
            return nil
        }
        let type = DataType.struct(schema.fields)
        let data = try CDataInterface.importArray(&c, type: type)
        guard data.nullCount == 0 else { throw ArrowError(.invalidData, "a record batch struct array must not have top-level nulls") }
        return try RecordBatch(structArray: data, metadata: schema.metadata)
    }

    /// Reads every remaining batch.
    public func readAll() throws(ArrowError) -> [RecordBatch] {
        var out: [RecordBatch] = []
        while let b = try next() { out.append(b) }
        return out
    }
}
