import Arrow
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// Writing a whole buffer to a file (created or truncated), with `io` errors.
enum FileOutput {
    static func write(_ bytes: ArrowBuffer, to path: String) throws(ParquetError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, errno: errno, operation: "open") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, errno: errno, operation: "write")
            }
            done += n
        }
    }
}

extension FileOutput {
    /// Writes `text` to a file.
    static func write(text: String, to path: String) throws(ParquetError) {
        try write(Array(text.utf8).withUnsafeBytes { ArrowBuffer(copying: $0) }, to: path)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.withCString { p in _ = Glibc.write(2, p, strlen(p)) }
}
