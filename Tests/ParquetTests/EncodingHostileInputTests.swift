import Arrow
@testable import Parquet
import Testing

/// Mutated and random page bodies through every decoder: each call returns values or throws a
/// `ParquetError`; none may trap (these tests run in debug builds, with overflow checks on).
@Suite struct EncodingHostileInputTests {
    typealias S = EncodingTestSupport

    enum Target: CaseIterable {
        case int32Plain, int64Delta, int32Delta, doubleBSS, flbaBSS, flbaDeltaByteArray, int96Plain, int32Dictionary, flba12Dictionary
        case bytesPlain, bytesDeltaLength, bytesDeltaByteArray, bytesDictionary, boolPlain, boolRLE, levelsV1, levelsV2

        var typeAndEncoding: (PhysicalType, Int, Encoding) {
            switch self {
            case .int32Plain: (.int32, 0, .plain)
            case .int64Delta: (.int64, 0, .deltaBinaryPacked)
            case .int32Delta: (.int32, 0, .deltaBinaryPacked)
            case .doubleBSS: (.double, 0, .byteStreamSplit)
            case .flbaBSS: (.fixedLenByteArray, 5, .byteStreamSplit)
            case .flbaDeltaByteArray: (.fixedLenByteArray, 4, .deltaByteArray)
            case .int96Plain: (.int96, 0, .plain)
            case .int32Dictionary: (.int32, 0, .rleDictionary)
            case .flba12Dictionary: (.fixedLenByteArray, 12, .rleDictionary)
            case .bytesPlain: (.byteArray, 0, .plain)
            case .bytesDeltaLength: (.byteArray, 0, .deltaLengthByteArray)
            case .bytesDeltaByteArray: (.byteArray, 0, .deltaByteArray)
            case .bytesDictionary: (.byteArray, 0, .rleDictionary)
            case .boolPlain: (.boolean, 0, .plain)
            case .boolRLE: (.boolean, 0, .rle)
            case .levelsV1, .levelsV2: (.int32, 0, .rle)
            }
        }
    }

    /// A valid page body for `target` holding `n` values.
    static func validPage(_ target: Target, _ n: Int, _ rng: inout SeededRNG) -> [UInt8] {
        let sink = MutableBuffer()
        switch target {
        case .int32Plain, .int96Plain:
            let w = target == .int96Plain ? 12 : 4
            return (0..<(n * w)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case .int64Delta:
            (0..<n).map { _ in Int64(rng.next() % 1000) }.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: sink) }
        case .int32Delta:
            (0..<n).map { _ in Int32(truncatingIfNeeded: rng.next()) }.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: sink) }
        case .doubleBSS:
            (0..<n).map { _ in Double(rng.next() % 100) }.withUnsafeBytes { ByteStreamSplitEncoder.encode($0.baseAddress!, count: n, byteWidth: 8, into: sink) }
        case .flbaBSS:
            (0..<(n * 5)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }.withUnsafeBytes { ByteStreamSplitEncoder.encode($0.baseAddress ?? UnsafeRawPointer(sink.baseAddress), count: n, byteWidth: 5, into: sink) }
        case .flbaDeltaByteArray:
            (0..<(n * 4)).map { _ in UInt8(rng.next() % 2) }.withUnsafeBytes { DeltaByteArrayEncoder.encodeFixedLength($0.baseAddress ?? UnsafeRawPointer(sink.baseAddress), count: n, width: 4, into: sink) }
        case .int32Dictionary, .flba12Dictionary, .bytesDictionary:
            (0..<n).map { _ in UInt32(rng.next() % 5) }.withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: 3, into: sink) }
        case .bytesPlain, .bytesDeltaLength, .bytesDeltaByteArray:
            let (offsets, data) = S.arrow(S.randomStrings(n, &rng))
            offsets.withUnsafeBufferPointer { o in
                data.withUnsafeBytes { d in
                    switch target {
                    case .bytesPlain: PlainEncoder.encodeByteArrays(offsets: o, data: d.baseAddress!, into: sink)
                    case .bytesDeltaLength: DeltaLengthByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, into: sink)
                    default: DeltaByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, into: sink)
                    }
                }
            }
        case .boolPlain, .boolRLE:
            let bits = (0..<(n / 8 + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if target == .boolPlain { return bits }
            bits.withUnsafeBytes { RLEHybridEncoder.encodeBooleans(bits: $0.baseAddress!, offset: 0, count: n, into: sink) }
        case .levelsV1, .levelsV2:
            (0..<n).map { _ in Int16(rng.next() % 4) }.withUnsafeBufferPointer {
                RLEHybridEncoder.encodeLevels($0, maxLevel: 3, lengthPrefix: target == .levelsV1, into: sink)
            }
        }
        return S.bytes(sink)
    }

    static let int32Dictionary = FixedWidthDictionary(values: ArrowBuffer(values: [Int32](0..<6)), count: 6, byteWidth: 4)
    static let flba12Dictionary = FixedWidthDictionary(values: ArrowBuffer(values: [UInt8](repeating: 1, count: 12 * 6)), count: 6, byteWidth: 12)
    static let bytesDictionary: ByteArrayDictionary = {
        var page = [UInt8]()
        for s in ["", "a", "bb", "ccc", "dddd", "eeeee"] { page += EncodingTestSupport.raw([UInt32(s.utf8.count)]) + Array(s.utf8) }
        return try! page.withUnsafeBytes { try ByteArrayDictionary(plain: $0, count: 6) }
    }()

    /// Decodes up to `n` values of `page` in batches; returns whether it threw.
    @discardableResult
    static func decode(_ target: Target, _ page: [UInt8], _ n: Int, _ rng: inout SeededRNG) -> Bool {
        let (type, length, encoding) = target.typeAndEncoding
        var batches = [Int]()
        var left = n
        while left > 0 {
            let k = Swift.min(left, Int(rng.next() % 100) + 1)
            batches.append(k)
            left -= k
        }
        do {
            try S.withExactBytes(page) { (data) throws(ParquetError) in
                switch target {
                case .bytesPlain, .bytesDeltaLength, .bytesDeltaByteArray, .bytesDictionary:
                    var d = try ByteArrayValueDecoder(encoding: encoding, data: data, valueCount: n, dictionary: bytesDictionary)
                    let out = ByteArrayOutput(offsets: MutableBuffer(), data: MutableBuffer(), byteLimit: 1 << 24)
                    for k in batches { try d.decode(k, into: out) }
                case .boolPlain, .boolRLE:
                    var d = try BooleanValueDecoder(encoding: encoding, data: data, valueCount: n)
                    var b = BitmapBuilder()
                    for k in batches { try d.decode(k, into: &b) }
                case .levelsV1, .levelsV2:
                    var d = target == .levelsV1 ? try LevelDecoder(v1: data, maxLevel: 3) : try LevelDecoder(v2: data, maxLevel: 3)
                    let out = MutableBuffer()
                    for k in batches { try d.decode(k, appendingTo: out) }
                default:
                    let dictionary = target == .flba12Dictionary ? flba12Dictionary : int32Dictionary
                    var d = try FixedWidthValueDecoder(physicalType: type, typeLength: length, encoding: encoding, data: data, valueCount: n, dictionary: dictionary)
                    let out = MutableBuffer()
                    for k in batches { try d.decode(k, appendingTo: out) }
                }
            }
            return false
        } catch {
            return true
        }
    }

    @Test(arguments: Target.allCases)
    func validPagesDecode(target: Target) {
        var rng = SeededRNG(seed: 1)
        for n in [0, 1, 9, 129, 700] {
            let page = Self.validPage(target, n, &rng)
            #expect(!Self.decode(target, page, n, &rng), "\(target) n \(n)")
        }
    }

    @Test(arguments: Target.allCases)
    func mutatedPagesNeverTrap(target: Target) {
        var rng = SeededRNG(seed: UInt64(Target.allCases.firstIndex(of: target)!) + 1000)
        var threw = 0
        let iterations = 1500
        for i in 0..<iterations {
            let n = Int(rng.next() % 300)
            var page = Self.validPage(target, n, &rng)
            switch i % 6 {
            case 0 where !page.isEmpty:
                page = Array(page.prefix(Int(rng.next() % UInt64(page.count))))
            case 1 where !page.isEmpty:
                for _ in 0..<(1 + Int(rng.next() % 4)) { page[Int(rng.next() % UInt64(page.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
            case 2 where page.count >= 4:
                // A length-like field set to 0, −1 or 2^31 − 1.
                let at = Int(rng.next() % UInt64(page.count - 3))
                let v: [UInt32] = [0, UInt32.max, UInt32(Int32.max)]
                let x = v[Int(rng.next() % 3)]
                for k in 0..<4 { page[at + k] = UInt8(truncatingIfNeeded: x >> UInt32(8 * k)) }
            case 3:
                page = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 4 where !page.isEmpty:
                page.insert(UInt8(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(page.count)))
            default:
                page += (0..<Int(rng.next() % 8)).map { _ in 0xFF }
            }
            // Ask for the declared count, or more.
            let ask = i % 5 == 0 ? n + Int(rng.next() % 1000) : n
            if Self.decode(target, page, ask, &rng) { threw += 1 }
        }
        // Most mutations must be detected; the point is that none traps.
        #expect(threw > 0)
    }

    @Test func codecsOnMutatedPages() throws {
        var rng = SeededRNG(seed: 3)
        let d = PageDecompressor(maxPageBytes: 1 << 20)
        for codec in [CompressionCodec.snappy, .gzip, .zstd, .lz4Raw] {
            let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0 / 7) }
            let sink = MutableBuffer()
            _ = try data.withUnsafeBytes { try PageCompressor(codec: codec).compress($0, into: sink) }
            let valid = S.bytes(sink)
            for _ in 0..<500 {
                var page = valid
                for _ in 0..<(1 + Int(rng.next() % 3)) { page[Int(rng.next() % UInt64(page.count))] = UInt8(truncatingIfNeeded: rng.next()) }
                let size = rng.next() % 4 == 0 ? Int(rng.next() % (1 << 21)) : data.count
                _ = try? S.withExactBytes(page) { (p) throws(ParquetError) in try d.decompress(codec, p, uncompressedSize: size) }
            }
        }
    }
}
