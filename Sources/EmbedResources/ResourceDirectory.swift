import Foundation

/// A directory whose files are embedded: listed in a stable order, read as UTF-8 text.
struct ResourceDirectory {
    let url: URL

    init(_ url: URL) {
        self.url = url
    }

    /// The relative paths of its regular files, sorted, skipping hidden files and folders;
    /// with `recursive`, the files of subfolders too (`bindings/codemirror5.js`).
    func files(recursive: Bool) throws -> [String] {
        var found: [String] = []
        func list(_ relative: String) throws {
            let folder = relative.isEmpty ? url : url.appendingPathComponent(relative)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !name.hasPrefix(".") {
                let path = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.appendingPathComponent(path).path,
                                                     isDirectory: &isDirectory) else { continue }
                if !isDirectory.boolValue {
                    found.append(path)
                } else if recursive {
                    try list(path)
                }
            }
        }
        try list("")
        return found.sorted()
    }

    /// The text of the file at `path` (relative), which must be UTF-8.
    func text(_ path: String) throws -> String {
        let data = try Data(contentsOf: url.appendingPathComponent(path))
        guard let text = String(data: data, encoding: .utf8) else {
            throw EmbedResourcesError(description: "\(path): not UTF-8")
        }
        return text
    }

    /// A Swift string literal for `text` (escaped, so any file content is safe to embed).
    static func swiftLiteral(_ text: String) -> String {
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
}

/// Why a directory cannot be embedded.
struct EmbedResourcesError: Error, CustomStringConvertible {
    var description: String
}
