import Foundation
@testable import Arrow
import Testing

/// Truncations and seeded mutations of valid messages: every decode returns a schema or throws
/// an `ArrowError`; a trap would kill the test process.
@Suite("IPC schema messages: hostile input")
struct IPCHostileInputTests {
    /// Valid messages: ours and pyarrow's.
    static func corpus() throws -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = [
            ("everyType", try ArrowIPCSchema.encodeMessage(IPCTestSupport.everyType)),
            ("withMetadata", try ArrowIPCSchema.encodeMessage(IPCTestSupport.withMetadata)),
            ("deep", try ArrowIPCSchema.encodeMessage(IPCTestSupport.nestedLists(ArrowIPCSchema.maximumNestingDepth))),
            ("small", try ArrowIPCSchema.encodeMessage(Schema([Field("a", .dictionary(index: .int8, value: .utf8, ordered: true))]))),
        ]
        let dir = IPCTestSupport.fixtures.appendingPathComponent("ipc")
        for name in ["primitives", "nested", "dictionary", "metadata", "temporal", "unsupported_dense_union"] {
            out.append(("pyarrow:\(name)", try IPCTestSupport.bytes(dir.appendingPathComponent("\(name).bin"))))
        }
        out.append(("pyarrow-legacy:nested", try IPCTestSupport.bytes(dir.appendingPathComponent("nested.legacy.bin"))))
        return out
    }

    /// Decodes `bytes`; a schema that decodes must also survive encode → decode unchanged.
    static func probe(_ bytes: [UInt8]) -> Bool {
        guard let schema = try? ArrowIPCSchema.decodeMessage(bytes) else { return false }
        if let again = try? ArrowIPCSchema.encodeMessage(schema) {
            #expect((try? ArrowIPCSchema.decodeMessage(again)) == schema, "a decoded schema re-encodes to itself")
        } else {
            Issue.record("a decoded schema must be encodable")
        }
        return true
    }

    static func le32(_ n: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } }

    @Test func truncationAtEveryOffset() throws {
        for (name, bytes) in try Self.corpus() {
            let start = bytes.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]) ? 8 : 4
            let size = Int(bytes[start - 4]) | Int(bytes[start - 3]) << 8 | Int(bytes[start - 2]) << 16 | Int(bytes[start - 1]) << 24
            let flatbuffer = Array(bytes[start..<(start + size)])
            for n in 0..<(start + size) {
                // As is: the size field now exceeds the bytes.
                let cut = Array(bytes[..<n])
                #expect(throws: ArrowError.self, "\(name) cut at \(n)") { try ArrowIPCSchema.decodeMessage(cut) }
            }
            // With the size field fixed up, so the verifier sees a short flatbuffer.
            var decoded = 0
            for n in 1..<flatbuffer.count {
                let framed = [0xFF, 0xFF, 0xFF, 0xFF] + Self.le32(n) + Array(flatbuffer[..<n])
                if Self.probe(framed) { decoded += 1 }
            }
            // Only cuts inside the trailing padding can still decode.
            #expect(decoded < 8, "\(name): \(decoded) truncated flatbuffers decoded")
        }
    }

    /// 2,000 mutations per message; `IPC_FUZZ_ITERATIONS` raises that for longer manual runs.
    static var iterations: Int {
        ProcessInfo.processInfo.environment["IPC_FUZZ_ITERATIONS"].flatMap { Int($0) }.map { max($0, 1) } ?? 2000
    }

    @Test func seededMutations() throws {
        var decoded = 0, rejected = 0
        let iterations = Self.iterations
        for (index, (name, original)) in try Self.corpus().enumerated() {
            var rng = IPCTestSupport.RNG(seed: 0xA11CE + UInt64(index))
            let start = original.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]) ? 8 : 4
            for _ in 0..<iterations {
                var bytes = original
                switch Int.random(in: 0..<6, using: &rng) {
                case 0, 1:  // flip 1–4 random bits in the flatbuffer
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        let i = Int.random(in: start..<bytes.count, using: &rng)
                        bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                    }
                case 2:  // a random byte anywhere (the framing included)
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                case 3:  // an aligned 32-bit word set to a boundary value
                    let words = (bytes.count - start) / 4
                    let i = start + 4 * Int.random(in: 0..<words, using: &rng)
                    let values: [UInt32] = [0, 1, 4, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFC, UInt32(bytes.count)]
                    let v = values[Int.random(in: 0..<values.count, using: &rng)]
                    for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
                case 4:  // a 16-bit word (vtable entries) set to a boundary value
                    let i = start + 2 * Int.random(in: 0..<((bytes.count - start) / 2), using: &rng)
                    let values: [UInt16] = [0, 1, 2, 3, 4, 0xFFFF, 0x8000, UInt16(truncatingIfNeeded: bytes.count)]
                    let v = values[Int.random(in: 0..<values.count, using: &rng)]
                    bytes[i] = UInt8(truncatingIfNeeded: v)
                    bytes[i + 1] = UInt8(truncatingIfNeeded: v >> 8)
                default:  // a small run of random bytes
                    let i = Int.random(in: start..<bytes.count, using: &rng)
                    for k in i..<min(bytes.count, i + Int.random(in: 2...16, using: &rng)) {
                        bytes[k] = UInt8.random(in: 0...255, using: &rng)
                    }
                }
                if Self.probe(bytes) { decoded += 1 } else { rejected += 1 }
            }
            _ = name
        }
        // Most mutations break something; some land on names or padding and still decode.
        #expect(rejected > 0 && decoded > 0, "decoded \(decoded), rejected \(rejected)")
    }

    @Test func randomBytesBehindValidFraming() {
        var rng = IPCTestSupport.RNG(seed: 99)
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<256, using: &rng)
            var body = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if n >= 4, Bool.random(using: &rng) {
                // A plausible root offset.
                body[0] = UInt8(4 * Int.random(in: 1...max(1, n / 8), using: &rng) & 0xFF)
                body[1] = 0; body[2] = 0; body[3] = 0
            }
            _ = Self.probe([0xFF, 0xFF, 0xFF, 0xFF] + Self.le32(n) + body)
            _ = Self.probe(Self.le32(n) + body)
        }
    }

    @Test func hostileBase64() {
        var rng = IPCTestSupport.RNG(seed: 5)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".unicodeScalars)
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<120, using: &rng)
            var s = String.UnicodeScalarView()
            for _ in 0..<n { s.append(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]) }
            _ = try? ArrowIPCSchema.decodeBase64(String(s))
        }
    }
}
