/// The name rules shared by every store and by the engine (store.md §2.2, engine.md §1.4).
public enum Names {
    /// The longest name, in UTF-8 bytes.
    public static let maximumBytes = 255

    /// Table names and namespaces: non-empty, ≤ 255 bytes, only `A–Z a–z 0–9 _ . -`, not `.`
    /// or `..` and not starting with `.`.
    public static func validateTableName(_ name: String) throws(ArchetypeError) {
        // Over the contiguous UTF-8 in place: checked on every split-step begin, so no copy.
        var contiguous = name
        let problem: String? = contiguous.withUTF8 { bytes in
            if bytes.isEmpty { return "empty" }
            if bytes.count > maximumBytes { return "longer than \(maximumBytes) bytes" }
            for b in bytes {
                let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
                if !ok { return "only A-Z a-z 0-9 _ . - are allowed" }
            }
            return bytes[0] == 0x2E ? "must not start with '.'" : nil
        }
        if let problem { throw .invalidName(name: name, reason: problem) }
    }

    /// World and run ids: non-empty, ≤ 255 bytes of UTF-8, no control characters.
    public static func validateId(_ id: String, what: String) throws(ArchetypeError) {
        guard !id.utf8.isEmpty else { throw .invalidName(name: id, reason: "\(what) is empty") }
        guard id.utf8.count <= maximumBytes else { throw .invalidName(name: id, reason: "\(what) is longer than \(maximumBytes) bytes") }
        for s in id.unicodeScalars where s.value < 0x20 || s.value == 0x7F {
            throw .invalidName(name: id, reason: "\(what) contains a control character")
        }
    }

    /// Bytewise ascending order of UTF-8 names (never Swift's Unicode-aware `<`).
    @inlinable
    public static func bytewiseLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
