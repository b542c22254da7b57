import Arrow
import CArrowABI

/// Wraps the release callback of a C struct so a test can count how often it runs, without
/// relying on process-wide counters (tests run in parallel).
final class ReleaseCounter: @unchecked Sendable {
    var count = 0
    var arrayRelease: (@convention(c) (UnsafeMutablePointer<ArrowArray>?) -> Void)?
    var schemaRelease: (@convention(c) (UnsafeMutablePointer<ArrowSchema>?) -> Void)?
    var originalPrivate: UnsafeMutableRawPointer?

    /// Installs the counter on `array`; the original callback runs when the counter fires.
    static func wrap(_ array: UnsafeMutablePointer<ArrowArray>) -> ReleaseCounter {
        let c = ReleaseCounter()
        c.arrayRelease = array.pointee.release
        c.originalPrivate = array.pointee.private_data
        array.pointee.private_data = Unmanaged.passRetained(c).toOpaque()
        array.pointee.release = { p in
            guard let p, let raw = p.pointee.private_data else { return }
            let c = Unmanaged<ReleaseCounter>.fromOpaque(raw).takeRetainedValue()
            c.count += 1
            p.pointee.private_data = c.originalPrivate
            p.pointee.release = c.arrayRelease
            c.arrayRelease?(p)
        }
        return c
    }

    static func wrap(_ schema: UnsafeMutablePointer<ArrowSchema>) -> ReleaseCounter {
        let c = ReleaseCounter()
        c.schemaRelease = schema.pointee.release
        c.originalPrivate = schema.pointee.private_data
        schema.pointee.private_data = Unmanaged.passRetained(c).toOpaque()
        schema.pointee.release = { p in
            guard let p, let raw = p.pointee.private_data else { return }
            let c = Unmanaged<ReleaseCounter>.fromOpaque(raw).takeRetainedValue()
            c.count += 1
            p.pointee.private_data = c.originalPrivate
            p.pointee.release = c.schemaRelease
            c.schemaRelease?(p)
        }
        return c
    }
}
