import Arrow
import Foundation
@testable import Parquet
import Testing

/// Every file of ../shared/parquet-testing read through the library, checked against the
/// manifest pyarrow wrote (issue 3 acceptance; store.md §11).
@Suite struct ParquetTestingConformanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/parquet-testing").standardized

    static func manifest() -> [[String: Any]] {
        guard let data = try? Data(contentsOf: root.appendingPathComponent("manifest.json")),
              let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return list
    }

    static let files: [String] = manifest().compactMap { $0["file"] as? String }

    /// Files whose pages are compressed with the deprecated Hadoop LZ4 codec.
    static let hadoopLZ4: Set<String> = []

    @Test(arguments: files)
    func fileMatchesTheManifest(file: String) throws {
        guard let entry = Self.manifest().first(where: { $0["file"] as? String == file }) else { return }
        let path = Self.root.appendingPathComponent(file).path
        let expected = entry["expected"] as? String
        let crcOK = (entry["readable_with_crc_check"] as? Bool) ?? true
        var options = ParquetReaderOptions()
        if expected == "match" && !crcOK {
            // A reader that checks CRCs must report the bad one…
            #expect(throws: ParquetError.self) { _ = try ParquetFileReader(path: path).readAll() }
            do {
                _ = try ParquetFileReader(path: path).readAll()
            } catch {
                #expect(error.description.contains("CRC"), "\(error)")
            }
            // …and read the data when not checking.
            options.verifyChecksums = false
        }
        if expected == "error" {
            do {
                _ = try ParquetFileReader(path: path, options: options).readAll()
                Issue.record("\(file): expected an error, read it successfully")
            } catch {
                #expect(!error.description.isEmpty)
                #expect(error.description.contains(path), "the error names the file: \(error)")
            }
            return
        }
        let reader = try ParquetFileReader(path: path, options: options)
        let batch = try reader.readAll()
        #expect(batch.length == entry["num_rows"] as? Int, "\(file): rows")
        #expect(reader.rowGroupCount == entry["num_row_groups"] as? Int, "\(file): row groups")
        guard let columns = entry["columns"] as? [String: Any] else { return }
        let skip = Set((entry["skip_value_check"] as? [String]) ?? [])
        let int96 = Set(reader.parquetSchema.columns.filter { $0.physicalType == .int96 }.map { $0.path[0] })
        #expect(batch.schema.fields.map(\.name).sorted() == columns.keys.sorted(), "\(file): column names")
        let plain = (entry["arrow_schema_plain"] as? String ?? "").split(separator: "\n").filter { !$0.hasPrefix(" ") }
        for (i, field) in batch.schema.fields.enumerated() {
            guard let summary = columns[field.name] as? [String: Any] else { continue }
            if i < plain.count {
                #expect(plain[i].hasSuffix(" not null") == !field.nullable, "\(file): \(field.name) nullability")
            }
            var mismatches: [String] = []
            Self.compare(batch.columns[i], summary, path: field.name, values: !skip.contains(field.name),
                         nanosAsMicros: int96.contains(field.name), into: &mismatches)
            #expect(mismatches.isEmpty, "\(file): \(mismatches.joined(separator: "; "))")
        }
    }

    // MARK: Summaries (parquet-testing README, "Column summary")

    static func number(_ any: Any?) -> String? {
        switch any {
        case let n as NSNumber: return n.stringValue
        case let s as String: return s
        default: return nil
        }
    }

    static func compare(_ a: ArrayData, _ s: [String: Any], path: String, values: Bool, nanosAsMicros: Bool, into out: inout [String]) {
        func check(_ key: String, _ ours: String?, _ theirs: Any?) {
            let t = number(theirs)
            if ours != t { out.append("\(path).\(key): ours \(ours ?? "nil"), pyarrow \(t ?? "nil")") }
        }
        var type = a.type.description
        if nanosAsMicros { type = type.replacingOccurrences(of: "timestamp[ns", with: "timestamp[us") }
        check("type", type, s["type"])
        check("null_count", String(a.nullCount), s["null_count"])
        guard values else { return }
        let valid = (0..<a.length).filter { a.isValid($0) }
        let k = a.offset
        func ints<T: BinaryInteger & BitwiseCopyable>(_: T.Type, divide: Int128 = 1) {
            let vals = valid.map { Int128(a.buffers[1]!.load(k + $0, as: T.self)) / divide }
            check("sum_exact", String(vals.reduce(0, +)), s["sum_exact"])
            check("min", vals.min().map { String($0) }, s["min"] is NSNull ? nil : s["min"])
            check("max", vals.max().map { String($0) }, s["max"] is NSNull ? nil : s["max"])
        }
        func floats(_ vals: [Double]) {
            let nans = vals.filter(\.isNaN).count
            check("nan_count", String(nans), s["nan_count"])
            let finite = vals.filter { !$0.isNaN }
            func fmt(_ v: Double?) -> String? {
                guard let v else { return nil }
                if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
                return NSNumber(value: v).stringValue
            }
            check("min", fmt(finite.min()), s["min"] is NSNull ? nil : s["min"])
            check("max", fmt(finite.max()), s["max"] is NSNull ? nil : s["max"])
            let sum = vals.reduce(0.0, +)
            if let theirs = s["sum"] as? NSNumber {
                if abs(sum - theirs.doubleValue) > 1e-9 * max(1, abs(sum)) { out.append("\(path).sum: ours \(sum), pyarrow \(theirs)") }
            } else if let theirs = s["sum"] as? String {
                check("sum", sum.isNaN ? "NaN" : (sum.isInfinite ? (sum > 0 ? "Infinity" : "-Infinity") : String(sum)), theirs)
            }
        }
        func bytesSummary() {
            var hasher = SHA256()
            var distinct = Set<[UInt8]>()
            var total = 0
            for (j, i) in valid.enumerated() {
                let b = bytes(a, i)
                if j > 0 { hasher.update([0x0A]) }
                hasher.update(b)
                distinct.insert(b)
                total += b.count
            }
            check("distinct_count", String(distinct.count), s["distinct_count"])
            check("total_bytes", String(total), s["total_bytes"])
            check("sha256", hasher.hexDigest(), s["sha256"])
        }
        switch a.type {
        case .int8: ints(Int8.self)
        case .int16: ints(Int16.self)
        case .int32, .date32, .time32: ints(Int32.self)
        case .int64, .date64, .time64, .duration: ints(Int64.self)
        case .timestamp: ints(Int64.self, divide: nanosAsMicros ? 1000 : 1)
        case .uint8: ints(UInt8.self)
        case .uint16: ints(UInt16.self)
        case .uint32: ints(UInt32.self)
        case .uint64: ints(UInt64.self)
        case .float16: floats(valid.map { Double(Float(Float16(bitPattern: a.buffers[1]!.load(k + $0, as: UInt16.self)))) })
        case .float32: floats(valid.map { Double(a.buffers[1]!.load(k + $0, as: Float.self)) })
        case .float64: floats(valid.map { a.buffers[1]!.load(k + $0, as: Double.self) })
        case .decimal128(_, let scale):
            let vals = valid.map { a.buffers[1]!.load(k + $0, as: Decimal128.self).unscaled }
            check("sum_exact", Decimal128.text(unscaled: vals.reduce(0, +), scale: scale), s["sum_exact"])
            check("min", vals.min().map { Decimal128.text(unscaled: $0, scale: scale) }, s["min"] is NSNull ? nil : s["min"])
            check("max", vals.max().map { Decimal128.text(unscaled: $0, scale: scale) }, s["max"] is NSNull ? nil : s["max"])
        case .boolean:
            let trues = valid.filter { Bitmap.get(a.buffers[1]!.baseAddress, k + $0) }.count
            check("true_count", String(trues), s["true_count"])
            check("false_count", String(valid.count - trues), s["false_count"])
        case .utf8, .largeUtf8, .binary, .largeBinary, .fixedSizeBinary:
            bytesSummary()
        case .struct(let fields):
            let kids = a.logicalChildren
            let children = s["children"] as? [String: Any] ?? [:]
            for (f, c) in zip(fields, kids) {
                // The struct's own nulls applied to the field.
                let masked = withNulls(c, andNotValidIn: a)
                if let cs = children[f.name] as? [String: Any] {
                    compare(masked, cs, path: "\(path).\(f.name)", values: true, nanosAsMicros: false, into: &out)
                }
            }
        case .list(let item), .largeList(let item), .fixedSizeList(let item, _):
            let flat = flatten(a, valid)
            check("value_count", String(flat.length), s["value_count"])
            if let cs = (s["children"] as? [String: Any])?[item.name] as? [String: Any] {
                compare(flat, cs, path: "\(path).\(item.name)", values: true, nanosAsMicros: false, into: &out)
            }
        case .map:
            let flat = flatten(a, valid)
            check("value_count", String(flat.length), s["value_count"])
            let kv = flat.logicalChildren
            let children = s["children"] as? [String: Any] ?? [:]
            if kv.count == 2 {
                if let ks = children["key"] as? [String: Any] { compare(kv[0], ks, path: "\(path).key", values: true, nanosAsMicros: false, into: &out) }
                if let vs = children["value"] as? [String: Any] { compare(kv[1], vs, path: "\(path).value", values: true, nanosAsMicros: false, into: &out) }
            }
        default:
            break
        }
    }

    static func bytes(_ a: ArrayData, _ i: Int) -> [UInt8] {
        let k = a.offset + i
        switch a.type.layout {
        case .variableBinary(4):
            let s = Int(a.buffers[1]!.load(k, as: Int32.self)), e = Int(a.buffers[1]!.load(k + 1, as: Int32.self))
            return Array(UnsafeRawBufferPointer(start: a.buffers[2]!.baseAddress + s, count: e - s))
        case .variableBinary:
            let s = Int(a.buffers[1]!.load(k, as: Int64.self)), e = Int(a.buffers[1]!.load(k + 1, as: Int64.self))
            return Array(UnsafeRawBufferPointer(start: a.buffers[2]!.baseAddress + s, count: e - s))
        case .fixedWidth(let w):
            return Array(UnsafeRawBufferPointer(start: a.buffers[1]!.baseAddress + k * w, count: w))
        default: return []
        }
    }

    /// The child values under the valid rows of a list-like array, in order.
    static func flatten(_ a: ArrayData, _ valid: [Int]) -> ArrayData {
        let bounds = ListBounds(a)
        var positions: [Int] = []
        for i in valid { let (s, e) = bounds.range(i); positions.append(contentsOf: s..<e) }
        return (try? a.children[0].take(positions)) ?? a.children[0]
    }

    /// `child` with nulls wherever `parent` is null.
    static func withNulls(_ child: ArrayData, andNotValidIn parent: ArrayData) -> ArrayData {
        guard parent.nullCount > 0 else { return child }
        let positions = (0..<child.length).map { parent.isValid($0) ? $0 : -1 }
        return (try? ValueSpreader.gather(child, positions: positions)) ?? child
    }
}
