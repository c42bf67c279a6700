import CollabCLI
import CollabJSON
import CollabStorage

/// `collab tag`: names a version of a document.
enum TagCommand {
    static let spec = CommandSpec(
        name: "tag",
        abstract: "Name a version of a document.",
        discussion: """
            Names are unique per document, 1 to 100 characters without control characters. \
            The version defaults to the current one. 'collab versions' lists the names; \
            'collab restore --name' and 'GET /v1/docs/{id}?name=' use them, and a named \
            version keeps its text through 'collab compact'.
            """,
        arguments: [
            CollabCommand.documentArgument,
            ArgumentSpec("name", help: "The name, such as 'sent to the editor'."),
        ],
        options: [
            .option("--version", value: "n", kind: .nonNegativeInteger, help: "The version to name.",
                    defaultDescription: "the current version"),
            HistoryActionOptions.userOption,
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        examples: [CommandExample("Name the current version of notes:", "collab tag notes 'first draft'")],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let name = context.arguments.positional("name") ?? ""
        if let problem = NamedVersion.problem(with: name) {
            throw context.usageError("invalid value for <name>: \(problem).")
        }
        let version = context.arguments.int("--version")
        if let remote = try HistoryActionOptions.remote(context) {
            var body = JSONObject([("name", .string(name))])
            if let version { body["version"] = .integer(version) }
            let answer = try remote.send("POST", remote.documentPath(doc, "/versions"), body: .object(body))
            context.output.printLine("named version \(HistoryActionOptions.integer("version", in: answer) ?? version ?? 0) of '\(doc)' '\(name)'")
            return ExitStatus.success
        }
        let store = try OperatorStore.openForWriting(context)
        let info = try OperatorStore.document(context, store: store, doc: doc)
        let target = version ?? info.version
        guard target <= info.version else {
            throw OperatorStore.failure(context, DocumentHistoryError.versionNotFound(doc: doc, requested: target,
                                                                                      current: info.version),
                                        path: OperatorStore.path(context))
        }
        do {
            try store.addNamedVersion(NamedVersion(doc: doc, name: name, version: target,
                                                   user: HistoryActionOptions.user(context),
                                                   createdAt: HistoryActionOptions.now()))
        } catch .nameTaken {
            throw context.failure("document '\(doc)' already has a version named '\(name)'; "
                                  + "'collab versions \(OperatorStore.shellQuoted(doc))' lists them.")
        } catch {
            throw OperatorStore.failure(context, error, path: OperatorStore.path(context))
        }
        context.output.printLine("named version \(target) of '\(doc)' '\(name)'")
        return ExitStatus.success
    }
}
