import Arrow
import CLZ4
import CSnappy
import CZlib
import CZstd

/// Decompresses pages, one after another, reusing its output buffer and codec contexts (a zstd
/// decompression context and a zlib stream are made on first use and kept).
///
/// Codecs: UNCOMPRESSED, SNAPPY (raw block), GZIP (gzip members, several concatenated members,
/// or a zlib stream, auto-detected), ZSTD (frames), LZ4_RAW (LZ4 block). LZO, BROTLI and
/// Hadoop-framed LZ4 are `unsupported`.
///
/// Hostile input: a declared size above ``maxPageBytes`` is `limitExceeded` before anything is
/// allocated; the output must be exactly the declared size (`corrupt` otherwise); malformed input
/// is `corrupt` (the libraries' safe decoders never write past the output).
///
/// Not thread-safe: use one per reading thread.
public final class PageDecompressor {
    /// The largest uncompressed page accepted.
    public let maxPageBytes: Int
    let scratch = MutableBuffer()
    var zstream: UnsafeMutablePointer<z_stream>?
    var zstd: OpaquePointer?

    /// A decompressor accepting pages of up to `maxPageBytes` uncompressed bytes (store.md §3:
    /// 1 GiB by default).
    ///
    /// - Complexity: O(1); codec contexts are made on first use.
    public init(maxPageBytes: Int = 1 << 30) {
        self.maxPageBytes = maxPageBytes
    }

    deinit {
        if let zstream {
            inflateEnd(zstream)
            zstream.deallocate()
        }
        if let zstd { ZSTD_freeDCtx(zstd) }
    }

    /// Decompresses `input` and returns exactly `uncompressedSize` bytes: `input` itself for
    /// UNCOMPRESSED, otherwise this decompressor's buffer, valid until its next call.
    ///
    /// - Throws: `unsupported` for LZO, BROTLI, LZ4 (Hadoop) and unknown codecs; `limitExceeded`
    ///   when `uncompressedSize` exceeds ``maxPageBytes``; `corrupt` when the data is malformed or
    ///   does not decompress to exactly `uncompressedSize` bytes.
    /// - Complexity: O(`uncompressedSize` + `input.count`).
    public func decompress(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws(ParquetError) -> UnsafeRawBufferPointer {
        try PageCompression.checkReadable(codec)
        try checkSize(uncompressedSize)
        if codec == .uncompressed {
            guard input.count == uncompressedSize else {
                throw .corrupt("UNCOMPRESSED page has \(input.count) bytes, its header says \(uncompressedSize)")
            }
            return input
        }
        if scratch.count < uncompressedSize { scratch.resize(to: uncompressedSize) }
        let out = UnsafeMutableRawBufferPointer(start: scratch.baseAddress, count: uncompressedSize)
        try decompressChecked(codec, input, into: out)
        return UnsafeRawBufferPointer(out)
    }

    /// Decompresses `input` into `output`, which must be filled exactly (its size is the page's
    /// declared uncompressed size).
    ///
    /// - Throws: as ``decompress(_:_:uncompressedSize:)``.
    /// - Complexity: O(`output.count` + `input.count`).
    public func decompress(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        try PageCompression.checkReadable(codec)
        try checkSize(output.count)
        if codec == .uncompressed {
            guard input.count == output.count else {
                throw .corrupt("UNCOMPRESSED page has \(input.count) bytes, its header says \(output.count)")
            }
            if let d = output.baseAddress, let s = input.baseAddress, input.count > 0 { d.copyMemory(from: s, byteCount: input.count) }
            return
        }
        try decompressChecked(codec, input, into: output)
    }

    func checkSize(_ size: Int) throws(ParquetError) {
        guard size >= 0 else { throw .corrupt("negative uncompressed page size \(size)") }
        guard size <= maxPageBytes else {
            throw .limitExceeded(file: "", what: "uncompressed page size", value: size, limit: maxPageBytes)
        }
    }

    func sizeMismatch(_ codec: CompressionCodec, _ got: Int, _ declared: Int) -> ParquetError {
        .corrupt("\(codec.name) page decompresses to \(got) bytes, its header says \(declared)")
    }

    func decompressChecked(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        let src = input.baseAddress ?? emptyInputBytes
        let n = input.baseAddress == nil ? 0 : input.count
        // A non-nil destination even for empty pages (the libraries reject NULL).
        let dst = output.baseAddress ?? scratch.baseAddress
        let size = output.baseAddress == nil ? 0 : output.count
        switch codec {
        case .snappy:
            var length = 0
            guard snappy_uncompressed_length(src.assumingMemoryBound(to: CChar.self), n, &length) == SNAPPY_OK else {
                throw .corrupt("SNAPPY page: malformed length header")
            }
            guard length == size else { throw sizeMismatch(codec, length, size) }
            var produced = size
            guard snappy_uncompress(src.assumingMemoryBound(to: CChar.self), n, dst.assumingMemoryBound(to: CChar.self), &produced) == SNAPPY_OK else {
                throw .corrupt("SNAPPY page: malformed data")
            }
            guard produced == size else { throw sizeMismatch(codec, produced, size) }
        case .lz4Raw:
            guard n <= Int(Int32.max), size <= Int(Int32.max) else {
                throw .limitExceeded(file: "", what: "LZ4_RAW page size", value: Swift.max(n, size), limit: Int(Int32.max))
            }
            let r = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self), Int32(n), Int32(size))
            guard r >= 0 else { throw .corrupt("LZ4_RAW page: malformed data (or larger than its declared \(size) bytes)") }
            guard Int(r) == size else { throw sizeMismatch(codec, Int(r), size) }
        case .zstd:
            if zstd == nil {
                zstd = ZSTD_createDCtx()
                guard zstd != nil else { throw .corrupt("ZSTD: cannot create a decompression context") }
            }
            let r = ZSTD_decompressDCtx(zstd, dst, size, src, n)
            if ZSTD_isError(r) != 0 {
                let name = String(cString: ZSTD_getErrorName(r))
                throw .corrupt("ZSTD page: \(name) (declared size \(size))")
            }
            guard r == size else { throw sizeMismatch(codec, r, size) }
        case .gzip:
            try inflate(src, n, dst, size)
        case .lz4:
            try decompressHadoopLZ4(src, n, dst, size)
        default:
            throw .unsupported("codec \(codec.name)")
        }
    }

    /// The deprecated LZ4 codec: Hadoop framing (blocks of a big-endian uncompressed size, a
    /// big-endian compressed size, then an LZ4 block) as parquet-mr wrote it; input that is not
    /// framed that way is taken as one raw LZ4 block, as other readers do.
    func decompressHadoopLZ4(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ size: Int) throws(ParquetError) {
        func be32(_ at: Int) -> Int {
            Int(UInt32(bigEndian: src.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        }
        var inPos = 0, outPos = 0
        var framed = n >= 8
        while framed && inPos < n {
            guard n - inPos >= 8 else { framed = false; break }
            let blockOut = be32(inPos), blockIn = be32(inPos + 4)
            guard blockIn <= n - inPos - 8, blockOut <= size - outPos, blockIn <= Int(Int32.max), blockOut <= Int(Int32.max) else { framed = false; break }
            let r = LZ4_decompress_safe((src + inPos + 8).assumingMemoryBound(to: CChar.self), (dst + outPos).assumingMemoryBound(to: CChar.self),
                                        Int32(blockIn), Int32(blockOut))
            guard r == Int32(blockOut) else { framed = false; break }
            inPos += 8 + blockIn
            outPos += blockOut
        }
        if framed && outPos == size { return }
        // Not Hadoop-framed: one raw block.
        guard n <= Int(Int32.max), size <= Int(Int32.max) else {
            throw .limitExceeded(file: "", what: "LZ4 page size", value: Swift.max(n, size), limit: Int(Int32.max))
        }
        let r = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self), Int32(n), Int32(size))
        guard r >= 0 else { throw .corrupt("LZ4 page: neither Hadoop-framed nor a valid LZ4 block") }
        guard Int(r) == size else { throw sizeMismatch(.lz4, Int(r), size) }
    }

    /// Inflates gzip members (one or several, concatenated) or a zlib stream.
    func inflate(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ size: Int) throws(ParquetError) {
        guard n <= Int(UInt32.max), size <= Int(UInt32.max) else {
            throw .limitExceeded(file: "", what: "GZIP page size", value: Swift.max(n, size), limit: Int(UInt32.max))
        }
        let strm: UnsafeMutablePointer<z_stream>
        if let zstream {
            strm = zstream
            guard inflateReset(strm) == Z_OK else { throw .corrupt("GZIP: cannot reset the inflate stream") }
        } else {
            strm = .allocate(capacity: 1)
            strm.initialize(to: z_stream())
            // windowBits 15 + 32: detect gzip or zlib headers automatically.
            guard inflateInit2_(strm, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                strm.deallocate()
                throw .corrupt("GZIP: cannot initialise zlib")
            }
            zstream = strm
        }
        strm.pointee.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
        strm.pointee.avail_in = uInt(n)
        strm.pointee.next_out = dst.assumingMemoryBound(to: Bytef.self)
        strm.pointee.avail_out = uInt(size)
        while true {
            let inBefore = strm.pointee.avail_in
            let outBefore = strm.pointee.avail_out
            let r = CZlib.inflate(strm, Z_NO_FLUSH)
            if r == Z_STREAM_END {
                if strm.pointee.avail_in == 0 { break }
                // Another gzip member follows.
                guard strm.pointee.avail_out > 0 else {
                    throw .corrupt("GZIP page: data continues after the declared \(size) bytes")
                }
                guard inflateReset(strm) == Z_OK else { throw .corrupt("GZIP: cannot reset the inflate stream") }
                continue
            }
            if r == Z_OK {
                if strm.pointee.avail_in == inBefore && strm.pointee.avail_out == outBefore {
                    throw .corrupt("GZIP page: no progress (truncated data)")
                }
                continue
            }
            if r == Z_BUF_ERROR {
                if strm.pointee.avail_out == 0 {
                    throw .corrupt("GZIP page: decompresses to more than its declared \(size) bytes")
                }
                throw .corrupt("GZIP page: truncated data")
            }
            let message = strm.pointee.msg.map { String(cString: $0) } ?? "error \(r)"
            throw .corrupt("GZIP page: \(message)")
        }
        let produced = size &- Int(strm.pointee.avail_out)
        guard produced == size else { throw sizeMismatch(.gzip, produced, size) }
    }
}
