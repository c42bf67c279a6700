import CollabCLI
import CollabStorage

/// `collab docs`: lists the documents in the database.
enum DocsCommand {
    static let spec = CommandSpec(
        name: "docs",
        abstract: "List the documents in the database.",
        discussion: """
            Prints one line per document: its id, its current version (the number of \
            operations stored), its size in characters (Unicode scalars), how many users \
            have written to it and when it last changed (UTC). Reads the database directly, \
            so it works while the server runs; with --server it asks a running server \
            instead (an admin token is needed when the server checks tokens).
            """,
        options: [
            .option("--sort", value: "key", kind: .choice(["id", "version", "size", "authors", "updated"]),
                    help: "Sort by this column; size and the others start with the largest or latest.",
                    defaultValue: "id"),
            .flag("--reverse", help: "Reverse the order."),
            .option("--prefix", value: "text", help: "List only the documents whose id starts with this."),
            .option("--since", value: "time",
                    help: "List only the documents changed at or after this time, in ISO 8601."),
            .flag("--json", help: "Print one JSON object per line instead of a table."),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        examples: [
            CommandExample("The ten documents changed most recently:",
                           "collab docs --sort updated | head -11"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let since = try OperatorStore.time(context, "--since")
        let source = try OperatorSources.open(context)
        var documents = try source.documents(prefix: context.arguments.string("--prefix"))
        if let since {
            documents = documents.filter { $0.updatedAt >= since }
        }
        // Ties keep id order (the list comes sorted by id and the sort is stable).
        switch context.arguments.string("--sort") ?? "id" {
        case "version": documents.sort { $0.version > $1.version }
        case "size": documents.sort { $0.length > $1.length }
        case "authors": documents.sort { $0.authorCount > $1.authorCount }
        case "updated": documents.sort { $0.updatedAt > $1.updatedAt }
        default: break
        }
        if context.arguments.flag("--reverse") {
            documents.reverse()
        }

        if context.arguments.flag("--json") {
            for document in documents {
                context.output.printLine(document.json.jsonString)
            }
            return ExitStatus.success
        }
        guard !documents.isEmpty else {
            context.output.printDiagnostic("no documents")
            return ExitStatus.success
        }
        let header = ["ID", "VERSION", "SIZE", "AUTHORS", "UPDATED"]
        let rows = documents.map { document in
            [document.id, String(document.version), String(document.length), String(document.authorCount),
             ISO8601Time.format(milliseconds: document.updatedAt)]
        }
        let widths = (0..<header.count).map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        for row in [header] + rows {
            let cells = row.enumerated().map { column, cell in
                column == 0 || column == 4 ? OperatorStore.rightPadded(cell, widths[column])
                    : OperatorStore.leftPadded(cell, widths[column])
            }
            context.output.printLine(String(cells.joined(separator: "  ").reversed().drop { $0 == " " }.reversed()))
        }
        return ExitStatus.success
    }
}
