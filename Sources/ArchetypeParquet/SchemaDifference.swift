import Arrow

/// Human-readable differences between two schemas compared by names, types and nullability
/// (field metadata aside), for `schemaMismatch` details.
enum SchemaDifference {
    static func describe(expected: Schema, actual: Schema) -> String {
        for (i, (e, a)) in zip(expected.fields, actual.fields).enumerated() where !e.equalsIgnoringMetadata(a) {
            if e.name != a.name { return "field \(i) is '\(a.name)', expected '\(e.name)'" }
            if !e.type.equalsIgnoringMetadata(a.type) { return "field '\(e.name)' is \(a.type), expected \(e.type)" }
            return "field '\(e.name)' is \(a.nullable ? "nullable" : "non-nullable"), expected \(e.nullable ? "nullable" : "non-nullable")"
        }
        if expected.fields.count != actual.fields.count {
            return "\(actual.fields.count) fields, expected \(expected.fields.count)"
        }
        return "schemas differ"
    }
}
