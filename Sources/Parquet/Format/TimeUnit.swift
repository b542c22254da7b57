// `TimeUnit` union of parquet.thrift.

extension LogicalType {
    /// The unit of a TIME or TIMESTAMP logical type (nested to stay apart from Arrow's `TimeUnit`).
    public enum TimeUnit: Hashable, Sendable, ThriftStruct {
        case millis
        case micros
        case nanos

        public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> TimeUnit {
            let saved = try r.beginStruct()
            var result: TimeUnit?
            var unknown: Int16?
            while let f = try r.readFieldHeader() {
                var member: TimeUnit?
                switch (f.id, f.type) {
                case (1, .struct): member = .millis
                case (2, .struct): member = .micros
                case (3, .struct): member = .nanos
                default: if unknown == nil { unknown = f.id }
                }
                try r.skip(f)
                if result == nil { result = member }
            }
            r.endStruct(saved)
            guard let result else {
                if let unknown { throw r.corrupt("TimeUnit: unknown unit \(unknown)") }
                throw r.corrupt("TimeUnit: empty union")
            }
            return result
        }

        public func encode(to w: inout ThriftCompactWriter) {
            let saved = w.beginStruct()
            switch self {
            case .millis: w.writeFieldHeader(1, .struct)
            case .micros: w.writeFieldHeader(2, .struct)
            case .nanos: w.writeFieldHeader(3, .struct)
            }
            w.writeEmptyStruct()
            w.endStruct(saved)
        }
    }
}
