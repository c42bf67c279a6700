#if canImport(Glibc)
import Glibc
#endif
import CollabJSON
import Foundation
import Testing
import CollabTestSupport

/// The built `collab serve` as an operator runs it: JSON log lines, the open-mode guard.
@Suite(.serialized) struct ServeCommandLogTests {
    /// Runs `collab` with `arguments`; returns the process and its standard error.
    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe) {
        let binary = try #require(CollabProcess.binary, "the collab executable was not built next to the tests")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    @Test func jsonLogLinesFromStartToStop() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("collab-json-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) } }
        let secret = "a secret for the json log test, 32+ bytes"
        let (process, errors) = try Self.launch(
            ["serve", "--port", "0", "--db", database, "--threads", "1", "--log-format", "json"],
            environment: ["COLLAB_AUTH_SECRET": secret])
        let handle = errors.fileHandleForReading
        var text = ""
        while !text.contains("\n") {
            let data = handle.availableData
            guard !data.isEmpty else { break }
            text += String(decoding: data, as: UTF8.self)
        }
        let start = try JSONReader.parse(String(text.prefix { $0 != "\n" }))
        #expect(start["event"]?.string == "start" && start["level"]?.string == "info")
        #expect(start["auth"]?.string == "jwt")
        #expect(start["node"]?.string == start["address"]?.string)
        let port = try #require(start["address"]?.string?.split(separator: ":").last.flatMap { Int($0) })
        // A refused handshake with a token in the query, then a stop.
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtd3Jvbmc"
        #expect(try ServerTestConnection(port: port).request("/v1/docs/d?token=\(token)", upgrade: true).status == 401)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        text += String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let events = try text.split(separator: "\n").map { try JSONReader.parse(String($0)) }
        #expect(events.map { $0["event"]?.string ?? "?" } == ["start", "refused", "stopping", "stop"])
        #expect(events[1]["status"]?.int == 401)
        #expect(!text.contains(token) && !text.contains(secret))
        #expect(process.terminationStatus == 0)
    }

    @Test func openModeRefusesANonLoopbackAddress() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("collab-open-\(UUID().uuidString).sqlite").path
        let (process, errors) = try Self.launch(["serve", "--host", "0.0.0.0", "--port", "0", "--db", database])
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 2)
        #expect(message.contains("--insecure-open"))
        #expect(!FileManager.default.fileExists(atPath: database))
    }
}
