import ArchetypeCore
import Parquet

extension StoreError {
    /// A `ParquetError` as the store reports it (store.md §12), naming the part `path`.
    static func from(_ error: ParquetError, path: String) -> StoreError {
        switch error.inFile(path) {
        case .corrupt(let file, let location, let detail):
            return .corrupt(ParquetError.corrupt(file: file.isEmpty ? path : file, location: location, detail: detail).description)
        case .unsupported(let file, let location, let feature):
            return .unsupported(ParquetError.unsupported(file: file.isEmpty ? path : file, location: location, feature: feature).description)
        case .limitExceeded(let file, let what, let value, let limit):
            return .limitExceeded(ParquetError.limitExceeded(file: file.isEmpty ? path : file, what: what, value: value, limit: limit).description)
        case .schema(let file, let detail):
            // An Arrow schema that cannot be represented: a feature this reader lacks.
            return .unsupported(ParquetError.schema(file: file.isEmpty ? path : file, detail: detail).description)
        case .io(let p, let e, let operation):
            return .io(path: p.isEmpty ? path : p, errno: e, operation: operation)
        }
    }
}
