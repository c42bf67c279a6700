import CollabTestSupport
import Foundation
import Testing

/// Runs the built `collab` executable, as a user would, with a controlled environment.
@Suite struct CollabBinaryTests {
    typealias Result = ExecutableRun

    private func collab(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let binary = try #require(BuiltProduct.collab, "the collab executable was not built next to the tests")
        return try ExecutableRun.run(binary, arguments, environment: environment)
    }

    static let subcommands: [[String]] = [
        ["serve"], ["docs"], ["export"], ["history"], ["show"], ["blame"], ["diff"], ["versions"], ["tag"],
        ["restore"], ["compact"], ["delete"], ["verify"], ["import"], ["copy"],
        ["token"], ["migrate"], ["bench"], ["bench", "ot"], ["bench", "ws"], ["bench", "server"],
        ["bench", "floor"],
    ]

    @Test func rootHelpWordForWord() throws {
        let result = try collab(["--help"])
        #expect(result == Result(status: 0, out: """
            OVERVIEW: A real-time collaborative text-editing server.

            Editors connect over WebSocket and edit documents together; every change is
            stored in a SQLite database before it is acknowledged. 'collab serve' runs the
            server; the other commands inspect and maintain the database, and can run while
            the server does.

            USAGE: collab <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              serve                   Run the collaboration server.
              docs                    List the documents in the database.
              export                  Write the text of a document, now or as it was.
              history                 Show who changed a document, and when.
              show                    Show one operation and the text it changed.
              blame                   Show who last changed each line of a document.
              diff                    Show what changed in a document between two versions.
              versions                List a document's named versions.
              tag                     Name a version of a document.
              restore                 Bring back an earlier version's text as a new edit.
              compact                 Fold a document's old history into a snapshot.
              delete                  Delete a document and its whole history.
              verify                  Check that stored history replays to the stored text.
              import                  Create a document from a text file.
              copy                    Copy documents with their history between databases.
              token                   Print a signed access token for a client.
              migrate                 Bring the database schema up to date.
              bench                   Measure the performance of the engine and the server.
              help                    Show subcommand help information.

              See 'collab help <subcommand>' for detailed help.

            EXAMPLES:
              Serve on port 8080 with tokens signed by the secret in a file:
                collab serve --auth-secret-file /etc/collab/secret

              Make a token for Ada, valid for 8 hours on the notes documents:
                collab token --sub ada --role editor --docs 'notes-*' --ttl 8h

              Save a document's current text to a file:
                collab export notes-2025 -o notes.txt

            """, err: ""))
        #expect(try collab([]) == result)
        #expect(try collab(["help"]) == result)
    }

    @Test func benchOTHelpWordForWord() throws {
        #expect(try collab(["help", "bench", "ot"]) == Result(status: 0, out: """
            OVERVIEW: Replay an editing trace through the OT engine.

            Applies every edit of a recorded editing session to a document and reports the
            time per run and the edits per second. Without --trace the built-in trace is
            used.

            USAGE: collab bench ot [--trace <path>] [--runs <count>]

            OPTIONS:
              --trace <path>          The editing trace to replay instead of the built-in
                                      one.
              --runs <count>          How many times to replay the trace. (default: 5)
              -h, --help              Show help information.

            """, err: ""))
    }

    @Test(arguments: subcommands)
    func helpSubcommandEqualsDashDashHelp(path: [String]) throws {
        let viaHelp = try collab(["help"] + path)
        #expect(viaHelp.status == 0)
        #expect(viaHelp.err == "")
        #expect(viaHelp.out.hasPrefix("OVERVIEW: "))
        #expect(viaHelp.out.contains("\nUSAGE: collab \(path.joined(separator: " "))"))
        #expect(try collab(path + ["--help"]) == viaHelp)
        #expect(try collab(path + ["-h"]) == viaHelp)
        for line in viaHelp.out.split(separator: "\n") {
            #expect(line.count <= 80, "line over 80 columns: \(line)")
        }
    }

    @Test func benchFloorMeasuresEachPrimitiveAndAddsThemUp() throws {
        let temporary = try TemporaryDirectory(prefix: "floor")
        let directory = temporary.url
        let result = try collab(["bench", "floor", "--dir", directory.path, "--rounds", "20", "--runs", "1",
                                 "--recipients", "6", "--ops-per-commit", "4"])
        #expect(result.status == 0, "\(result.err)")
        var values: [String: Double] = [:]
        for line in result.out.split(separator: "\n") where line.hasPrefix("result ") {
            let fields = line.split(separator: " ")
            values[String(fields[1])] = Double(fields[2])
        }
        #expect(Set(values.keys) == ["wake_us", "send_us", "wake_read_us", "commit_us",
                                     "floor_one_document_us", "floor_fifty_documents_us"])
        let wakeRead = try #require(values["wake_read_us"]), send = try #require(values["send_us"])
        let commit = try #require(values["commit_us"])
        // A send's cost is the round's CPU less a timed wake-up's, clamped at 0: on a loaded
        // machine the difference can vanish in the noise of 20 rounds.
        #expect(wakeRead > 0 && send >= 0 && commit > 0)
        // The floors are the sums the help describes (figures are printed to 0.1 µs).
        #expect(abs(try #require(values["floor_one_document_us"]) - (2 * wakeRead + 6 * send + commit)) < 0.5)
        #expect(abs(try #require(values["floor_fifty_documents_us"]) - (2 * wakeRead + 4 * send + commit / 4)) < 0.5)
        // The commit test file is removed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)

        let missing = try collab(["bench", "floor", "--dir", directory.path + "/missing", "--rounds", "10",
                                  "--runs", "1"])
        #expect(missing.status == 1)
        #expect(missing.err.contains("cannot create \(directory.path)/missing/collab-floor-"))
    }

    @Test func version() throws {
        #expect(try collab(["--version"]) == Result(status: 0, out: "0.1.0-dev\n", err: ""))
    }

    @Test func serveRefusesOpenModeOffLoopback() throws {
        let result = try collab(["serve", "--host", "0.0.0.0", "--port", "0"])
        #expect(result.status == 2)
        #expect(result.out == "")
        #expect(result.err.contains("no auth secret is configured"))
        #expect(result.err.contains("--insecure-open"))
    }

    @Test func usageErrorOnStandardErrorWithStatusTwo() throws {
        #expect(try collab(["serve", "--prot", "80"]) == Result(status: 2, out: "", err: """
            error: unknown option '--prot'. Did you mean '--port'?
            See 'collab serve --help'.

            """))
        #expect(try collab(["export", "notes", "--version", "1", "--at", "2025-01-01"]).status == 2)
        #expect(try collab(["show", "notes"]).status == 2)
        #expect(try collab(["token", "--sub", "ada", "--role", "owner"]).status == 2)
        #expect(try collab(["serve", "--tls-cert", "c.pem"]).status == 2)
        #expect(try collab(["bench", "ot", "--runs", "0"]).status == 2)
        #expect(try collab(["srve"]).err == "error: unknown subcommand 'srve'. Did you mean 'serve'?\nSee 'collab --help'.\n")
    }

    @Test func environmentFallbackIsChecked() throws {
        #expect(try collab(["serve"], environment: ["COLLAB_PORT": "http"]) == Result(status: 2, out: "", err: """
            error: invalid value 'http' in COLLAB_PORT (for '--port'): expected an integer from 0 to 65535.
            See 'collab serve --help'.

            """))
        // The command line wins, so the bad variable is never read.
        #expect(try collab(["serve", "--port", "1", "--host", "0.0.0.0"], environment: ["COLLAB_PORT": "http"]).status == 2)
    }
}
