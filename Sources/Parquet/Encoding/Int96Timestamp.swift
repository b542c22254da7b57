/// The deprecated INT96 timestamp: 8 bytes of nanoseconds within the day, then a 4-byte Julian
/// day number, both little-endian (as Impala, Hive and old Spark write it).
public enum Int96Timestamp {
    /// The Julian day of 1970-01-01.
    public static let julianDayOfUnixEpoch: Int64 = 2_440_588
    /// Nanoseconds in a day.
    public static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    /// Nanoseconds since the Unix epoch of the INT96 value at `p` (12 bytes). Out-of-range values
    /// wrap (as other readers do) instead of trapping.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public static func nanoseconds(at p: UnsafeRawPointer) -> Int64 {
        let nanosOfDay = Int64(littleEndian: p.loadUnaligned(as: Int64.self))
        let julianDay = Int64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        return (julianDay &- julianDayOfUnixEpoch) &* nanosecondsPerDay &+ nanosOfDay
    }

    /// Writes `nanoseconds` since the Unix epoch as an INT96 value (12 bytes) at `p`.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public static func store(nanoseconds: Int64, at p: UnsafeMutableRawPointer) {
        var days = nanoseconds / nanosecondsPerDay
        var nanosOfDay = nanoseconds % nanosecondsPerDay
        if nanosOfDay < 0 {
            nanosOfDay &+= nanosecondsPerDay
            days &-= 1
        }
        p.storeBytes(of: nanosOfDay.littleEndian, as: Int64.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: days &+ julianDayOfUnixEpoch).littleEndian, toByteOffset: 8, as: UInt32.self)
    }

    /// Converts `count` INT96 values at `src` into nanoseconds at `dst`.
    ///
    /// - Complexity: O(*count*).
    static func convert(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Int64>) {
        for i in 0..<count { dst[i] = nanoseconds(at: src + i &* 12) }
    }
}
