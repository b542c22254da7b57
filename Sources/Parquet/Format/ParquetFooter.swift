// The file envelope: `PAR1` magic at both ends, the footer, and its little-endian length
// (store.md §9.1, §11.4 rule 3).

/// Reading and writing the footer of a Parquet file.
public enum ParquetFooter {
    /// `PAR1`.
    public static let magic: [UInt8] = [0x50, 0x41, 0x52, 0x31]
    /// `PARE`: the magic of files with an encrypted footer.
    public static let encryptedMagic: [UInt8] = [0x50, 0x41, 0x52, 0x45]
    /// The bytes after the footer: its length (4) and the magic (4).
    public static let trailerLength = 8
    /// The smallest possible file: magic, footer length and magic.
    public static let minimumFileSize = 12

    /// Checks the trailer (the last 8 bytes of a file of `fileSize` bytes) and returns the
    /// footer length. The footer occupies `fileSize - 8 - length ..< fileSize - 8`.
    /// `PARE` gives `unsupported("encrypted Parquet")`; a bad magic or a length above
    /// `fileSize - 12` is `corrupt`; a length above `maxLength` is `limitExceeded`.
    public static func metadataLength(
        trailer: UnsafeRawBufferPointer, fileSize: Int, maxLength: Int = .max
    ) throws(ParquetError) -> Int {
        guard fileSize >= minimumFileSize, trailer.count == trailerLength else {
            throw .corrupt("file of \(fileSize) bytes is too small to be Parquet (at least 12)", at: "byte offset 0")
        }
        let end = fileSize - 4
        if matches(trailer, at: 4, encryptedMagic) {
            throw .unsupported("encrypted Parquet", at: "byte offset \(end)")
        }
        guard matches(trailer, at: 4, magic) else {
            throw .corrupt("missing PAR1 magic at the end of the file", at: "byte offset \(end)")
        }
        let length = Int(UInt32(littleEndian: trailer.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        guard length <= fileSize - minimumFileSize else {
            throw .corrupt(
                "footer length \(length) exceeds the file size \(fileSize) minus 12",
                at: "byte offset \(fileSize - trailerLength)")
        }
        guard length <= maxLength else {
            throw .limitExceeded(file: "", what: "footer length", value: length, limit: maxLength)
        }
        return length
    }

    /// Checks the leading magic (the first 4 bytes of the file).
    public static func checkLeadingMagic(_ head: UnsafeRawBufferPointer) throws(ParquetError) {
        if matches(head, at: 0, encryptedMagic) {
            throw .unsupported("encrypted Parquet", at: "byte offset 0")
        }
        guard matches(head, at: 0, magic) else {
            throw .corrupt("missing PAR1 magic at the start of the file", at: "byte offset 0")
        }
    }

    /// Decodes the footer of a whole file in memory. Checks the magic at both ends and the
    /// footer length, decodes `FileMetaData`, and rejects encrypted files (`PARE` magic or an
    /// `encryption_algorithm`) with `unsupported("encrypted Parquet")`. Returns the metadata
    /// and the footer length in bytes.
    public static func read(
        _ file: UnsafeRawBufferPointer, maxLength: Int = .max
    ) throws(ParquetError) -> (metadata: FileMetaData, metadataLength: Int) {
        let size = file.count
        guard size >= minimumFileSize else {
            throw .corrupt("file of \(size) bytes is too small to be Parquet (at least 12)", at: "byte offset 0")
        }
        let trailer = UnsafeRawBufferPointer(rebasing: file[(size - trailerLength)...])
        let length = try metadataLength(trailer: trailer, fileSize: size, maxLength: maxLength)
        try checkLeadingMagic(UnsafeRawBufferPointer(rebasing: file[0..<4]))
        let start = size - trailerLength - length
        let metadata = try decodeMetadata(
            UnsafeRawBufferPointer(rebasing: file[start..<(size - trailerLength)]), fileOffset: start)
        return (metadata, length)
    }

    /// Decodes footer bytes (read separately, starting at file offset `fileOffset`) and rejects
    /// encrypted files. Bytes after the `FileMetaData` struct are ignored.
    public static func decodeMetadata(
        _ footer: UnsafeRawBufferPointer, fileOffset: Int = 0
    ) throws(ParquetError) -> FileMetaData {
        var reader = ThriftCompactReader(footer, baseOffset: fileOffset)
        let metadata = try FileMetaData.decode(from: &reader)
        if metadata.encryptionAlgorithm != nil {
            throw .unsupported("encrypted Parquet", at: "byte offset \(fileOffset)")
        }
        return metadata
    }

    /// Appends the encoded footer, its length and the closing magic to `bytes` (which already
    /// holds the leading magic and the pages).
    public static func write(_ metadata: FileMetaData, to bytes: inout [UInt8]) {
        var writer = ThriftCompactWriter(appendingTo: bytes)
        bytes = []
        let start = writer.bytes.count
        metadata.encode(to: &writer)
        let length = UInt32(truncatingIfNeeded: writer.bytes.count - start)
        bytes = writer.bytes
        withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: magic)
    }

    private static func matches(_ buffer: UnsafeRawBufferPointer, at offset: Int, _ pattern: [UInt8]) -> Bool {
        guard offset >= 0, buffer.count - offset >= pattern.count else { return false }
        for i in 0..<pattern.count where buffer[offset + i] != pattern[i] { return false }
        return true
    }
}
