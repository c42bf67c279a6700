import CollabTestSupport
import Foundation
import Testing
@testable import CollabTransport

/// Runs the built `collab-echo` executable as a separate process.
@Suite struct EchoProcessTests {
    /// A running `collab-echo`, started through `/bin/sh` so `ulimit` applies to it.
    final class EchoProcess {
        let process = Process()
        let port: Int

        init(shellPrefix: String, arguments: String) throws {
            let binary = try #require(BuiltProduct.url("collab-echo"), "collab-echo was not built next to the tests")
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(shellPrefix) exec '\(binary.path)' \(arguments)"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = ""
            while !line.contains("\n") {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
                line += String(decoding: data, as: UTF8.self)
            }
            let port = line.split(separator: "\n").first.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
            guard line.hasPrefix("listening on 127.0.0.1:"), let port, port > 0 else {
                process.terminate()
                throw IOError(errnoCode: EINVAL, reason: "collab-echo said '\(line)'")
            }
            self.port = port
        }

        /// User plus system CPU time so far, in clock ticks (from /proc/PID/stat).
        func cpuTicks() -> Int? {
            guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // Fields after "(comm)": state is field 3, utime 14, stime 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
            return user + system
        }

        /// SIGTERM, then the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test func outOfDescriptorsDoesNotSpinAndRecovers() throws {
        let echo = try EchoProcess(shellPrefix: "ulimit -n 64;", arguments: "--port 0 --threads 1")
        defer { if echo.process.isRunning { _ = echo.stop() } }

        // More clients than the server has descriptors for: the rest wait in the backlog.
        var peers: [RawWebSocketPeer] = []
        for _ in 0..<80 {
            let peer = try RawWebSocketPeer(port: echo.port, receiveTimeout: .milliseconds(20))
            peer.sendUpgrade()
            peers.append(peer)
        }
        usleep(300_000)
        var served: [RawWebSocketPeer] = []
        var waiting: [RawWebSocketPeer] = []
        for peer in peers {
            if peer.readResponse()?.status == 101 { served.append(peer) } else { waiting.append(peer) }
        }
        peers = []
        #expect(served.count > 30 && served.count < 64, "served \(served.count)")
        #expect(waiting.count >= 16)

        // Out of descriptors, the listener backs off instead of spinning on a ready socket.
        let before = try #require(echo.cpuTicks())
        usleep(1_000_000)
        let after = try #require(echo.cpuTicks())
        #expect(after - before < 20, "collab-echo used \(after - before) ticks in 1 s at EMFILE")

        // The connections it has keep working.
        for peer in served.prefix(3) {
            peer.socket.setReceiveTimeout(.seconds(3))
            peer.send(text: "still echoing")
            #expect(peer.readDataFrame()?.payload == Array("still echoing".utf8))
        }

        // Once some close, waiting clients are served (after at most the longest back-off).
        served.removeFirst(12)
        var upgraded = 0
        for peer in waiting.prefix(8) {
            peer.socket.setReceiveTimeout(.seconds(4))
            if peer.readResponse()?.status == 101 {
                upgraded += 1
                peer.send(text: "late")
                #expect(peer.readDataFrame()?.payload == Array("late".utf8))
            }
        }
        #expect(upgraded == 8)
        #expect(echo.stop() == 0)
    }
}
