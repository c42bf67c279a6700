import CollabCLI
import CollabJSON
import CollabStorage

/// `collab versions`: a document's named versions.
enum VersionsCommand {
    static let spec = CommandSpec(
        name: "versions",
        abstract: "List a document's named versions.",
        discussion: """
            One line per name, in version order: the version, when it was named (UTC), who \
            named it and the name. --json prints [{"name", "version", "user", "time"}], as \
            'GET /v1/docs/{id}/versions' answers. 'collab tag' names a version; 'collab export \
            --version' and 'collab restore --name' use them.
            """,
        arguments: [CollabCommand.documentArgument],
        options: [
            .flag("--json", help: "Print JSON instead of a table."),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        examples: [CommandExample("The named versions of notes:", "collab versions notes")],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let names = try OperatorSources.open(context).namedVersions(doc: doc)
        if context.arguments.flag("--json") {
            let json = JSONValue.array(names.map { named in
                .object(JSONObject([
                    ("name", .string(named.name)), ("version", .integer(named.version)), ("user", .string(named.user)),
                    ("time", .string(ISO8601Time.format(milliseconds: named.createdAt))),
                ]))
            })
            context.output.printLine(json.jsonString)
            return ExitStatus.success
        }
        guard !names.isEmpty else {
            context.output.printDiagnostic("document '\(doc)' has no named version ('collab tag' names one)")
            return ExitStatus.success
        }
        let versionWidth = names.map { String($0.version).count }.max() ?? 1
        let userWidth = names.map(\.user.count).max() ?? 1
        for named in names {
            context.output.printLine(OperatorStore.leftPadded(String(named.version), versionWidth) + "  "
                                     + ISO8601Time.format(milliseconds: named.createdAt) + "  "
                                     + OperatorStore.rightPadded(named.user, userWidth) + "  " + named.name)
        }
        return ExitStatus.success
    }
}
