import CollabCLI
import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import Foundation

/// `collab migrate`: brings the database schema up to date.
enum MigrateCommand {
    static let spec = CommandSpec(
        name: "migrate",
        abstract: "Bring the database schema up to date.",
        discussion: """
            Applies the migrations built into this binary that the database has not had yet, \
            each in its own transaction, creating the database if it does not exist. 'collab \
            serve' does the same at start-up. A database migrated by a newer collab is left \
            untouched.

            With --db postgres://... the PostgreSQL migrations are applied instead, all in one \
            transaction under an advisory lock, so nodes migrating at once apply each one only \
            once. The PostgreSQL database itself must exist (createdb); its tables are created \
            in it.
            """,
        options: [
            .flag("--dry-run", help: "Print the SQL of the migrations that would run, and change nothing."),
            CollabCommand.databaseOption,
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        if case .postgres(let url) = try OperatorStore.location(context) {
            return try runOnPostgres(context, url)
        }
        let path = OperatorStore.path(context)
        let migrator = Migrator.embedded
        let exists = FileManager.default.fileExists(atPath: path)
        if context.arguments.flag("--dry-run") {
            var pending = migrator.migrations
            if exists {
                do {
                    let database = try Database(path: path, mode: .readOnly)
                    pending = try migrator.pendingMigrations(in: database)
                } catch let error as SQLiteError {
                    throw OperatorStore.failure(context, StorageError.sqlite(error), path: path)
                } catch let error as MigrationError {
                    throw OperatorStore.failure(context, StorageError.migration(error), path: path)
                } catch {
                    throw context.failure("cannot read \(path): \(error).")
                }
            }
            guard !pending.isEmpty else {
                context.output.printLine("\(path) is up to date (schema version \(migrator.knownVersion)); nothing to apply")
                return ExitStatus.success
            }
            if !exists {
                context.output.printLine("-- \(path) does not exist; it would be created")
            }
            for migration in pending {
                context.output.printLine("-- migration \(migration.version): \(migration.name)")
                context.output.standardOutput(migration.sql.hasSuffix("\n") ? migration.sql : migration.sql + "\n")
            }
            return ExitStatus.success
        }

        let applied: [Migration]
        do {
            let database = try Database(path: path, mode: .readWriteCreate)
            _ = try database.scalarText("PRAGMA journal_mode=WAL")
            applied = try migrator.migrate(database)
        } catch let error as SQLiteError {
            throw OperatorStore.failure(context, StorageError.sqlite(error), path: path)
        } catch let error as MigrationError {
            throw OperatorStore.failure(context, StorageError.migration(error), path: path)
        } catch {
            throw context.failure("cannot migrate \(path): \(error).")
        }
        if applied.isEmpty {
            context.output.printLine("\(path) is up to date (schema version \(migrator.knownVersion)); nothing to apply")
        }
        for migration in applied {
            context.output.printLine("applied migration \(migration.version): \(migration.name)")
        }
        return ExitStatus.success
    }

    /// `migrate` on PostgreSQL: the same output, from `PostgresMigrator`.
    static func runOnPostgres(_ context: CommandContext, _ url: PostgresURL) throws(CLIError) -> Int32 {
        let name = url.redacted
        let migrator = PostgresMigrator.embedded
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(url.configuration)
        } catch {
            throw OperatorStore.failure(context, StorageError.database(code: error.sqlState?.code, message: error.description),
                                        path: name)
        }
        defer { connection.close() }
        let applied: [Migration]
        do throws(PostgresMigrationError) {
            if context.arguments.flag("--dry-run") {
                let done = try migrator.appliedVersions(on: connection)
                if let highest = done.last, highest > migrator.knownVersion {
                    throw .databaseNewer(databaseVersion: highest, knownVersion: migrator.knownVersion)
                }
                let pending = migrator.migrations.filter { !done.contains($0.version) }
                guard !pending.isEmpty else {
                    context.output.printLine("\(name) is up to date (schema version \(migrator.knownVersion)); nothing to apply")
                    return ExitStatus.success
                }
                for migration in pending {
                    context.output.printLine("-- migration \(migration.version): \(migration.name)")
                    context.output.standardOutput(migration.sql.hasSuffix("\n") ? migration.sql : migration.sql + "\n")
                }
                return ExitStatus.success
            }
            applied = try migrator.migrate(connection)
        } catch {
            throw OperatorStore.failure(context, PostgresOpStore.storageError(error), path: name)
        }
        if applied.isEmpty {
            context.output.printLine("\(name) is up to date (schema version \(migrator.knownVersion)); nothing to apply")
        }
        for migration in applied {
            context.output.printLine("applied migration \(migration.version): \(migration.name)")
        }
        return ExitStatus.success
    }
}
