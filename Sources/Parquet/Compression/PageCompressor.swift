import Arrow
import CLZ4
import CSnappy
import CZlib
import CZstd

/// Compresses pages with one codec and level, reusing its codec contexts (a zstd compression
/// context, a zlib deflate stream) across pages.
///
/// Writable codecs (store.md §9.6): UNCOMPRESSED, SNAPPY (raw block), GZIP (one gzip member,
/// RFC 1952, levels 1–9, default 6), ZSTD (one frame, levels 1–22, default 1), LZ4_RAW (LZ4
/// block). Not thread-safe: use one per writing thread.
public final class PageCompressor {
    /// The codec.
    public let codec: CompressionCodec
    /// The level in use (GZIP and ZSTD; nil for the others).
    public let level: Int?
    var zstream: UnsafeMutablePointer<z_stream>?
    var zstd: OpaquePointer?

    /// A compressor for `codec` at `level` (nil: the codec's default).
    ///
    /// - Throws: `unsupported` for a codec this writer cannot write, a level outside the codec's
    ///   range, or a level given to a codec without levels.
    /// - Complexity: O(1); codec contexts are made on first use.
    public init(codec: CompressionCodec, level: Int? = nil) throws(ParquetError) {
        self.codec = codec
        self.level = try PageCompression.checkWritable(codec, level: level)
    }

    deinit {
        if let zstream {
            deflateEnd(zstream)
            zstream.deallocate()
        }
        if let zstd { ZSTD_freeCCtx(zstd) }
    }

    /// Appends `input` compressed to `sink` and returns the number of bytes appended.
    ///
    /// - Throws: `limitExceeded` for inputs beyond the codec library's size limit (2 GiB for
    ///   LZ4, 4 GiB for zlib); `corrupt` if the library fails.
    /// - Complexity: O(`input.count`).
    @discardableResult
    public func compress(_ input: UnsafeRawBufferPointer, into sink: MutableBuffer) throws(ParquetError) -> Int {
        let src = input.baseAddress ?? emptyInputBytes
        let n = input.baseAddress == nil ? 0 : input.count
        if codec == .uncompressed {
            sink.append(contentsOf: UnsafeRawBufferPointer(start: src, count: n))
            return n
        }
        let bound = try PageCompression.maxCompressedSize(codec, inputSize: n)
        // Straight into the sink's spare room (no copy), trimmed to the size produced.
        let start = sink.count
        let dst = sink.extendUninitialized(by: bound)
        do throws(ParquetError) {
            let produced = try compress(src, n, dst, bound)
            sink.resize(to: start &+ produced)
            return produced
        } catch {
            sink.resize(to: start)
            throw error
        }
    }

    /// Compresses `n` bytes at `src` into the `bound` bytes at `dst`; returns the size produced.
    func compress(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ bound: Int) throws(ParquetError) -> Int {
        let produced: Int
        switch codec {
        case .snappy:
            var length = bound
            guard snappy_compress(src.assumingMemoryBound(to: CChar.self), n, dst.assumingMemoryBound(to: CChar.self), &length) == SNAPPY_OK else {
                throw .corrupt("SNAPPY compression failed")
            }
            produced = length
        case .lz4Raw:
            let r = LZ4_compress_default(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self), Int32(n), Int32(bound))
            guard r > 0 else { throw .corrupt("LZ4_RAW compression failed") }
            produced = Int(r)
        case .zstd:
            if zstd == nil {
                zstd = ZSTD_createCCtx()
                guard zstd != nil else { throw .corrupt("ZSTD: cannot create a compression context") }
            }
            let r = ZSTD_compressCCtx(zstd, dst, bound, src, n, Int32(level ?? 1))
            if ZSTD_isError(r) != 0 { throw .corrupt("ZSTD compression failed: \(String(cString: ZSTD_getErrorName(r)))") }
            produced = r
        case .gzip:
            produced = try deflate(src, n, dst, bound)
        default:
            throw .unsupported("codec \(codec.name) for writing")
        }
        return produced
    }

    /// Deflates into one gzip member.
    func deflate(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ bound: Int) throws(ParquetError) -> Int {
        let strm: UnsafeMutablePointer<z_stream>
        if let zstream {
            strm = zstream
            guard deflateReset(strm) == Z_OK else { throw .corrupt("GZIP: cannot reset the deflate stream") }
        } else {
            strm = .allocate(capacity: 1)
            strm.initialize(to: z_stream())
            // windowBits 15 + 16: a gzip header and trailer (RFC 1952).
            guard deflateInit2_(strm, Int32(level ?? 6), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                strm.deallocate()
                throw .corrupt("GZIP: cannot initialise zlib")
            }
            zstream = strm
        }
        strm.pointee.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
        strm.pointee.avail_in = uInt(n)
        strm.pointee.next_out = dst.assumingMemoryBound(to: Bytef.self)
        strm.pointee.avail_out = uInt(bound)
        let r = CZlib.deflate(strm, Z_FINISH)
        guard r == Z_STREAM_END else { throw .corrupt("GZIP compression failed (\(r))") }
        return bound &- Int(strm.pointee.avail_out)
    }
}
