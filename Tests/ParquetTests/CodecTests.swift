import Arrow
@testable import Parquet
import Testing

@Suite struct CodecTests {
    typealias S = EncodingTestSupport

    /// Compressible but not trivial data: runs, text and random bytes.
    static func sample(_ n: Int, seed: UInt64 = 1) -> [UInt8] {
        var rng = SeededRNG(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(n)
        while out.count < n {
            switch rng.next() % 3 {
            case 0: out += Array(repeating: UInt8(truncatingIfNeeded: rng.next()), count: Int(rng.next() % 50))
            case 1: out += Array("archetype world \(rng.next() % 1000) tick ".utf8)
            default: out += (0..<Int(rng.next() % 30)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
        }
        return Array(out.prefix(n))
    }

    static func compress(_ codec: CompressionCodec, level: Int? = nil, _ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8]()
        try data.withUnsafeBytes { try PageCompression.compress(codec, level: level, input: $0, into: &out) }
        return out
    }

    static func decompress(_ codec: CompressionCodec, _ data: [UInt8], size: Int, max: Int = 1 << 30) throws(ParquetError) -> [UInt8] {
        let d = PageDecompressor(maxPageBytes: max)
        return try S.withExactBytes(data) { (p) throws(ParquetError) in Array(try d.decompress(codec, p, uncompressedSize: size)) }
    }

    static let writable: [(CompressionCodec, [Int?])] = [
        (.uncompressed, [nil]), (.snappy, [nil]), (.lz4Raw, [nil]),
        (.gzip, [nil] + (1...9).map { $0 }), (.zstd, [nil] + (1...22).map { $0 }),
    ]

    @Test func roundTripEveryCodecAndLevel() throws {
        for (codec, levels) in Self.writable {
            for level in levels {
                for n in [0, 1, 100, 70_000] {
                    let data = Self.sample(n, seed: UInt64(n))
                    let c = try Self.compress(codec, level: level, data)
                    #expect(try Self.decompress(codec, c, size: n) == data, "\(codec.name) level \(String(describing: level)) n \(n)")
                }
            }
        }
    }

    @Test func reusedContextsAcrossPages() throws {
        for (codec, _) in Self.writable {
            let compressor = try PageCompressor(codec: codec)
            let decompressor = PageDecompressor()
            for page in 0..<6 {
                let data = Self.sample(1000 + page * 5000, seed: UInt64(page))
                let sink = MutableBuffer()
                sink.append(UInt8(0xAB))   // compress appends after what is there
                let written = try data.withUnsafeBytes { try compressor.compress($0, into: sink) }
                #expect(written == sink.count - 1)
                let compressed = Array(S.bytes(sink).dropFirst())
                let out = try compressed.withUnsafeBytes { try Array(decompressor.decompress(codec, $0, uncompressedSize: data.count)) }
                #expect(out == data, "\(codec.name) page \(page)")
            }
        }
    }

    @Test func gzipWritesGzipMembers() throws {
        let c = try Self.compress(.gzip, Array("hello hello hello".utf8))
        #expect(c.count > 18)
        #expect(c[0] == 0x1F && c[1] == 0x8B && c[2] == 8)   // RFC 1952 magic, deflate
    }

    /// A zlib stream (RFC 1950) built from a gzip member's deflate data.
    static func zlibStream(_ data: [UInt8]) throws -> [UInt8] {
        let gz = try compress(.gzip, data)
        // A gzip member from zlib has a 10-byte header (no optional fields) and an 8-byte trailer.
        let deflate = Array(gz[10..<(gz.count - 8)])
        var a: UInt32 = 1, b: UInt32 = 0
        for x in data {
            a = (a + UInt32(x)) % 65521
            b = (b + a) % 65521
        }
        let adler = (b << 16) | a
        return [0x78, 0x9C] + deflate + [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
    }

    @Test func gzipReaderDetectsZlib() throws {
        let data = Self.sample(5000)
        let z = try Self.zlibStream(data)
        #expect(z[0] == 0x78)
        #expect(try Self.decompress(.gzip, z, size: data.count) == data)
    }

    @Test func gzipConcatenatedMembers() throws {
        let a = Self.sample(3000, seed: 5), b = Self.sample(2000, seed: 6), c = Self.sample(10, seed: 7)
        let joined = try Self.compress(.gzip, a) + Self.compress(.gzip, level: 1, b) + Self.compress(.gzip, level: 9, c)
        #expect(try Self.decompress(.gzip, joined, size: a.count + b.count + c.count) == a + b + c)
        // A member that decompresses beyond the declared size is corrupt.
        #expect(throws: ParquetError.self) { try Self.decompress(.gzip, joined, size: a.count + b.count) }
    }

    @Test func wrongDeclaredSizeIsCorrupt() throws {
        let data = Self.sample(4000)
        for (codec, _) in Self.writable {
            let c = try Self.compress(codec, data)
            for size in [0, data.count - 1, data.count + 1, data.count * 2] {
                #expect(throws: ParquetError.self, "\(codec.name) size \(size)") { try Self.decompress(codec, c, size: size) }
                do {
                    _ = try Self.decompress(codec, c, size: size)
                } catch {
                    guard case .corrupt = error else { Issue.record("\(codec.name): expected corrupt, got \(error)"); continue }
                }
            }
        }
    }

    @Test func oversizedPageIsLimitExceededBeforeAllocating() throws {
        for (codec, _) in Self.writable {
            let c = try Self.compress(codec, [1, 2, 3])
            do {
                _ = try Self.decompress(codec, c, size: 1 << 40, max: 1 << 20)
                Issue.record("\(codec.name): no error")
            } catch {
                guard case .limitExceeded(_, _, let value, let limit) = error else { Issue.record("\(codec.name): \(error)"); continue }
                #expect(value == 1 << 40 && limit == 1 << 20)
            }
        }
        // The static helper takes the limit too.
        #expect(throws: ParquetError.self) {
            _ = try [UInt8](repeating: 0, count: 3).withUnsafeBytes { (p) throws(ParquetError) in
                try PageCompression.decompress(.zstd, input: p, uncompressedSize: 1000, maxPageBytes: 999)
            }
        }
        #expect(throws: ParquetError.self) { try Self.decompress(.snappy, [0], size: -1) }
    }

    @Test func garbageAndTruncatedInputThrow() throws {
        var rng = SeededRNG(seed: 42)
        let data = Self.sample(3000)
        for (codec, _) in Self.writable where codec != .uncompressed {
            let c = try Self.compress(codec, data)
            // Every truncation.
            for cut in 0..<c.count {
                #expect(throws: ParquetError.self, "\(codec.name) cut \(cut)") { try Self.decompress(codec, Array(c.prefix(cut)), size: data.count) }
            }
            // Random garbage and flipped bytes: an error or (rarely, for flips) other bytes; never a trap.
            for trial in 0..<300 {
                let garbage = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                _ = try? Self.decompress(codec, garbage, size: Int(rng.next() % 5000))
                var flipped = c
                flipped[Int(rng.next() % UInt64(c.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                if trial % 2 == 0 { _ = try? Self.decompress(codec, flipped, size: data.count) }
            }
        }
    }

    @Test func unsupportedCodecsAndLevels() throws {
        // The deprecated LZ4 (Hadoop) codec is readable but never written.
        #expect(throws: ParquetError.self) { try PageCompressor(codec: .lz4) }
        #expect(!PageCompression.isWritable(.lz4))
        #expect(throws: ParquetError.self) { _ = try Self.decompress(.lz4, [1, 2, 3], size: 3) }
        for (codec, name) in [(CompressionCodec.lzo, "LZO"), (.brotli, "BROTLI"), (.unknown(42), "UNKNOWN(42)")] {
            do {
                _ = try Self.decompress(codec, [1, 2, 3], size: 3)
                Issue.record("no error for \(name)")
            } catch {
                #expect(error == .unsupported("codec \(name)"))
            }
            #expect(throws: ParquetError.self) { try PageCompressor(codec: codec) }
            #expect(!PageCompression.isWritable(codec))
        }
        #expect(throws: ParquetError.self) { try PageCompressor(codec: .gzip, level: 10) }
        #expect(throws: ParquetError.self) { try PageCompressor(codec: .gzip, level: 0) }
        #expect(throws: ParquetError.self) { try PageCompressor(codec: .zstd, level: 23) }
        #expect(throws: ParquetError.self) { try PageCompressor(codec: .zstd, level: -1) }
        #expect(throws: ParquetError.self) { try PageCompressor(codec: .snappy, level: 1) }
        #expect(try PageCompressor(codec: .gzip).level == 6)
        #expect(try PageCompressor(codec: .zstd).level == 1)
    }

    @Test func uncompressedReturnsInputWithoutCopy() throws {
        let d = PageDecompressor()
        let data: [UInt8] = [1, 2, 3, 4]
        try data.withUnsafeBytes { p in
            let out = try d.decompress(.uncompressed, p, uncompressedSize: 4)
            #expect(out.baseAddress == p.baseAddress)
            #expect(throws: ParquetError.self) { try d.decompress(.uncompressed, p, uncompressedSize: 5) }
        }
        var target = [UInt8](repeating: 0, count: 4)
        try data.withUnsafeBytes { p in try target.withUnsafeMutableBytes { try d.decompress(.uncompressed, p, into: $0) } }
        #expect(target == data)
        let c = try Self.compress(.zstd, data)
        var target2 = [UInt8](repeating: 0, count: 4)
        try c.withUnsafeBytes { p in try target2.withUnsafeMutableBytes { try d.decompress(.zstd, p, into: $0) } }
        #expect(target2 == data)
    }
}
