import CollabJSON
import CollabOT
import Testing
@testable import CollabServer
import CollabTestSupport

@Suite struct RoomConvergenceTests {
    /// Random concurrent editing by 6 clients with random commit timing and batching,
    /// lagging inboxes, drops, replacements and resubmissions: everyone ends with the
    /// room's text, and the op log replays to it.
    @Test(arguments: 0..<200)
    func randomEditingConverges(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 1)
        var configuration = RoomConfiguration()
        configuration.opBurst = 1_000_000
        configuration.recentOpsWindow = 8  // exercise transforms and catch-ups from the store
        configuration.snapshotInterval = 16
        // 1 batches everything applied during a commit; more pipeline appends, completed in order.
        configuration.maxOutstandingAppends = Int.random(in: 1...4, using: &random)
        let harness = Harness(configuration: configuration)
        let editors = (0..<6).map { SimulatedEditor(clientId: "editor-\($0)\($0)") }
        for editor in editors { editor.connect(to: harness) }

        for _ in 0..<160 {
            let editor = editors[Int.random(in: 0..<editors.count, using: &random)]
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<35:
                editor.edit(using: &random)
            case 35..<60:
                editor.process(limit: Int.random(in: 1...6, using: &random))
            case 60..<78:
                // A group commit completes the oldest few outstanding appends, in order.
                harness.store.commit(count: Int.random(in: 1...3, using: &random))
            case 78..<81:
                editor.drop()
                editor.connect(to: harness)
            case 81..<84:
                // A newer connection replaces this one (4000) without it closing first.
                editor.connect(to: harness)
            case 84..<86:
                editor.drop()
            case 86..<90:
                editor.sendPresence(using: &random)
            case 90..<93:
                harness.clock.advance(by: .milliseconds(Int64.random(in: 1...80, using: &random)))
            default:
                if !editor.isConnected { editor.connect(to: harness) }
                editor.process()
            }
        }

        // Settle: reconnect everyone, commit everything, read everything.
        var rounds = 0
        while rounds < 100 {
            rounds += 1
            for editor in editors where !editor.isConnected { editor.connect(to: harness) }
            harness.store.commitAll()
            for editor in editors { editor.process() }
            if harness.store.pending.isEmpty && editors.allSatisfy(\.isIdle) { break }
        }
        let text = harness.text
        #expect((harness.store.ops["doc"]?.count ?? 0) > 0, "seed \(seed) stored nothing")
        for editor in editors {
            #expect(editor.problems.isEmpty, "seed \(seed) \(editor.clientId): \(editor.problems.prefix(3))")
            #expect(editor.document == text, "seed \(seed) \(editor.clientId)")
            #expect(editor.version == harness.room.durableVersion, "seed \(seed)")
        }
        #expect(rounds < 100, "seed \(seed) did not settle")
        #expect(harness.store.largestPendingCount <= configuration.maxOutstandingAppends, "seed \(seed)")
        if configuration.maxOutstandingAppends > 1 {
            #expect(harness.store.largestPendingCount > 1, "seed \(seed) never had appends outstanding together")
        }
        // The op log replays to the text, with contiguous versions and unique (clientId, seq).
        var replayed = ""
        var seen = Set<String>()
        for (index, record) in (harness.store.ops["doc"] ?? []).enumerated() {
            #expect(record.version == index, "seed \(seed)")
            #expect(seen.insert("\(record.clientId)/\(record.seq)").inserted, "seed \(seed) duplicate op")
            replayed = (try? record.operation.apply(to: replayed)) ?? "<broken>"
        }
        #expect(replayed == text, "seed \(seed)")
        if let snapshot = harness.store.snapshots["doc"]?.last {
            var atSnapshot = ""
            for record in (harness.store.ops["doc"] ?? [])[..<snapshot.version] {
                atSnapshot = (try? record.operation.apply(to: atSnapshot)) ?? "<broken>"
            }
            #expect(atSnapshot == snapshot.text, "seed \(seed) snapshot at \(snapshot.version)")
        }
    }
}
