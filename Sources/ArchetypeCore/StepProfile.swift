#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Timings of one table in one tick (engine.md §9), in seconds.
public struct TableStepProfile: Sendable, Equatable {
    public var table: String
    public var readPriorSeconds = 0.0
    public var materializeSeconds = 0.0
    public var processSeconds = 0.0
    public var appendSeconds = 0.0
    public var liveSnapshotSeconds = 0.0
    public var tableSeconds = 0.0
    /// Rows handed to the processors.
    public var rowsPrior = 0
    /// Rows appended for this table (0: nothing appended).
    public var rowsAppended = 0

    public init(table: String) { self.table = table }
}

/// Timings of one tick.
public struct StepProfile: Sendable, Equatable {
    /// The tick produced.
    public var tick: Int32
    /// Per table, in processing order.
    public var tables: [TableStepProfile]
    public var tickSeconds: Double

    public init(tick: Int32, tables: [TableStepProfile] = [], tickSeconds: Double = 0) {
        self.tick = tick
        self.tables = tables
        self.tickSeconds = tickSeconds
    }
}

/// Monotonic stopwatch (stdlib `ContinuousClock`, no Foundation).
struct Stopwatch {
    private let start = Stopwatch.now()

    /// Seconds since the stopwatch was made.
    var seconds: Double { Double(Stopwatch.now() &- start) * 1e-9 }

    /// The monotonic clock in nanoseconds: one vDSO call, where `ContinuousClock` and
    /// `Duration` arithmetic cost 128-bit multiplications (a split step reads it ~8 times).
    static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
}
