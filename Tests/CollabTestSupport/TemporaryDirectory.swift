import Foundation

/// A fresh directory under the system temporary directory, removed when released.
public final class TemporaryDirectory {
    /// Where the directory is.
    public let url: URL

    /// Creates `collab-<prefix>-<UUID>` in the temporary directory.
    public init(prefix: String = "tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("collab-\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory (by default the database's).
    public func path(_ name: String = "collab.sqlite") -> String {
        url.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
