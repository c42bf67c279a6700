#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CollabTransport

@Test func executeRunsOnLoopFromOtherThreads() throws {
    let group = try EventLoopGroup(loopCount: 2, logger: .silent)
    defer { group.shutdown() }
    let count = Locked(0)
    let onLoopCount = Locked(0)
    let loop = group.loops[1]
    #expect(!loop.inEventLoop)
    for _ in 0..<1000 {
        loop.execute {
            count.withLock { $0 += 1 }
            if loop.inEventLoop && !group.loops[0].inEventLoop { onLoopCount.withLock { $0 += 1 } }
        }
    }
    #expect(waitUntil { count.withLock { $0 } == 1000 })
    #expect(onLoopCount.withLock { $0 } == 1000)
}

@Test func loopThreadsCarryTheirNameForTheOS() throws {
    let group = try EventLoopGroup(loopCount: 2, logger: .silent)
    defer { group.shutdown() }
    // The name as `top -H` and `perf` read it: the kernel's comm of the loop's own thread.
    let name = Locked("")
    group.loops[1].execute {
        var buffer = [CChar](repeating: 0, count: 64)
        let fd = open("/proc/thread-self/comm", O_RDONLY)
        if fd >= 0 {
            _ = read(fd, &buffer, 63)
            close(fd)
        }
        name.withLock { $0 = String(cString: buffer) }
    }
    #expect(waitUntil { !name.withLock { $0 }.isEmpty })
    #expect(name.withLock { $0 } == "collab-loop-1\n")
}

@Test func roundRobinAndHashPlacement() throws {
    let group = try EventLoopGroup(loopCount: 3, logger: .silent)
    defer { group.shutdown() }
    let picks = (0..<6).map { _ in group.next().index }
    #expect(picks == [0, 1, 2, 0, 1, 2])
    #expect(group.loop(for: 7) === group.loop(for: 7))
    #expect(group.loop(for: 4).index == 1)
}

@Test func timersFireInDeadlineOrderAndCancel() throws {
    let group = try EventLoopGroup(loopCount: 1, logger: .silent)
    defer { group.shutdown() }
    let loop = group.loops[0]
    let fired = Locked<[Int]>([])
    let start = ContinuousClock.now
    let elapsedAtFirst = Locked<Duration?>(nil)
    let handle = onLoop(loop) { () -> TimerHandle in
        loop.scheduleTimer(after: .milliseconds(60)) { fired.withLock { $0.append(60) } }
        loop.scheduleTimer(after: .milliseconds(20)) {
            elapsedAtFirst.withLock { $0 = ContinuousClock.now - start }
            fired.withLock { $0.append(20) }
        }
        loop.scheduleTimer(after: .milliseconds(40)) { fired.withLock { $0.append(40) } }
        loop.scheduleTimer(after: .milliseconds(20)) { fired.withLock { $0.append(21) } }
        let cancelledOnLoop = loop.scheduleTimer(after: .milliseconds(30)) { fired.withLock { $0.append(30) } }
        cancelledOnLoop.cancel()
        return loop.scheduleTimer(after: .milliseconds(50)) { fired.withLock { $0.append(50) } }
    }
    handle?.cancel() // from the test thread: hops to the loop
    #expect(waitUntil { fired.withLock { $0.count } == 4 })
    usleep(100_000)
    #expect(fired.withLock { $0 } == [20, 21, 40, 60])
    if let first = elapsedAtFirst.withLock({ $0 }) { #expect(first >= .milliseconds(20)) }
    #expect(onLoop(loop) { loop.pendingTimerCount } == 0)
}

@Test func shutdownStopsTheLoopAndDropsLateWork() throws {
    let group = try EventLoopGroup(loopCount: 1, logger: .silent)
    let loop = group.loops[0]
    let ran = Locked(false)
    group.shutdown()
    loop.execute { ran.withLock { $0 = true } }
    usleep(20_000)
    #expect(ran.withLock { $0 } == false)
}

@Test func socketAddressParsing() throws {
    #expect(try SocketAddress(host: "127.0.0.1", port: 80).description == "127.0.0.1:80")
    #expect(try SocketAddress(host: "localhost", port: 8080).description == "127.0.0.1:8080")
    #expect(try SocketAddress(host: "::1", port: 1).description == "[::1]:1")
    #expect(try SocketAddress(host: "[::1]", port: 1).family == AF_INET6)
    #expect(throws: IOError.self) { try SocketAddress(host: "example.com", port: 1) }
    #expect(throws: IOError.self) { try SocketAddress(host: "1.2.3.4", port: 70000) }
}
