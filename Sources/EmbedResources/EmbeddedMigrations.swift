/// Migrations/*.sql as `Migration.embedded` (or another directory as another property, e.g.
/// Migrations/postgres/*.sql as `Migration.embeddedPostgres` in a module importing CollabStorage). File names are NNNN_name.sql; versions must run
/// 1, 2, 3, ... without gaps or repeats.
enum EmbeddedMigrations {
    static func render(_ files: [String], in directory: ResourceDirectory, property: String = "embedded",
                       source: String = "Migrations/*.sql", importing module: String? = nil) throws -> String {
        var entries: [(version: Int, name: String, sql: String)] = []
        for file in files {
            let (version, name) = try parseName(file)
            entries.append((version, name, try directory.text(file)))
        }
        entries.sort { $0.version < $1.version }
        for (index, entry) in entries.enumerated() where entry.version != index + 1 {
            throw EmbedResourcesError(description:
                "migration versions must be 1, 2, 3, ... without gaps or repeats; found \(entry.version) at position \(index + 1)")
        }
        var out = """
            // Generated at build time by EmbedResources from \(source). Do not edit.

            \(module.map { "import \($0)\n\n" } ?? "")extension Migration {
                /// The migrations of \(source), embedded at build time, in version order.
                public static let \(property): [Migration] = [

            """
        for entry in entries {
            out += "        Migration(version: \(entry.version), name: \(ResourceDirectory.swiftLiteral(entry.name)),\n"
            out += "                  sql: \(ResourceDirectory.swiftLiteral(entry.sql))),\n"
        }
        out += "    ]\n}\n"
        return out
    }

    static func parseName(_ fileName: String) throws(EmbedResourcesError) -> (version: Int, name: String) {
        guard fileName.hasSuffix(".sql") else {
            throw EmbedResourcesError(description: "\(fileName): not a .sql file")
        }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_"),
              let version = Int(stem[..<underscore]), version > 0 else {
            throw EmbedResourcesError(description: "\(fileName): expected NNNN_name.sql")
        }
        let name = String(stem[stem.index(after: underscore)...])
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        guard !name.isEmpty, allowed else {
            throw EmbedResourcesError(description: "\(fileName): name must be [A-Za-z0-9_-]+")
        }
        return (version, name)
    }
}
