import CollabPostgres
import Testing

@Suite struct PostgresURLTests {
    @Test func fullURL() throws {
        let url = try PostgresURL("postgres://alice:s3cret@db.example.com:6543/collab?sslmode=require")
        #expect(url.configuration.user == "alice")
        #expect(url.configuration.password == "s3cret")
        #expect(url.configuration.host == "db.example.com")
        #expect(url.configuration.port == 6543)
        #expect(url.configuration.database == "collab")
        #expect(url.configuration.sslMode == .require)
        #expect(url.redacted == "postgres://alice:***@db.example.com:6543/collab?sslmode=require")
        #expect("\(url)".contains("s3cret") == false)
    }

    @Test func postgresqlSchemeAndDefaults() throws {
        let url = try PostgresURL("postgresql://bob@localhost")
        #expect(url.configuration.user == "bob")
        #expect(url.configuration.password == nil)
        #expect(url.configuration.port == 5432)
        #expect(url.configuration.database == nil)
        #expect(url.configuration.sslMode == .disable)
        #expect(url.redacted == "postgres://bob@localhost:5432")
    }

    @Test func percentEncodedUserAndPassword() throws {
        let url = try PostgresURL("postgres://us%40er:p%40ss%3Aw%2Frd%25%20%C3%A9@127.0.0.1:5432/my%20db?sslmode=disable")
        #expect(url.configuration.user == "us@er")
        #expect(url.configuration.password == "p@ss:w/rd% é")
        #expect(url.configuration.database == "my db")
        #expect(url.redacted == "postgres://us%40er:***@127.0.0.1:5432/my%20db")
    }

    @Test func rawAtSignInPasswordAndIPv6Host() throws {
        let url = try PostgresURL("postgres://u:p@ss@[::1]:5433/d")
        #expect(url.configuration.password == "p@ss")
        #expect(url.configuration.host == "::1")
        #expect(url.configuration.port == 5433)
        #expect(url.redacted == "postgres://u:***@[::1]:5433/d")
    }

    @Test func badURLsGiveTypedErrors() {
        let cases: [(String, PostgresURLError)] = [
            ("mysql://u:p@h/d", .unsupportedScheme("mysql")),
            ("/var/lib/collab.sqlite", .unsupportedScheme("(none)")),
            ("postgres://h:5432/d", .missingUser),
            ("postgres://:pw@h/d", .missingUser),
            ("postgres://u:p@/d", .missingHost),
            ("postgres://u:p@h:0/d", .invalidPort("0")),
            ("postgres://u:p@h:99999/d", .invalidPort("99999")),
            ("postgres://u:p@h:abc/d", .invalidPort("abc")),
            ("postgres://u:p%4@h/d", .invalidPercentEncoding(component: "password")),
            ("postgres://u%ZZ:p@h/d", .invalidPercentEncoding(component: "user")),
            ("postgres://u:p%FF@h/d", .invalidPercentEncoding(component: "password")),
            ("postgres://u:p@h/d?sslmode=verify-full", .unsupportedParameter("sslmode=verify-full")),
            ("postgres://u:p@h/d?connect_timeout=5", .unsupportedParameter("connect_timeout=5")),
            ("postgres://u:p@[::1/d", .malformed("unclosed '[' in the host")),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try PostgresURL(text) }
        }
    }

    @Test func errorMessagesNeverContainThePassword() {
        for text in ["postgres://u:hunter2@h:bad/d", "postgres://u:hunter2@h/d?x=1", "postgres://u:hunter2%@h/d",
                     "postgres://u:hunter2@/d"] {
            do {
                _ = try PostgresURL(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(!error.description.contains("hunter2"), "\(error)")
            }
        }
    }
}
