import CollabCLI
import CollabJSON
import CollabStorage

/// `collab export`: writes a document's text, now or as it was.
enum ExportCommand {
    static let spec = CommandSpec(
        name: "export",
        abstract: "Write the text of a document, now or as it was.",
        discussion: """
            Without --version or --at the current text is written. The text is rebuilt from \
            the nearest snapshot and the operations after it, so any version can be written.

            --format json writes one object: {"id", "version", "ts", "time", "text"}, where ts \
            (milliseconds since the epoch) and time (ISO 8601, UTC) are when the operation that \
            made the version was stored.

            With --server the text comes from a running server (a viewer token for the \
            document is enough).
            """,
        arguments: [CollabCommand.documentArgument],
        options: [
            .option("--version", value: "n", kind: .nonNegativeInteger,
                    help: "Write the text as of this version (after n operations)."),
            .option("--at", value: "time",
                    help: "Write the text as it was at this time, in ISO 8601 (2025-01-31T12:00:00Z, or a date)."),
            .option("--format", value: "format", kind: .choice(["text", "json"]),
                    help: "text writes the text alone; json writes it with its id, version and time.",
                    defaultValue: "text"),
            .option("--output", short: "o", value: "file",
                    help: "Write to this file instead of standard output."),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        constraints: [.mutuallyExclusive(["--version", "--at"])],
        examples: [
            CommandExample("Save the text of notes as it was at version 120:",
                           "collab export notes --version 120 -o notes-v120.txt"),
            CommandExample("The text of notes as it was at noon UTC on 31 January:",
                           "collab export notes --at 2025-01-31T12:00:00Z"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let at = try OperatorStore.time(context, "--at")
        let point: DocumentPoint
        if let at {
            point = .time(at)
        } else if let version = context.arguments.int("--version") {
            point = .version(version)
        } else {
            point = .current
        }
        let exported = try OperatorSources.open(context).text(doc: doc, at: point)
        let version = exported.version, ts = exported.ts, text = exported.text

        var data: [UInt8]
        if context.arguments.string("--format") == "json" {
            let object = JSONValue.object(JSONObject([
                ("id", .string(doc)), ("version", .integer(version)),
                ("ts", ts.map { .integer(Int($0)) } ?? .null),
                ("time", ts.map { .string(ISO8601Time.format(milliseconds: $0)) } ?? .null),
                ("text", .string(text)),
            ]))
            data = object.encoded()
            data.append(UInt8(ascii: "\n"))
        } else {
            data = Array(text.utf8)
        }
        if let output = context.arguments.string("--output"), output != "-" {
            do {
                try FileIO.write(data, to: output)
            } catch {
                throw context.failure("cannot write \(output): \(error.reason).")
            }
        } else {
            context.output.standardOutput(String(decoding: data, as: UTF8.self))
        }
        return ExitStatus.success
    }
}
