// ParquetFooter: magic at both ends, footer length, encryption, and page-header offsets.

import Parquet
import Testing

@Suite struct MetadataFooterTests {
    /// A file with `body` between the leading magic and the footer.
    static func file(_ metadata: FileMetaData, body: [UInt8] = []) -> [UInt8] {
        var bytes = ParquetFooter.magic + body
        ParquetFooter.write(metadata, to: &bytes)
        return bytes
    }

    static func read(_ bytes: [UInt8]) throws(ParquetError) -> (FileMetaData, Int) {
        let r: Result<(FileMetaData, Int), ParquetError> = bytes.withUnsafeBytes { buffer in
            do throws(ParquetError) {
                let (m, n) = try ParquetFooter.read(buffer)
                return .success((m, n))
            } catch {
                return .failure(error)
            }
        }
        return try r.get()
    }

    @Test func writeThenRead() throws {
        let metadata = MetadataSamples.fullFileMetaData
        let bytes = Self.file(metadata, body: [1, 2, 3])
        #expect(Array(bytes.prefix(4)) == Array("PAR1".utf8))
        #expect(Array(bytes.suffix(4)) == Array("PAR1".utf8))
        let (decoded, length) = try Self.read(bytes)
        #expect(decoded == metadata)
        #expect(length == metadata.encoded().count)
        #expect(bytes.count == 4 + 3 + length + 8)
    }

    @Test func smallestFile() throws {
        // An empty FileMetaData still needs its required fields; a 12-byte file has a 0-byte footer.
        let empty = ParquetFooter.magic + [0, 0, 0, 0] + ParquetFooter.magic
        #expect(isCorruptWithOffset(thrownError { _ = try Self.read(empty) }))
        for n in 0..<12 {
            #expect(isCorruptWithOffset(thrownError { _ = try Self.read(Array(empty.prefix(n))) }))
        }
    }

    @Test func badMagicAndLengths() {
        let good = Self.file(FileMetaData())
        var badTail = good
        badTail[badTail.count - 1] = 0x30
        #expect(isCorruptWithOffset(thrownError { _ = try Self.read(badTail) }))
        var badHead = good
        badHead[0] = 0x51
        #expect(isCorruptWithOffset(thrownError { _ = try Self.read(badHead) }))
        // Footer length larger than the file minus 12, including 0xFFFFFFFF.
        for length: UInt32 in [UInt32(good.count - 11), 0x7FFF_FFFF, 0xFFFF_FFFF] {
            var m = good
            withUnsafeBytes(of: length.littleEndian) { m.replaceSubrange((m.count - 8)..<(m.count - 4), with: $0) }
            #expect(isCorruptWithOffset(thrownError { _ = try Self.read(m) }), "length \(length)")
        }
        // A length that points into the middle of the footer decodes garbage or fails, never traps.
        for length in 0...UInt32(good.count - 12) {
            var m = good
            withUnsafeBytes(of: length.littleEndian) { m.replaceSubrange((m.count - 8)..<(m.count - 4), with: $0) }
            _ = thrownError { _ = try Self.read(m) }
        }
    }

    @Test func footerLengthLimit() {
        let bytes = Self.file(MetadataSamples.fullFileMetaData)
        let error = bytes.withUnsafeBytes { buffer in
            thrownError { _ = try ParquetFooter.read(buffer, maxLength: 100) }
        }
        guard case .limitExceeded(_, let what, _, let limit)? = error else {
            Issue.record("expected limitExceeded, got \(String(describing: error))")
            return
        }
        #expect(what == "footer length" && limit == 100)
    }

    @Test func encryptedFilesAreUnsupported() {
        func isEncryptedError(_ e: ParquetError?) -> Bool {
            if case .unsupported(_, _, "encrypted Parquet")? = e { return true }
            return false
        }
        // PARE at the end (encrypted footer).
        var pare = Self.file(FileMetaData())
        pare.replaceSubrange((pare.count - 4)..., with: ParquetFooter.encryptedMagic)
        pare.replaceSubrange(0..<4, with: ParquetFooter.encryptedMagic)
        #expect(isEncryptedError(thrownError { _ = try Self.read(pare) }))
        // PARE at the start only.
        var head = Self.file(FileMetaData())
        head.replaceSubrange(0..<4, with: ParquetFooter.encryptedMagic)
        #expect(isEncryptedError(thrownError { _ = try Self.read(head) }))
        // Plaintext footer with encryption_algorithm.
        var metadata = FileMetaData()
        metadata.encryptionAlgorithm = .aesGcmCtrV1
        #expect(isEncryptedError(thrownError { _ = try Self.read(Self.file(metadata)) }))
    }

    @Test func pageHeaderAtOffset() throws {
        var bytes: [UInt8] = ParquetFooter.magic
        var offsets: [Int] = []
        for h in MetadataSamples.fullPageHeaders {
            offsets.append(bytes.count)
            bytes += h.encoded()
            bytes += Array(repeating: 0xAB, count: Int(h.compressedPageSize))
        }
        try bytes.withUnsafeBytes { buffer throws in
            var position = 4
            for (i, expected) in MetadataSamples.fullPageHeaders.enumerated() {
                #expect(position == offsets[i])
                let (header, length) = try PageHeader.decode(buffer, at: position)
                #expect(header == expected)
                #expect(length == expected.encoded().count)
                position += length + Int(header.compressedPageSize)
            }
            #expect(position == buffer.count)
            for bad in [-1, buffer.count, Int.max, Int.min] {
                #expect(isCorruptWithOffset(thrownError { _ = try PageHeader.decode(buffer, at: bad) }))
            }
            // Decoding from inside a page body fails or decodes garbage, never traps.
            for p in 0..<buffer.count { _ = thrownError { _ = try PageHeader.decode(buffer, at: p) } }
        }
    }
}
