#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Arrow

/// `archetype bench arrow`: take, filter and concatenate on a 1M-row batch, per column type
/// and on the whole batch; JSON on stdout (compared with pyarrow.compute by
/// `bench/arrow_kernels.py`, which builds the identical data from the same formulas).
///
/// Data (row `i` of `rows`):
/// - `entity_id` int32 = `i`
/// - `x` float64 = `Double(i % 1000) * 0.5`; in the `nulls` batch, null where
///   `(i * 2654435761) mod 2^32` is divisible by 10 (~10%)
/// - `flag` bool = `i % 3 == 0`
/// - `name` utf8 = `"entity-\(i % 100003)"` (8–13 bytes)
/// - take indices: 1M int32 from the 64-bit LCG `s = s * 6364136223846793005 +
///   1442695040888963407` (seed 42, advanced before each draw), index = `(s >> 33) % rows`
/// - filter mask: the same LCG with seed 7, bit = `s >> 63` (~50% true)
/// - concatenate: 10 zero-copy slices of `rows / 10` rows, concatenated into one batch
struct BenchArrowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arrow",
        abstract: "Arrow kernels (take, filter, concatenate) on a 1M-row batch; JSON on stdout."
    )

    @Option(help: "Rows in the batch.") var rows = 1_000_000
    @Option(help: "Measured trials per case (each repeats the operation for >= 20 ms).") var trials = 5
    @Option(help: "Warm-up trials per case.") var warmup = 1
    @Option(name: .customLong("write-inputs"), help: "Also write the inputs as raw little-endian files to this directory.")
    var writeInputs: String?
    @Option(help: "Time only these cases (comma-separated \"op/case\" names, e.g. \"take/utf8,filter/batch\"); \"none\" times nothing. Cases not timed report zeros.")
    var only: String?

    func run() throws {
        guard rows >= 10, rows % 10 == 0, rows <= Int(Int32.max) else { throw ValidationError("rows must be a positive multiple of 10") }
        let inputs = try BenchInputs(rows: rows)
        if let dir = writeInputs { try inputs.write(to: dir) }
        var results: [(String, [(String, Stats)])] = []
        var checks: [(String, Int)] = []

        // take
        var take: [(String, Stats)] = []
        take.append(("batch", try measure("take/batch") { try inputs.plain.take(indices: inputs.indices) }))
        take.append(("batch_nulls", try measure("take/batch_nulls") { try inputs.nulls.take(indices: inputs.indices) }))
        for (name, column) in inputs.columns {
            take.append((name, try measure("take/" + name) { try column.take(indices: inputs.indices) }))
        }
        take.append(("batch_fast_int32", try measure("take/batch_fast_int32") {
            try inputs.indexValues.withUnsafeBufferPointer { try inputs.plain.take($0) }
        }))
        results.append(("take", take))
        let taken = try inputs.nulls.take(indices: inputs.indices)
        checks += checksums("take", taken)

        // filter
        var filter: [(String, Stats)] = []
        filter.append(("batch", try measure("filter/batch") { try inputs.plain.filter(mask: inputs.mask) }))
        filter.append(("batch_nulls", try measure("filter/batch_nulls") { try inputs.nulls.filter(mask: inputs.mask) }))
        for (name, column) in inputs.columns {
            filter.append((name, try measure("filter/" + name) { try column.filter(mask: inputs.mask) }))
        }
        results.append(("filter", filter))
        checks += checksums("filter", try inputs.nulls.filter(mask: inputs.mask))

        // concatenate
        let step = rows / 10
        let plainSlices = try (0..<10).map { try inputs.plain.slice(offset: $0 * step, length: step) }
        let nullSlices = try (0..<10).map { try inputs.nulls.slice(offset: $0 * step, length: step) }
        var concat: [(String, Stats)] = []
        concat.append(("batch", try measure("concatenate/batch") { try RecordBatch.concatenate(plainSlices) }))
        concat.append(("batch_nulls", try measure("concatenate/batch_nulls") { try RecordBatch.concatenate(nullSlices) }))
        for (name, column) in inputs.columns {
            let parts = try (0..<10).map { try column.slice(offset: $0 * step, length: step) }
            concat.append((name, try measure("concatenate/" + name) { try ArrayData.concatenate(parts) }))
        }
        results.append(("concatenate", concat))
        let joined = try RecordBatch.concatenate(nullSlices)
        checks += checksums("concatenate", joined)
        checks.append(("concatenate_equal", joined == inputs.nulls ? 1 : 0))

        print(json(results: results, checks: checks))
    }

    struct Stats {
        var median: Double, min: Double, max: Double, reps: Int
    }

    func measure(_ name: String = "", _ body: () throws -> Any) throws -> Stats {
        if let only, !only.split(separator: ",").contains(where: { $0 == name }) { return Stats(median: 0, min: 0, max: 0, reps: 0) }
        // Calibrate on a second call (the first one pays for first-touch page faults): each
        // trial repeats the operation so that it lasts >= 20 ms. Results are dropped inside the
        // loop, so their deallocation is timed too, as on the pyarrow side.
        withExtendedLifetime(try body()) {}
        var start = now()
        withExtendedLifetime(try body()) {}
        let single = Swift.max(now() - start, 1e-7)
        let reps = Swift.max(1, Swift.min(1000, Int(0.02 / single)))
        var times: [Double] = []
        for t in 0..<(warmup + trials) {
            start = now()
            for _ in 0..<reps { withExtendedLifetime(try body()) {} }
            let end = now()
            if t >= warmup { times.append((end - start) / Double(reps)) }
        }
        times.sort()
        return Stats(median: times[times.count / 2], min: times.first!, max: times.last!, reps: reps)
    }

    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Values Python recomputes from pyarrow's results to show both sides agree.
    func checksums(_ prefix: String, _ b: RecordBatch) -> [(String, Int)] {
        var idSum = 0, xNulls = 0, xSum = 0.0, flags = 0, nameBytes = 0
        if let ids = try? Int32Array(b.columns[0]) { ids.withUnsafeValues { for v in $0 { idSum &+= Int(v) } } }
        if let x = try? Float64Array(b.columns[1]) {
            xNulls = x.nullCount
            for i in 0..<x.length where x.isValid(i) { xSum += x.value(at: i) }
        }
        if let f = try? BooleanArray(b.columns[2]) { flags = f.trueCount }
        if let n = try? StringArray(b.columns[3]) { for i in 0..<n.length { nameBytes &+= n.valueLength(at: i) } }
        return [("\(prefix)_rows", b.length), ("\(prefix)_entity_id_sum", idSum), ("\(prefix)_x_nulls", xNulls),
                ("\(prefix)_x_sum_x2", Int(xSum * 2)), ("\(prefix)_flag_true", flags), ("\(prefix)_name_bytes", nameBytes)]
    }

    func json(results: [(String, [(String, Stats)])], checks: [(String, Int)]) -> String {
        func num(_ d: Double) -> String { String(format9(d)) }
        var out = "{\n  \"rows\": \(rows),\n  \"trials\": \(trials),\n  \"warmup\": \(warmup),\n  \"unit\": \"seconds\",\n  \"results\": {\n"
        out += results.map { op, cases in
            "    \"\(op)\": {\n" + cases.map { name, s in
                "      \"\(name)\": {\"median\": \(num(s.median)), \"min\": \(num(s.min)), \"max\": \(num(s.max)), \"reps\": \(s.reps)}"
            }.joined(separator: ",\n") + "\n    }"
        }.joined(separator: ",\n")
        out += "\n  },\n  \"checksums\": {\n"
        out += checks.map { "    \"\($0.0)\": \($0.1)" }.joined(separator: ",\n")
        out += "\n  }\n}"
        return out
    }

    /// A decimal rendering with 9 significant digits (no Foundation).
    func format9(_ d: Double) -> String {
        var buf = [CChar](repeating: 0, count: 64)
        let n = withVaList([d]) { vsnprintf(&buf, 64, "%.9g", $0) }
        return String(decoding: buf.prefix(Int(Swift.max(0, Swift.min(n, 63)))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The benchmark inputs, built from the documented formulas.
struct BenchInputs {
    let rows: Int
    let plain: RecordBatch
    let nulls: RecordBatch
    let columns: [(String, ArrayData)]
    let indexValues: [Int32]
    let indices: ArrayData
    let mask: ArrayData
    let maskValues: [Bool]
    let xValid: [Bool]

    static func lcg(_ s: inout UInt64) -> UInt64 {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return s
    }

    init(rows n: Int) throws {
        rows = n
        let ids = PrimitiveBuilder<Int32>(capacity: n)
        let x = PrimitiveBuilder<Double>(capacity: n)
        let xn = PrimitiveBuilder<Double>(capacity: n)
        let flag = BooleanBuilder(capacity: n)
        let name = StringBuilder(capacity: n, byteCapacity: n * 13)
        var valid = [Bool]()
        valid.reserveCapacity(n)
        for i in 0..<n {
            ids.append(Int32(i))
            let v = Double(i % 1000) * 0.5
            x.append(v)
            let isValid = ((UInt64(i) &* 2654435761) & 0xFFFF_FFFF) % 10 != 0
            valid.append(isValid)
            xn.append(isValid ? v : nil)
            flag.append(i % 3 == 0)
            name.append("entity-\(i % 100003)")
        }
        xValid = valid
        let idCol = try ids.finish(), xCol = try x.finish(), xnCol = try xn.finish()
        let flagCol = try flag.finish(), nameCol = try name.finish()
        let fields = [Field("entity_id", .int32, nullable: false), Field("x", .float64), Field("flag", .boolean), Field("name", .utf8)]
        plain = try RecordBatch(schema: Schema(fields), columns: [idCol, xCol, flagCol, nameCol])
        nulls = try RecordBatch(schema: Schema(fields), columns: [idCol, xnCol, flagCol, nameCol])
        columns = [("int32", idCol), ("float64", xCol), ("float64_nulls", xnCol), ("bool", flagCol), ("utf8", nameCol)]

        var s: UInt64 = 42
        var idx = [Int32]()
        idx.reserveCapacity(n)
        for _ in 0..<n { idx.append(Int32((BenchInputs.lcg(&s) >> 33) % UInt64(n))) }
        indexValues = idx
        indices = ArrayData.from(idx)
        var m: UInt64 = 7
        var bits = [Bool]()
        bits.reserveCapacity(n)
        for _ in 0..<n { bits.append(BenchInputs.lcg(&m) >> 63 == 1) }
        maskValues = bits
        mask = ArrayData.from(bits)
    }

    /// Raw little-endian files: `entity_id.i32`, `x.f64`, `x_valid.u8` (one byte per row),
    /// `flag.u8`, `name.offsets.i32`, `name.data`, `take_indices.i32`, `filter_mask.u8`.
    func write(to dir: String) throws {
        mkdir(dir, 0o755)
        func put(_ file: String, _ bytes: UnsafeRawBufferPointer) throws {
            guard let f = fopen(dir + "/" + file, "wb") else { throw ValidationError("cannot write \(dir)/\(file)") }
            defer { fclose(f) }
            guard fwrite(bytes.baseAddress, 1, bytes.count, f) == bytes.count else { throw ValidationError("short write to \(file)") }
        }
        let cols = plain.columns
        try cols[0].buffers[1]!.withUnsafeBytes { try put("entity_id.i32", UnsafeRawBufferPointer(rebasing: $0[0..<rows * 4])) }
        try cols[1].buffers[1]!.withUnsafeBytes { try put("x.f64", UnsafeRawBufferPointer(rebasing: $0[0..<rows * 8])) }
        try xValid.map { UInt8($0 ? 1 : 0) }.withUnsafeBytes { try put("x_valid.u8", $0) }
        let flags = try BooleanArray(cols[2])
        try (0..<rows).map { UInt8(flags.value(at: $0) ? 1 : 0) }.withUnsafeBytes { try put("flag.u8", $0) }
        try cols[3].buffers[1]!.withUnsafeBytes { try put("name.offsets.i32", UnsafeRawBufferPointer(rebasing: $0[0..<(rows + 1) * 4])) }
        try cols[3].buffers[2]!.withUnsafeBytes { try put("name.data", $0) }
        try indexValues.withUnsafeBytes { try put("take_indices.i32", $0) }
        try maskValues.map { UInt8($0 ? 1 : 0) }.withUnsafeBytes { try put("filter_mask.u8", $0) }
    }
}
