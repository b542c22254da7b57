import Arrow
@testable import Parquet
import Testing

@Suite struct EncodingRLETests {
    typealias S = EncodingTestSupport

    static func roundTrip(_ values: [UInt32], bitWidth: Int) throws -> [UInt32] {
        let sink = MutableBuffer()
        values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: bitWidth, into: sink) }
        return try S.withExactBytes(S.bytes(sink)) { data in
            var d = try RLEHybridDecoder(data, bitWidth: bitWidth)
            var out = [UInt32](repeating: 0xDEAD, count: values.count)
            try out.withUnsafeMutableBufferPointer { try d.decode(into: $0) }
            return out
        }
    }

    @Test(arguments: 0...32)
    func roundTripEveryWidth(width: Int) throws {
        var rng = SeededRNG(seed: UInt64(width) &+ 1)
        let mask: UInt64 = width == 0 ? 0 : (width == 64 ? .max : (1 << UInt64(width)) - 1)
        for n in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099] {
            var values = [UInt32]()
            while values.count < n {
                let v = UInt32(truncatingIfNeeded: rng.next() & mask)
                let repeats = rng.next() % 4 == 0 ? Int(rng.next() % 40) : 1
                values += Array(repeating: v, count: Swift.min(repeats, n - values.count))
            }
            #expect(try Self.roundTrip(values, bitWidth: width) == values, "width \(width) n \(n)")
        }
    }

    @Test func decodeInPiecesMatchesWhole() throws {
        var rng = SeededRNG(seed: 99)
        for width in [1, 3, 8, 13, 17, 32] {
            let mask = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(width)) - 1)
            var values = [UInt32]()
            for _ in 0..<3000 {
                let v = UInt32(truncatingIfNeeded: rng.next()) & mask
                values += Array(repeating: v, count: rng.next() % 5 == 0 ? 20 : 1)
            }
            let sink = MutableBuffer()
            values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: sink) }
            try S.withExactBytes(S.bytes(sink)) { data in
                var d = try RLEHybridDecoder(data, bitWidth: width)
                let out = MutableBuffer()
                var done = 0
                while done < values.count {
                    let k = Swift.min(Int(rng.next() % 37), values.count - done)
                    try d.decode(k, appendingTo: out)
                    done += k
                }
                #expect(S.values(out, as: UInt32.self) == values)
            }
        }
    }
}
