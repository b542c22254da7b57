import Arrow

/// The five base columns every table starts with (engine.md), in order, all non-nullable.
public enum BaseColumns {
    public static let fields: [Field] = [
        Field("world_id", .utf8, nullable: false),
        Field("run_id", .utf8, nullable: false),
        Field("entity_id", .int32, nullable: false),
        Field("tick", .int32, nullable: false),
        Field("is_active", .boolean, nullable: false),
    ]

    /// The base column names.
    public static let names: [String] = fields.map(\.name)
}
