import Foundation

/// The package's executables, which SwiftPM builds next to the test bundle.
public enum BuiltProduct {
    /// The executable `name` (`collab`, `collab-echo`) in the build directory, if it was built.
    public static func url(_ name: String) -> URL? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            here,
            here.deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent(name) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The built `collab` executable.
    public static var collab: URL? { url("collab") }
}
