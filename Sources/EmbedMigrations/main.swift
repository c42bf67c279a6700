// Build tool: writes a Swift file embedding the given migration files.
// Usage: EmbedMigrations OUTPUT.swift MIGRATIONS_DIRECTORY (its *.sql files are embedded)
// File names are NNNN_name.sql; versions must run 1, 2, 3, ... without gaps or repeats.
import Foundation

struct EmbedMigrationsError: Error, CustomStringConvertible {
    var description: String
}

/// A Swift string literal for `text` (escaped, so any SQL is safe to embed).
func swiftLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

func parseName(_ fileName: String) throws(EmbedMigrationsError) -> (version: Int, name: String) {
    guard fileName.hasSuffix(".sql") else {
        throw EmbedMigrationsError(description: "\(fileName): not a .sql file")
    }
    let stem = fileName.dropLast(4)
    guard let underscore = stem.firstIndex(of: "_"),
          let version = Int(stem[..<underscore]), version > 0 else {
        throw EmbedMigrationsError(description: "\(fileName): expected NNNN_name.sql")
    }
    let name = String(stem[stem.index(after: underscore)...])
    let allowed = name.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
    }
    guard !name.isEmpty, allowed else {
        throw EmbedMigrationsError(description: "\(fileName): name must be [A-Za-z0-9_-]+")
    }
    return (version, name)
}

func render(_ paths: [String]) throws -> String {
    var entries: [(version: Int, name: String, sql: String)] = []
    for path in paths {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let (version, name) = try parseName(fileName)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let sql = String(data: data, encoding: .utf8) else {
            throw EmbedMigrationsError(description: "\(fileName): not UTF-8")
        }
        entries.append((version, name, sql))
    }
    entries.sort { $0.version < $1.version }
    for (index, entry) in entries.enumerated() where entry.version != index + 1 {
        throw EmbedMigrationsError(description:
            "migration versions must be 1, 2, 3, ... without gaps or repeats; found \(entry.version) at position \(index + 1)")
    }
    var out = """
        // Generated at build time by EmbedMigrations from Migrations/*.sql. Do not edit.

        extension Migration {
            /// The migrations of Migrations/, embedded at build time, in version order.
            public static let embedded: [Migration] = [

        """
    for entry in entries {
        out += "        Migration(version: \(entry.version), name: \(swiftLiteral(entry.name)),\n"
        out += "                  sql: \(swiftLiteral(entry.sql))),\n"
    }
    out += "    ]\n}\n"
    return out
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: EmbedMigrations OUTPUT.swift MIGRATIONS_DIRECTORY\n".utf8))
    exit(64)
}
do {
    let output = URL(fileURLWithPath: arguments[1])
    let directory = URL(fileURLWithPath: arguments[2], isDirectory: true)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { $0.hasSuffix(".sql") }
        .sorted()
        .map { directory.appendingPathComponent($0).path }
    let text = try render(files)
    // Rewrite only on change so an unchanged schema does not recompile CollabStorage.
    if (try? String(contentsOf: output, encoding: .utf8)) != text {
        try Data(text.utf8).write(to: output, options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("EmbedMigrations: error: \(error)\n".utf8))
    exit(1)
}
