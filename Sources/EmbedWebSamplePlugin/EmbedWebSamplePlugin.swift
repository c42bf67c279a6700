// Turns Samples/web/* into a Swift source file of CollabServer at build time, so
// `collab serve` serves the sample editor at / from any directory.
import Foundation
import PackagePlugin

@main
struct EmbedWebSamplePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let directory = context.package.directoryURL.appending(path: "Samples/web")
        // Every file and folder below it, subfolders included (bindings/...).
        let files = (FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil,
                                                    options: [.skipsHiddenFiles])?.allObjects ?? [])
            .compactMap { $0 as? URL }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebSample.swift")
        // As in EmbedMigrationsPlugin: the tool lists the directory itself when it runs; the
        // folders (added files) and each file (edits) are inputs.
        return [
            .buildCommand(
                displayName: "Embedding Samples/web into \(target.name)",
                executable: try context.tool(named: "EmbedResources").url,
                arguments: ["web", output.path, directory.path],
                inputFiles: [directory] + files,
                outputFiles: [output]
            )
        ]
    }
}
