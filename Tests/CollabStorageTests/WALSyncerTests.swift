import Foundation
import Synchronization
import Testing
@testable import CollabStorage
import CollabTestSupport

@Suite struct WALSyncerTests {
    /// Work submitted to the thread and work run inline when it is idle runs in one order:
    /// the order it was handed over.
    @Test func workRunsInSubmissionOrderWhetherQueuedOrInline() throws {
        let directory = try TemporaryDirectory()
        let walPath = directory.path() + "-wal"
        #expect(FileManager.default.createFile(atPath: walPath, contents: Data("frames".utf8)))
        let syncer = WALSyncer(walPath: walPath)
        let order = Mutex<[Int]>([])
        let errors = Mutex<[StorageError]>([])
        var inline = 0
        for index in 0..<500 {
            let work: WALSyncer.Work = { error in
                order.withLock { $0.append(index) }
                if let error { errors.withLock { $0.append(error) } }
            }
            // Every third one tries the inline path; it must refuse while earlier work is queued.
            if index % 3 == 0, syncer.runNowIfIdle(work) {
                inline += 1
            } else {
                syncer.submit(work)
            }
        }
        syncer.close()
        #expect(order.withLock { $0 } == Array(0..<500))
        #expect(errors.withLock { $0.isEmpty })
        #expect(inline > 0)  // the first, at least, found the syncer idle
    }

    /// A WAL that cannot be opened fails the work handed over (no ack without a sync).
    @Test func aWALThatCannotBeSyncedFailsTheWork() throws {
        let directory = try TemporaryDirectory()
        let syncer = WALSyncer(walPath: directory.path() + "-missing/wal")
        let results = Mutex<[StorageError?]>([])
        syncer.submit { error in results.withLock { $0.append(error) } }
        _ = syncer.runNowIfIdle { error in results.withLock { $0.append(error) } }
        syncer.close()
        let seen = results.withLock { $0 }
        #expect(!seen.isEmpty)
        for error in seen {
            guard case .sqlite(let cause)? = error else {
                Issue.record("expected an I/O error, got \(String(describing: error))")
                continue
            }
            #expect(cause.extendedCode == .ioError)
        }
    }

    /// Without a WAL file (an in-memory database) work runs with no error.
    @Test func inMemoryDatabasesNeedNoSync() {
        let syncer = WALSyncer(walPath: nil)
        let ran = Mutex(0)
        syncer.submit { error in if error == nil { ran.withLock { $0 += 1 } } }
        syncer.close()
        #expect(ran.withLock { $0 } == 1)
    }
}
