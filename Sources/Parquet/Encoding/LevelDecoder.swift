import Arrow

/// A decoder of repetition or definition levels (RLE/bit-packed hybrid, bit width
/// ⌈log₂(max level + 1)⌉) that checks every level against the maximum.
///
/// Data page v1 levels carry a 4-byte length prefix (``init(v1:maxLevel:)``); data page v2 levels
/// have their byte length in the page header (``init(v2:maxLevel:)``).
public struct LevelDecoder {
    var rle: RLEHybridDecoder
    /// The largest level allowed.
    public let maxLevel: Int
    /// The bytes of the page body the levels take (v1: prefix included). The values start after.
    public let byteCount: Int

    /// The bit width of levels up to `maxLevel`: ⌈log₂(max level + 1)⌉.
    ///
    /// - Complexity: O(1).
    public static func bitWidth(maxLevel: Int) -> Int {
        maxLevel <= 0 ? 0 : Int.bitWidth &- maxLevel.leadingZeroBitCount
    }

    static func checkMax(_ maxLevel: Int) throws(ParquetError) {
        guard maxLevel >= 0 && maxLevel <= Int(Int16.max) else {
            throw .corrupt("max level \(maxLevel) is not in 0…\(Int16.max)")
        }
    }

    /// Levels of a data page v1: `data` starts at the 4-byte length prefix (it may extend past
    /// the levels; ``byteCount`` tells where they end).
    ///
    /// - Throws: `corrupt` when the prefix is missing or longer than `data`.
    /// - Complexity: O(1).
    public init(v1 data: UnsafeRawBufferPointer, maxLevel: Int) throws(ParquetError) {
        try LevelDecoder.checkMax(maxLevel)
        let (decoder, n) = try RLEHybridDecoder.lengthPrefixed(data, bitWidth: LevelDecoder.bitWidth(maxLevel: maxLevel))
        rle = decoder
        self.maxLevel = maxLevel
        byteCount = n
    }

    /// Levels of a data page v2: `data` is exactly the level bytes the page header declares.
    ///
    /// - Complexity: O(1).
    public init(v2 data: UnsafeRawBufferPointer, maxLevel: Int) throws(ParquetError) {
        try LevelDecoder.checkMax(maxLevel)
        rle = try RLEHybridDecoder(data, bitWidth: LevelDecoder.bitWidth(maxLevel: maxLevel))
        self.maxLevel = maxLevel
        byteCount = data.count
    }

    /// Decodes the next `levels.count` levels into `levels`.
    ///
    /// - Throws: `corrupt` when the data holds fewer levels or a level exceeds ``maxLevel``.
    /// - Complexity: O(*levels.count*).
    public mutating func decode(into levels: UnsafeMutableBufferPointer<Int16>) throws(ParquetError) {
        guard let p = levels.baseAddress, levels.count > 0 else { return }
        try rle.decode(into: p, count: levels.count)
        // Values are below 2^bitWidth ≤ 2^15, so a single maximum check covers every level.
        var m: Int16 = 0
        for v in levels { m = Swift.max(m, v) }
        if Int(m) > maxLevel { throw .corrupt("level \(m) exceeds the maximum level \(maxLevel)") }
    }

    /// Decodes the next `count` levels and appends them to `buffer` as `Int16`.
    ///
    /// - Complexity: O(*count*).
    public mutating func decode(_ count: Int, appendingTo buffer: MutableBuffer) throws(ParquetError) {
        try buffer.appendValues(count, as: Int16.self) { (p) throws(ParquetError) in
            try decode(into: UnsafeMutableBufferPointer(start: p, count: count))
        }
    }

    /// Skips the next `count` levels (without checking them against the maximum).
    ///
    /// - Complexity: O(run headers crossed).
    public mutating func skip(_ count: Int) throws(ParquetError) {
        try rle.skip(count)
    }
}
