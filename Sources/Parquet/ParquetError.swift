/// An error raised by the Parquet module (store.md §12). Malformed or hostile input is always an
/// error, never a trap.
public enum ParquetError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes violate the format or the file's own metadata. `location` says where
    /// (row group, column path, byte offset) as far as known.
    case corrupt(file: String, location: String, detail: String)
    /// A valid feature this reader does not implement (codec, encoding, type, encryption).
    case unsupported(file: String, location: String, feature: String)
    /// A declared size above a configured limit.
    case limitExceeded(file: String, what: String, value: Int, limit: Int)
    /// An Arrow schema that cannot be represented, or is inconsistent.
    case schema(file: String, detail: String)
    /// An operating-system error.
    case io(path: String, errno: Int32, operation: String)

    public var description: String {
        func at(_ file: String, _ location: String) -> String {
            [file, location].filter { !$0.isEmpty }.joined(separator: ": ")
        }
        switch self {
        case .corrupt(let file, let location, let detail):
            let prefix = at(file, location)
            return "corrupt Parquet" + (prefix.isEmpty ? "" : " (\(prefix))") + ": \(detail)"
        case .unsupported(let file, let location, let feature):
            let prefix = at(file, location)
            return "unsupported: \(feature)" + (prefix.isEmpty ? "" : " (\(prefix))")
        case .limitExceeded(let file, let what, let value, let limit):
            return "limit exceeded" + (file.isEmpty ? "" : " (\(file))") + ": \(what) is \(value), the limit is \(limit)"
        case .schema(let file, let detail):
            return "schema error" + (file.isEmpty ? "" : " (\(file))") + ": \(detail)"
        case .io(let path, let errno, let operation):
            return "\(operation) \(path) failed: errno \(errno)"
        }
    }

    /// A `corrupt` error without file context (the reader adds it when it propagates).
    public static func corrupt(_ detail: String, at location: String = "") -> ParquetError {
        .corrupt(file: "", location: location, detail: detail)
    }

    /// An `unsupported` error without file context.
    public static func unsupported(_ feature: String, at location: String = "") -> ParquetError {
        .unsupported(file: "", location: location, feature: feature)
    }

    /// The same error with `file` filled in where it was empty.
    public func inFile(_ file: String) -> ParquetError {
        switch self {
        case .corrupt(let f, let l, let d) where f.isEmpty: return .corrupt(file: file, location: l, detail: d)
        case .unsupported(let f, let l, let x) where f.isEmpty: return .unsupported(file: file, location: l, feature: x)
        case .limitExceeded(let f, let w, let v, let l) where f.isEmpty: return .limitExceeded(file: file, what: w, value: v, limit: l)
        case .schema(let f, let d) where f.isEmpty: return .schema(file: file, detail: d)
        default: return self
        }
    }
}
