import Arrow
import CLZ4
import CSnappy
import CZlib
import CZstd

/// One-shot page compression and decompression, and the codec and level rules (store.md §9.6).
/// Code that handles many pages should keep a ``PageCompressor`` / ``PageDecompressor``, which
/// reuse their contexts and buffers.
public enum PageCompression {
    /// Whether this module can write `codec`.
    ///
    /// - Complexity: O(1).
    public static func isWritable(_ codec: CompressionCodec) -> Bool {
        switch codec {
        case .uncompressed, .snappy, .gzip, .zstd, .lz4Raw: true
        default: false
        }
    }

    /// Throws `unsupported("codec BROTLI")` etc. for a codec this module cannot read.
    ///
    /// - Complexity: O(1).
    public static func checkReadable(_ codec: CompressionCodec) throws(ParquetError) {
        // The deprecated LZ4 codec (5) is read, Hadoop-framed or as a raw block, never written.
        guard isWritable(codec) || codec == .lz4 else { throw .unsupported("codec \(codec.name)") }
    }

    /// The level to use for `codec`: `level` checked against the codec's range (GZIP 1–9,
    /// ZSTD 1–22), the default when nil (GZIP 6, ZSTD 1), nil for codecs without levels.
    ///
    /// - Throws: `unsupported` for an unwritable codec, a level out of range, or a level for a
    ///   codec that has none.
    /// - Complexity: O(1).
    public static func checkWritable(_ codec: CompressionCodec, level: Int?) throws(ParquetError) -> Int? {
        switch codec {
        case .gzip:
            guard let level else { return 6 }
            guard (1...9).contains(level) else { throw .unsupported("GZIP level \(level) (levels are 1–9)") }
            return level
        case .zstd:
            guard let level else { return 1 }
            guard (1...22).contains(level) else { throw .unsupported("ZSTD level \(level) (levels are 1–22)") }
            return level
        case .uncompressed, .snappy, .lz4Raw:
            guard level == nil else { throw .unsupported("a compression level for \(codec.name)") }
            return nil
        default:
            throw .unsupported("codec \(codec.name) for writing")
        }
    }

    /// The most bytes compressing `inputSize` bytes can produce.
    ///
    /// - Throws: `limitExceeded` past the library's input limit.
    /// - Complexity: O(1).
    public static func maxCompressedSize(_ codec: CompressionCodec, inputSize n: Int) throws(ParquetError) -> Int {
        switch codec {
        case .uncompressed:
            return n
        case .snappy:
            return snappy_max_compressed_length(n)
        case .lz4Raw:
            guard n <= Int(LZ4_MAX_INPUT_SIZE) else {
                throw .limitExceeded(file: "", what: "LZ4_RAW page size", value: n, limit: Int(LZ4_MAX_INPUT_SIZE))
            }
            return Int(LZ4_compressBound(Int32(n)))
        case .zstd:
            return ZSTD_compressBound(n)
        case .gzip:
            guard n <= Int(UInt32.max) / 2 else {
                throw .limitExceeded(file: "", what: "GZIP page size", value: n, limit: Int(UInt32.max) / 2)
            }
            // zlib's conservative deflateBound (valid for every level and version), plus the gzip
            // header and trailer.
            return n &+ ((n &+ 7) >> 3) &+ ((n &+ 63) >> 6) &+ 5 &+ 18
        default:
            throw .unsupported("codec \(codec.name) for writing")
        }
    }

    /// Appends `input` compressed with `codec` at `level` (nil: the default) to `sink`.
    ///
    /// - Throws: `unsupported` for an unwritable codec or a bad level.
    /// - Complexity: O(`input.count`).
    public static func compress(_ codec: CompressionCodec, level: Int? = nil, input: UnsafeRawBufferPointer, into sink: MutableBuffer) throws(ParquetError) {
        try PageCompressor(codec: codec, level: level).compress(input, into: sink)
    }

    /// Appends `input` compressed with `codec` at `level` to `output`.
    ///
    /// - Complexity: O(`input.count`).
    public static func compress(_ codec: CompressionCodec, level: Int? = nil, input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ParquetError) {
        let sink = MutableBuffer()
        try PageCompressor(codec: codec, level: level).compress(input, into: sink)
        output.append(contentsOf: UnsafeRawBufferPointer(start: sink.baseAddress, count: sink.count))
    }

    /// Decompresses `input` to exactly `uncompressedSize` bytes.
    ///
    /// - Throws: `unsupported` for LZO, BROTLI, LZ4 (Hadoop) and unknown codecs; `limitExceeded`
    ///   when `uncompressedSize > maxPageBytes` (before allocating); `corrupt` otherwise.
    /// - Complexity: O(`uncompressedSize` + `input.count`).
    public static func decompress(_ codec: CompressionCodec, input: UnsafeRawBufferPointer, uncompressedSize: Int, maxPageBytes: Int) throws(ParquetError) -> [UInt8] {
        let d = PageDecompressor(maxPageBytes: maxPageBytes)
        return Array(try d.decompress(codec, input, uncompressedSize: uncompressedSize))
    }
}
