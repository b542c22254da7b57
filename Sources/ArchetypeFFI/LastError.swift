#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The calling thread's last error message (c-abi.md §5.1): a malloc'd C string per thread in a
/// pthread key, freed when replaced, cleared, or when the thread exits.
enum LastError {
    /// The longest message, in bytes (c-abi.md §5.3).
    static let maximumBytes = 4096

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        // The destructor frees the thread's message when the thread exits.
        pthread_key_create(&key) { free($0) }
        return key
    }()

    /// The current message, or nil.
    static var message: UnsafePointer<CChar>? {
        pthread_getspecific(key).map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) }
    }

    static func clear() {
        if let old = pthread_getspecific(key) {
            pthread_setspecific(key, nil)
            free(old)
        }
    }

    /// Sets `function: detail` as the message, formatted as §5.3 requires.
    static func set(function: String, detail: String) {
        setRaw("\(function): \(detail)")
    }

    /// Sets `text` as the whole message (the version-1 movement texts have no prefix).
    static func setRaw(_ text: String) {
        let text = sanitize(text)
        let copy = text.withCString { strdup($0) }
        let old = pthread_getspecific(key)
        pthread_setspecific(key, copy)
        free(old)
    }

    /// One line, interior NULs written as `\0`, at most 4096 bytes cut on a character boundary
    /// and ending with `…` when cut.
    static func sanitize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(Swift.min(text.utf8.count, maximumBytes))
        var bytes = 0
        let ellipsis = "…"
        for ch in text.unicodeScalars {
            var piece: String
            switch ch {
            case "\0": piece = "\\0"
            case "\n", "\r": piece = " "
            default: piece = String(ch)
            }
            if bytes + piece.utf8.count > maximumBytes - ellipsis.utf8.count {
                out += ellipsis
                return out
            }
            bytes += piece.utf8.count
            out += piece
        }
        return out
    }
}
