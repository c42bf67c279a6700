// Turns Migrations/*.sql into a Swift source file of CollabStorage at build time (and
// Migrations/postgres/*.sql into one of CollabPostgresStorage), so the server carries its
// schema and works from any directory.
import Foundation
import PackagePlugin

@main
struct EmbedMigrationsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        // PostgreSQL's dialect lives in its own folder, embedded into its own target as
        // `Migration.embeddedPostgres`; SQLite's embedding is unchanged.
        let postgres = target.name == "CollabPostgresStorage"
        let directory = context.package.directoryURL.appending(path: postgres ? "Migrations/postgres" : "Migrations")
        let files = try FileManager.default
            .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        let output = context.pluginWorkDirectoryURL.appending(
            path: postgres ? "EmbeddedPostgresMigrations.swift" : "EmbeddedMigrations.swift")
        // SwiftPM keeps this plan until the manifest changes, so the file list seen here can go
        // stale. The tool therefore lists the directory itself when it runs; the directory is an
        // input (adding a file reruns the tool) and so is each file (in-place edits). Removing or
        // renaming a file then fails with "missing inputs" until `touch Package.swift` replans:
        // loud, where the alternative (no per-file inputs) would silently miss edits.
        return [
            .buildCommand(
                displayName: "Embedding migrations into \(target.name)",
                executable: try context.tool(named: "EmbedResources").url,
                arguments: [postgres ? "postgres-migrations" : "migrations", output.path, directory.path],
                inputFiles: [directory] + files,
                outputFiles: [output]
            )
        ]
    }
}
