// Build tool: writes a Swift file embedding the files of a directory as `StaticFile`s.
// Usage: EmbedWebSample OUTPUT.swift DIRECTORY
// Every file in DIRECTORY and its subdirectories is embedded (served at its relative path,
// e.g. /bindings/codemirror5.js); only text formats are accepted (their Content-Type comes
// from the extension), so the literals stay readable. Hidden files and folders are skipped.
import Foundation

struct EmbedWebSampleError: Error, CustomStringConvertible {
    var description: String
}

/// The Content-Type for a file name, or nil for a format this tool does not embed.
func contentType(_ fileName: String) -> String? {
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

/// A Swift string literal for `text` (every character escaped that needs it).
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

func render(directory: URL, names: [String]) throws -> String {
    var out = """
        // Generated at build time by EmbedWebSample from Samples/web. Do not edit.

        extension StaticSite {
            /// The sample web editor of Samples/web, embedded at build time.
            static let embedded = StaticSite(files: [

        """
    for name in names {
        guard let type = contentType(name) else {
            throw EmbedWebSampleError(description: "\(name): not a text format this tool embeds (html, css, js, svg, json, txt)")
        }
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let text = String(data: data, encoding: .utf8) else {
            throw EmbedWebSampleError(description: "\(name): not UTF-8")
        }
        out += "        StaticFile(path: \(swiftLiteral("/" + name)), contentType: \(swiftLiteral(type)),\n"
        out += "                   text: \(swiftLiteral(text))),\n"
    }
    out += "    ])\n}\n"
    return out
}

/// The paths of the files under `directory`, relative to it ("a.js", "bindings/b.js"),
/// skipping names that start with a dot.
func relativeFilePaths(in directory: URL, prefix: String = "") throws -> [String] {
    var paths: [String] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !name.hasPrefix(".") {
        var isDirectory: ObjCBool = false
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue {
            paths += try relativeFilePaths(in: url, prefix: prefix + name + "/")
        } else {
            paths.append(prefix + name)
        }
    }
    return paths
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: EmbedWebSample OUTPUT.swift DIRECTORY\n".utf8))
    exit(64)
}
do {
    let output = URL(fileURLWithPath: arguments[1])
    let directory = URL(fileURLWithPath: arguments[2], isDirectory: true)
    let names = try relativeFilePaths(in: directory).sorted()
    let text = try render(directory: directory, names: names)
    // Rewrite only on change so an unchanged sample does not recompile CollabServer.
    if (try? String(contentsOf: output, encoding: .utf8)) != text {
        try Data(text.utf8).write(to: output, options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("EmbedWebSample: error: \(error)\n".utf8))
    exit(1)
}
