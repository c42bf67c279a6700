import CollabCLI
import CollabStorage
import Dispatch
import Foundation

/// `collab history`: shows who changed a document, and when.
enum HistoryCommand {
    static let spec = CommandSpec(
        name: "history",
        abstract: "Show who changed a document, and when.",
        discussion: """
            Prints one line per stored operation, oldest first: the version it was stored \
            as, the time (ISO 8601, UTC), the user (the token's sub), the client id and a \
            summary: +inserted -deleted @position, in characters. 'collab show <doc> \
            --version <n>' shows one operation with the text around it.

            Output comes in pages of --limit operations; when more follow, standard error \
            says how to get the next page. --json prints each operation as the protocol's \
            OP_RECORD (with a time field added), one JSON object per line.

            --follow keeps printing operations as the server stores them (it checks every \
            200 ms) until interrupted with Ctrl-C. Without --from it starts with the last \
            --limit versions. With --server it asks a running server, which needs an admin \
            token when it checks tokens.
            """,
        arguments: [CollabCommand.documentArgument],
        options: [
            .option("--from", value: "n", kind: .nonNegativeInteger,
                    help: "Start at this version.", defaultValue: "0"),
            .option("--limit", value: "m", kind: .positiveInteger,
                    help: "Show at most this many operations per page.", defaultValue: "100"),
            .option("--user", value: "user",
                    help: "Show only the operations of this user (the token's sub)."),
            .option("--since", value: "time",
                    help: "Show only operations stored at or after this time, in ISO 8601."),
            .flag("--json", help: "Print each operation as a JSON OP_RECORD, one per line."),
            .flag("--ops", help: "Include each operation itself, not just its size."),
            .flag("--follow", help: "Keep running and print operations as they are stored."),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        examples: [
            CommandExample("Follow the changes Ada makes to notes, as JSON:",
                           "collab history notes --user ada --json --follow"),
            CommandExample("The second page of 100 operations:",
                           "collab history notes --from 100"),
        ],
        action: run)

    /// How often `--follow` looks for new operations.
    static let pollInterval: Duration = .milliseconds(200)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let since = try OperatorStore.time(context, "--since")
        let limit = context.arguments.int("--limit") ?? 100
        let user = context.arguments.string("--user")
        let source = try OperatorSources.open(context)
        let info = try source.document(doc)
        let follow = context.arguments.flag("--follow")
        var next = context.arguments.int("--from") ?? 0
        if follow, context.arguments.source(of: "--from") != .commandLine {
            next = max(0, info.version - limit)
        }
        let printer = Printer(context: context, versionWidth: String(max(info.version, 1) - 1).count)

        func page(from version: Int, limit: Int) throws(CLIError) -> [OpRecord] {
            try source.history(doc: doc, from: version, limit: limit, user: user, since: since)
        }

        guard follow else {
            let records = try page(from: next, limit: limit + 1)
            records.prefix(limit).forEach(printer.print)
            if records.count > limit, let last = records.prefix(limit).last {
                context.output.printDiagnostic("-- more: \(nextPageCommand(context, doc: doc, from: last.version + 1))")
            }
            return ExitStatus.success
        }

        let interrupted = InterruptFlag()
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { interrupted.raise() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        while !interrupted.isRaised {
            let current = try source.document(doc).version
            let records = try page(from: next, limit: limit)
            records.forEach(printer.print)
            if let last = records.last {
                next = last.version + 1
                if records.count == limit { continue }
            } else {
                // Every op below `current` was committed before the query: none of them matched.
                next = max(next, current)
            }
            // Sleep in short steps so an interrupt ends the wait promptly.
            let deadline = ContinuousClock.now + pollInterval
            while !interrupted.isRaised, ContinuousClock.now < deadline {
                usleep(20_000)
            }
        }
        return ExitStatus.success
    }

    /// The same command with `--from` moved on, for the "more" hint.
    static func nextPageCommand(_ context: CommandContext, doc: String, from: Int) -> String {
        var words = ["collab", "history", doc, "--from", String(from)]
        for option in ["--limit", "--user", "--since", "--db", "--server", "--ca-file"] where context.arguments.source(of: option) == .commandLine {
            // A PostgreSQL URL's password stays out of the hint (it prints it hidden).
            words += [option, option == "--db" ? OperatorStore.path(context) : context.arguments.string(option) ?? ""]
        }
        for flag in ["--json", "--ops"] where context.arguments.flag(flag) {
            words.append(flag)
        }
        return words.map(OperatorStore.shellQuoted).joined(separator: " ")
    }

    /// Prints history lines in the chosen format.
    struct Printer {
        let context: CommandContext
        let versionWidth: Int

        func print(_ record: OpRecord) {
            if context.arguments.flag("--json") {
                context.output.printLine(record.historyJSON.jsonString)
                return
            }
            var line = [
                OperatorStore.leftPadded(String(record.version), versionWidth),
                ISO8601Time.format(milliseconds: record.ts), record.user, record.clientId,
                OperatorStore.summary(of: record),
            ].joined(separator: "  ")
            if context.arguments.flag("--ops") {
                line += "  " + record.opJSON
            }
            context.output.printLine(line)
        }
    }
}
