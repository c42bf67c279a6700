import CollabJSON
import Foundation
import Testing
import CollabTestSupport

/// Several real clients with ot.js's state machine edit one document at random, with
/// drops and reconnects; all converge to the text the HTTP API serves.
@Suite(.serialized) struct ServerConvergenceTests {
    @Test(arguments: [UInt64(7), 1_234])
    func randomConcurrentEditsConverge(seed: UInt64) throws {
        let harness = try ServerTestHarness()
        var random = SplitMix64(seed: seed)
        let editors = (0..<5).map { ServerEditor(clientId: "editor-\(seed)-\($0)") }
        for editor in editors { try editor.connect(to: harness, document: "shared") }
        for editor in editors {
            while !editor.joined { editor.process(wait: true) }
        }
        for _ in 0..<300 {
            let editor = editors[Int.random(in: 0..<editors.count, using: &random)]
            switch Int.random(in: 0..<20, using: &random) {
            case 0:
                editor.drop()
                try editor.connect(to: harness, document: "shared")
            case 1...9:
                editor.edit(using: &random)
            default:
                editor.process()
            }
        }
        // Settle: everyone's edits acknowledged, then everyone at the final version.
        let deadline = Date().addingTimeInterval(10)
        while editors.contains(where: { !$0.isIdle }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.002)
        }
        let text = try harness.text(of: "shared")
        let version = try JSONReader.parse(harness.get("/v1/docs/shared").body)["version"]?.int
        while editors.contains(where: { $0.version != version }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.002)
        }
        for editor in editors {
            #expect(editor.problems.isEmpty, "seed \(seed): \(editor.clientId): \(editor.problems)")
            #expect(editor.isIdle, "seed \(seed): \(editor.clientId) not idle")
            #expect(editor.document == text, "seed \(seed): \(editor.clientId) diverged")
        }
        #expect((version ?? 0) > 0, "seed \(seed)")
    }
}
