/// An error raised by the Parquet module: malformed or unsupported files, never a trap.
public struct ParquetError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
