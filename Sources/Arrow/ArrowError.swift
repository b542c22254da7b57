/// An error raised by the Arrow module.
///
/// Every malformed input — a bad format string, a buffer count that does not match the layout,
/// offsets that run backwards, columns of unequal length — is reported as an `ArrowError`;
/// nothing in this module traps on caller data.
public struct ArrowError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: Hashable, Sendable {
        /// A C Data Interface format string that does not parse.
        case invalidFormat
        /// A well-formed type this module does not support.
        case unsupportedType
        /// Array data inconsistent with its type: buffer counts, lengths, offsets, children.
        case invalidData
        /// Invalid UTF-8 in a string array.
        case invalidUTF8
        /// A schema, column set or type does not match what was expected.
        case schemaMismatch
        /// A C struct that was already released (its `release` callback is NULL).
        case released
        /// An argument out of range: an index, a length, a slice.
        case invalidArgument
        /// A C stream producer reported an error.
        case streamError
        /// An allocation larger than the module allows.
        case capacityExceeded
    }

    /// The class of failure.
    public var kind: Kind
    /// A readable, single-line description.
    public var message: String

    @inlinable
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension ArrowError {
    @inlinable static func invalidData(_ message: String) -> ArrowError { ArrowError(.invalidData, message) }
    @inlinable static func invalidArgument(_ message: String) -> ArrowError { ArrowError(.invalidArgument, message) }
    @inlinable static func schemaMismatch(_ message: String) -> ArrowError { ArrowError(.schemaMismatch, message) }
}
