import Arrow
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Reading a whole file into an Arrow buffer (64-byte aligned), with `io` errors.
enum FileBytes {
    static func read(path: String) throws(ParquetError) -> ArrowBuffer {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, errno: errno, operation: "open") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(path: path, errno: errno, operation: "stat") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .io(path: path, errno: EISDIR, operation: "read (not a regular file)") }
        let size = Int(st.st_size)
        guard size <= MutableBuffer.maximumCapacity else {
            throw .limitExceeded(file: path, what: "file size", value: size, limit: MutableBuffer.maximumCapacity)
        }
        let buffer = MutableBuffer(capacity: size)
        buffer.resize(to: size)
        var done = 0
        while done < size {
            let n = Glibc.read(fd, buffer.baseAddress + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, errno: errno, operation: "read")
            }
            if n == 0 { break }
            done += n
        }
        buffer.resize(to: done)
        return buffer.finish()
    }
}
