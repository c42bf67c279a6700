import Foundation
import Testing

/// The browser sample embedded in the binary and served at `/`.
@Suite(.serialized) struct ServerStaticSiteTests {
    private func request(_ harness: ServerTestHarness, _ target: String, headers: [(String, String)] = [])
        throws -> (status: Int, headers: String, body: String) {
        try ServerTestConnection(port: harness.port).request(target, headers: headers)
    }

    private func header(_ name: String, in head: String) -> String? {
        head.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    @Test func indexAndScriptsAreServedWithTheirTypes() throws {
        let harness = try ServerTestHarness()
        let index = try request(harness, "/")
        #expect(index.status == 200)
        #expect(header("Content-Type", in: index.headers)?.hasPrefix("text/html") == true)
        #expect(header("Cache-Control", in: index.headers) == "no-cache")
        #expect(index.body.contains("collab-client.js"))
        let script = try request(harness, "/collab-client.js")
        #expect(script.status == 200)
        #expect(header("Content-Type", in: script.headers)?.contains("javascript") == true)
    }

    @Test func aCurrentCopyGets304AndAStaleOneTheFile() throws {
        let harness = try ServerTestHarness()
        let first = try request(harness, "/style.css")
        let tag = try #require(header("ETag", in: first.headers))
        let again = try request(harness, "/style.css", headers: [("If-None-Match", tag)])
        #expect(again.status == 304 && again.body.isEmpty)
        let stale = try request(harness, "/style.css", headers: [("If-None-Match", "\"stale\"")])
        #expect(stale.status == 200 && stale.body == first.body)
    }

    @Test func unknownFilesAreNotFound() throws {
        let harness = try ServerTestHarness()
        #expect(try request(harness, "/nothing.js").status == 404)
        #expect(try request(harness, "/../Package.swift").status == 404)  // only embedded files exist
    }
}
