import Arrow
@testable import Parquet
import Testing

@Suite struct EncodingDictionaryTests {
    typealias S = EncodingTestSupport

    /// Builds the dictionary and indices of `strings`, then decodes them through a dictionary
    /// page and RLE_DICTIONARY pages (one per chunk of 500 values).
    static func roundTripStrings(_ strings: [[UInt8]], valid: [Bool]?) throws {
        let (offsets, data) = S.arrow(strings)
        let encoder = DictionaryEncoder()
        var pages = [[UInt8]]()
        var start = 0
        repeat {
            let end = Swift.min(strings.count, start + 500)
            let indices = MutableBuffer()
            let pageValid = valid.map { Array($0[start..<end]) }
            S.withFilter(pageValid) { filter in
                offsets.withUnsafeBufferPointer { o in
                    data.withUnsafeBytes { encoder.insert(offsets: UnsafeBufferPointer(rebasing: o[start...end]), data: $0.baseAddress!, validity: filter, indices: indices) }
                }
            }
            let page = MutableBuffer()
            S.values(indices, as: UInt32.self).withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: encoder.indexBitWidth, into: page) }
            pages.append(S.bytes(page))
            start = end
        } while start < strings.count
        let dictPage = MutableBuffer()
        encoder.encodeDictionaryPage(into: dictPage)
        #expect(dictPage.count == encoder.plainByteSize)
        let dictionary = try S.withExactBytes(S.bytes(dictPage)) { try ByteArrayDictionary(plain: $0, count: encoder.count) }
        #expect(dictionary.count == Set(S.dense(strings, valid)).count)
        var decoded = [[UInt8]]()
        start = 0
        for page in pages {
            let end = Swift.min(strings.count, start + 500)
            let n = S.dense(Array(strings[start..<end]), valid.map { Array($0[start..<end]) }).count
            decoded += try S.decodeByteArrays(.rleDictionary, page, count: n, dictionary: dictionary)
            start = end
        }
        #expect(decoded == S.dense(strings, valid))
    }

    @Test func byteArrayDictionaryRoundTrips() throws {
        var rng = SeededRNG(seed: 21)
        for n in [0, 1, 2, 1000, 3000] {
            let strings = S.randomStrings(n, &rng, alphabet: 3, maxLength: 4) + [[]]
            for valid in [nil, S.randomValidity(strings.count, &rng)] {
                try Self.roundTripStrings(strings, valid: valid)
            }
        }
        // Many distinct entries (the table grows) and one repeated entry (world_id shape).
        try Self.roundTripStrings((0..<5000).map { Array("entity-\($0 * 7919)".utf8) }, valid: nil)
        try Self.roundTripStrings(Array(repeating: Array("world-a".utf8), count: 4000), valid: nil)
    }

    @Test func oneEntryDictionaryUsesBitWidthZero() throws {
        let strings = Array(repeating: Array("run-1".utf8), count: 100)
        let (offsets, data) = S.arrow(strings)
        let encoder = DictionaryEncoder()
        let indices = MutableBuffer()
        offsets.withUnsafeBufferPointer { o in data.withUnsafeBytes { encoder.insert(offsets: o, data: $0.baseAddress!, indices: indices) } }
        #expect(encoder.count == 1 && encoder.indexBitWidth == 0)
        let page = MutableBuffer()
        S.values(indices, as: UInt32.self).withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: 0, into: page) }
        #expect(S.bytes(page) == [0, 0xC8, 0x01])   // width 0, one repeated run of 100
        let dictPage = MutableBuffer()
        encoder.encodeDictionaryPage(into: dictPage)
        #expect(S.bytes(dictPage) == S.raw([UInt32(5)]) + Array("run-1".utf8))
        let dictionary = try S.withExactBytes(S.bytes(dictPage)) { try ByteArrayDictionary(plain: $0, count: 1) }
        #expect(try S.decodeByteArrays(.plainDictionary, S.bytes(page), count: 100, dictionary: dictionary) == strings)
        // Width 1 is also accepted.
        let page1 = MutableBuffer()
        S.values(indices, as: UInt32.self).withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: 1, into: page1) }
        #expect(try S.decodeByteArrays(.rleDictionary, S.bytes(page1), count: 100, dictionary: dictionary) == strings)
        encoder.reset()
        #expect(encoder.count == 0 && encoder.plainByteSize == 0)
    }

    static func roundTripFixed<T: BitwiseCopyable>(_ values: [T], _ type: PhysicalType, typeLength: Int = 0, valid: [Bool]?) throws {
        let width = MemoryLayout<T>.stride
        let encoder = DictionaryEncoder(fixedWidth: width)
        let indices = MutableBuffer()
        S.withFilter(valid) { filter in
            values.withUnsafeBytes { encoder.insert(fixedWidthValues: $0.baseAddress ?? UnsafeRawPointer(indices.baseAddress), count: values.count, validity: filter, indices: indices) }
        }
        let dictPage = MutableBuffer()
        encoder.encodeDictionaryPage(into: dictPage)
        #expect(dictPage.count == encoder.count * width)
        let dictionary = try S.withExactBytes(S.bytes(dictPage)) {
            try FixedWidthDictionary(plain: $0, count: encoder.count, physicalType: type, typeLength: typeLength)
        }
        let page = MutableBuffer()
        S.values(indices, as: UInt32.self).withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: encoder.indexBitWidth, into: page) }
        let dense = S.raw(S.dense(values, valid))
        #expect(try S.decodeFixed(type, typeLength: typeLength, .rleDictionary, S.bytes(page), count: dense.count / width, dictionary: dictionary) == dense)
        S.expectTruncationsSafe(S.bytes(page), expected: dense, "dictionary \(type)") { (b) throws(ParquetError) in
            try S.decodeFixed(type, typeLength: typeLength, .rleDictionary, b, count: dense.count / width, dictionary: dictionary)
        }
    }

    struct Bytes12: BitwiseCopyable { var a: UInt32, b: UInt32, c: UInt32 }
    struct Bytes3: BitwiseCopyable { var a: UInt8, b: UInt8, c: UInt8 }

    @Test func fixedWidthDictionaryRoundTrips() throws {
        var rng = SeededRNG(seed: 31)
        for n in [0, 1, 600] {
            for valid in [nil, S.randomValidity(n, &rng)] {
                try Self.roundTripFixed((0..<n).map { _ in Int32(rng.next() % 50) - 25 }, .int32, valid: valid)
                try Self.roundTripFixed((0..<n).map { _ in Int64(bitPattern: rng.next() % 7) }, .int64, valid: valid)
                try Self.roundTripFixed((0..<n).map { _ in [0.0, -0.0, Double.nan, 1.5, -Double.infinity][Int(rng.next() % 5)].bitPattern }, .double, valid: valid)
                try Self.roundTripFixed((0..<n).map { _ in Float(rng.next() % 9).bitPattern }, .float, valid: valid)
                try Self.roundTripFixed((0..<n).map { _ in Bytes16(lo: rng.next() % 3, hi: 1) }, .fixedLenByteArray, typeLength: 16, valid: valid)
                try Self.roundTripFixed((0..<n).map { _ in Bytes12(a: UInt32(rng.next() % 4), b: 2, c: 3) }, .fixedLenByteArray, typeLength: 12, valid: valid)
                try Self.roundTripFixed((0..<n).map { _ in Bytes3(a: UInt8(rng.next() % 4), b: 2, c: 3) }, .fixedLenByteArray, typeLength: 3, valid: valid)
            }
        }
        // −0.0 and 0.0 (and NaN payloads) are distinct entries.
        let encoder = DictionaryEncoder(fixedWidth: 8)
        let indices = MutableBuffer()
        [0.0, -0.0, Double.nan, Double(bitPattern: Double.nan.bitPattern | 1), 0.0].withUnsafeBytes {
            encoder.insert(fixedWidthValues: $0.baseAddress!, count: 5, indices: indices)
        }
        #expect(S.values(indices, as: UInt32.self) == [0, 1, 2, 3, 0])
    }

    @Test func int96Dictionary() throws {
        let ns: [Int64] = [0, 86_400_000_000_001, -1]
        let page = MutableBuffer()
        ns.withUnsafeBufferPointer { PlainEncoder.encodeInt96(nanoseconds: $0, into: page) }
        let dictionary = try S.withExactBytes(S.bytes(page)) { try FixedWidthDictionary(plain: $0, count: 3, physicalType: .int96) }
        #expect(dictionary.byteWidth == 8)
        let indices = MutableBuffer()
        [UInt32(2), 0, 1, 1].withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, into: indices) }
        #expect(try S.decodeFixed(.int96, .rleDictionary, S.bytes(indices), count: 4, dictionary: dictionary) == S.raw([Int64(-1), 0, 86_400_000_000_001, 86_400_000_000_001]))
    }

    @Test func indexOutOfRangeIsCorrupt() throws {
        let dictPage = S.raw([Int32(10), 20, 30])
        let dictionary = try S.withExactBytes(dictPage) { try FixedWidthDictionary(plain: $0, count: 3, physicalType: .int32) }
        let strings = try S.withExactBytes(S.raw([UInt32(1)]) + [65] + S.raw([UInt32(0)])) { try ByteArrayDictionary(plain: $0, count: 2) }
        for indices in [[UInt32(0), 1, 2, 3], Array(repeating: 3, count: 20), [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]] {
            let page = MutableBuffer()
            indices.withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, into: page) }
            do {
                _ = try S.decodeFixed(.int32, .rleDictionary, S.bytes(page), count: indices.count, dictionary: dictionary)
                Issue.record("no error for \(indices)")
            } catch {
                guard case .corrupt = error else { Issue.record("\(error)"); continue }
            }
            #expect(throws: ParquetError.self) { try S.decodeByteArrays(.rleDictionary, S.bytes(page), count: indices.count, dictionary: strings) }
            #expect(throws: ParquetError.self) { try S.decodeFixed(.int32, .rleDictionary, S.bytes(page), count: indices.count, dictionary: FixedWidthDictionary(values: .empty, count: 0, byteWidth: 4)) }
        }
        // A dictionary of another width.
        #expect(throws: ParquetError.self) { try S.decodeFixed(.int64, .rleDictionary, [0], count: 0, dictionary: dictionary) }
        // Dictionary pages too short for their count.
        #expect(throws: ParquetError.self) { try S.withExactBytes(dictPage) { try FixedWidthDictionary(plain: $0, count: 4, physicalType: .int32) } }
        #expect(throws: ParquetError.self) { try S.withExactBytes(dictPage) { try ByteArrayDictionary(plain: $0, count: 4) } }
        #expect(throws: ParquetError.self) { try S.withExactBytes(dictPage) { try ByteArrayDictionary(plain: $0, count: 1 << 40) } }
        #expect(throws: ParquetError.self) { try S.withExactBytes(dictPage) { try FixedWidthDictionary(plain: $0, count: -1, physicalType: .int32) } }
        #expect(throws: ParquetError.self) { try S.withExactBytes(dictPage) { try FixedWidthDictionary(plain: $0, count: 1, physicalType: .boolean) } }
    }

    @Test func gatherAmplificationHitsTheByteLimit() throws {
        // One 1000-byte entry repeated 10^6 times by a 4-byte page.
        let dictPage = S.raw([UInt32(1000)]) + [UInt8](repeating: 1, count: 1000)
        let dictionary = try S.withExactBytes(dictPage) { try ByteArrayDictionary(plain: $0, count: 1) }
        let page: [UInt8] = [0, 0x80, 0x89, 0x7A]   // width 0, repeated run of 1,000,000
        do {
            _ = try S.decodeByteArrays(.rleDictionary, page, count: 1_000_000, dictionary: dictionary, byteLimit: 1 << 20)
            Issue.record("no error")
        } catch {
            guard case .limitExceeded = error else { Issue.record("\(error)"); return }
        }
    }
}
