// Build tool behind EmbedMigrationsPlugin and EmbedWebSamplePlugin: writes a Swift file that
// embeds the files of a directory, so the binary works from any directory.
// Usage: EmbedResources migrations OUTPUT.swift MIGRATIONS_DIRECTORY   (its *.sql files)
//        EmbedResources postgres-migrations OUTPUT.swift DIRECTORY    (Migrations/postgres/*.sql)
//        EmbedResources web OUTPUT.swift DIRECTORY                     (every file, subfolders too)
import Foundation

let arguments = CommandLine.arguments
let modes = ["migrations", "postgres-migrations", "web"]
guard arguments.count == 4, modes.contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: EmbedResources (migrations | postgres-migrations | web) OUTPUT.swift DIRECTORY\n".utf8))
    exit(64)
}
do {
    let output = URL(fileURLWithPath: arguments[2])
    let directory = ResourceDirectory(URL(fileURLWithPath: arguments[3], isDirectory: true))
    let text: String
    switch arguments[1] {
    case "migrations":
        text = try EmbeddedMigrations.render(directory.files(recursive: false).filter { $0.hasSuffix(".sql") },
                                             in: directory)
    case "postgres-migrations":
        text = try EmbeddedMigrations.render(directory.files(recursive: false).filter { $0.hasSuffix(".sql") },
                                             in: directory, property: "embeddedPostgres",
                                             source: "Migrations/postgres/*.sql", importing: "CollabStorage")
    default:
        text = try EmbeddedWebSample.render(directory.files(recursive: true), in: directory)
    }
    // Rewrite only on change, so an unchanged input does not recompile the target.
    if (try? String(contentsOf: output, encoding: .utf8)) != text {
        try Data(text.utf8).write(to: output, options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("EmbedResources \(arguments[1]): error: \(error)\n".utf8))
    exit(1)
}
