// Turns Samples/web/* into a Swift source file of CollabServer at build time, so
// `collab serve` serves the sample editor at / from any directory.
import Foundation
import PackagePlugin

@main
struct EmbedWebSamplePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let directory = context.package.directoryURL.appending(path: "Samples/web")
        // Every file and folder below Samples/web (e.g. bindings/), hidden ones skipped.
        var inputs: [URL] = []
        var folders = [directory]
        while let folder = folders.popLast() {
            inputs.append(folder)
            for url in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isDirectoryKey])
            where !url.lastPathComponent.hasPrefix(".") {
                if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                    folders.append(url)
                } else {
                    inputs.append(url)
                }
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebSample.swift")
        // As in EmbedMigrationsPlugin: the tool lists the directory itself when it runs; the
        // folders (added files) and each file (edits) are inputs.
        return [
            .buildCommand(
                displayName: "Embedding Samples/web into \(target.name)",
                executable: try context.tool(named: "EmbedWebSample").url,
                arguments: [output.path, directory.path],
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
