/// The Arrow C Data Interface and C Stream Interface: moving arrays, schemas, record batches
/// and streams across a C boundary without copying.
///
/// Imports take *move* semantics: the caller's struct is copied into Swift memory and left
/// released (`release == NULL`); Swift calls the producer's `release` exactly once, when the last
/// Swift reference to the imported memory goes (on whichever thread that happens).
///
/// Exports fill caller-provided structs. Each exported struct owns a reference to the Swift data
/// through `private_data`; its `release` callback may run on any thread, at any later time,
/// and exported children may be moved out and released on their own.
public enum CDataInterface {}
