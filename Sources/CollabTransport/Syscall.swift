#if canImport(Glibc)
import Glibc
#endif

/// Runs system calls, retrying on `EINTR` and turning `-1` into a typed `IOError`.
enum Syscall {
    /// Runs `body` until it does not fail with `EINTR`; `-1` with any other errno throws.
    @inline(__always)
    static func run<T: FixedWidthInteger>(
        _ reason: @autoclosure () -> String, _ body: () -> T
    ) throws(IOError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw IOError(errnoCode: code, reason: reason())
        }
    }

    /// Like `run`, but `EAGAIN`/`EWOULDBLOCK` become `.wouldBlock` instead of an error.
    @inline(__always)
    static func nonBlocking<T: FixedWidthInteger>(
        _ reason: @autoclosure () -> String, _ body: () -> T
    ) throws(IOError) -> IOResult<T> {
        while true {
            let result = body()
            if result != -1 { return .processed(result) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw IOError(errnoCode: code, reason: reason())
        }
    }

    /// Closes `fd`. `EINTR` is not retried: on Linux the descriptor is released anyway.
    static func close(_ fd: CInt) {
        _ = Glibc.close(fd)
    }

    /// Current `CLOCK_MONOTONIC` time in nanoseconds.
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The number of CPUs this process may run on (at least 1).
    static func coreCount() -> Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }

    /// Ignores SIGPIPE process-wide: a write to a closed peer must fail with EPIPE, not kill us.
    static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }
}

extension Duration {
    /// This duration in whole nanoseconds, clamped to zero and to `UInt64.max`.
    var clampedNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        let (s, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (sum, overflow2) = s.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow2 ? .max : sum
    }
}
