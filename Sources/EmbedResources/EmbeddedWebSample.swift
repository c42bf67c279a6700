import Foundation

/// Samples/web as `StaticSite.embedded`: every file, subfolders included, served at its path.
/// Only text formats are accepted (their Content-Type comes from the extension), so the
/// literals stay readable.
enum EmbeddedWebSample {
    static func render(_ files: [String], in directory: ResourceDirectory) throws -> String {
        var out = """
            // Generated at build time by EmbedResources from Samples/web. Do not edit.

            extension StaticSite {
                /// The sample web editor of Samples/web, embedded at build time.
                static let embedded = StaticSite(files: [

            """
        for file in files {
            guard let type = contentType(file) else {
                throw EmbedResourcesError(description:
                    "\(file): not a text format this tool embeds (html, css, js, svg, json, txt)")
            }
            out += "        StaticFile(path: \(ResourceDirectory.swiftLiteral("/" + file)), "
                + "contentType: \(ResourceDirectory.swiftLiteral(type)),\n"
            out += "                   text: \(ResourceDirectory.swiftLiteral(try directory.text(file)))),\n"
        }
        out += "    ])\n}\n"
        return out
    }

    /// The Content-Type for a file name, or nil for a format this tool does not embed.
    static func contentType(_ fileName: String) -> String? {
        switch URL(fileURLWithPath: fileName).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        case "txt": "text/plain; charset=utf-8"
        default: nil
        }
    }
}
