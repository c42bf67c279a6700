import CollabCLI
import CollabTransport

/// The `footprint` scenario, the reference workloads of y-websocket and pycrdt-websocket:
/// server memory per idle connection (joined, silent), memory per active room and CPU per
/// op with 50 documents × 4 editors typing 10 keystrokes/s each (idle connections still
/// held), then CPU per op with 10 editors typing 10 keystrokes/s into one document.
enum ServerBenchmarkFootprint {
    static let columns: [ServerBenchmark.Column] = [
        .init(title: "1 doc µs/op", key: "server_cpu_us_per_op_1x10"),
        .init(title: "50 docs µs/op", key: "server_cpu_us_per_op_50x4"),
        .init(title: "KiB/active room", key: "server_kib_per_active_room"),
        .init(title: "KiB/idle conn", key: "server_kib_per_idle_connection"),
        .init(title: "1 doc op/s", key: "committed_ops_per_s_1x10"),
        .init(title: "50 docs op/s", key: "committed_ops_per_s_50x4"),
    ]

    static let keystrokesPerSecond = 10

    static func run(_ settings: ServerBenchmark.Settings, group: EventLoopGroup,
                    output: CommandOutput) -> Result<ServerBenchmark.RunResult, ServerBenchmark.Failure> {
        guard let pid = settings.serverPID, let before = WSBenchmark.residentKiB(pid: pid) else {
            return .failure(.init(message: "footprint needs --server-pid of a running server (read from /proc)"))
        }
        // 1. Idle connections: joined editors that never type.
        let perDocument = max(1, settings.idleConnections / max(1, settings.idleDocuments))
        let idlePlan = ServerBenchmarkFleet.Plan(documents: settings.idleDocuments, editorsPerDocument: perDocument,
                                                 documentPrefix: "bench-idle")
        let idle: ServerBenchmarkFleet
        switch ServerBenchmarkFleet.open(idlePlan, settings: settings, group: group, output: output) {
        case .success(let opened): idle = opened
        case .failure(let failure): return .failure(failure)
        }
        // Let the server finish what it does lazily after a join (presence fan-out, buffers).
        WSBenchmarkLoops.sleep(for: .seconds(1))
        guard let idleRSS = WSBenchmark.residentKiB(pid: pid) else {
            idle.close()
            return .failure(.init(message: "cannot read /proc/\(pid)/status"))
        }
        let perIdleConnection = Double(idleRSS - before) / Double(idle.editorCount)
        output.printDiagnostic("  \(idle.editorCount) idle connections: server ΔRSS "
                               + "\(ServerBenchmark.format(Double(idleRSS - before) / 1024)) MiB")

        // 2. 50 active documents × 4 editors, with the idle connections still open.
        let rooms = 50
        let active = ServerBenchmarkFleet.Plan(documents: rooms, editorsPerDocument: 4, documentPrefix: "bench-rooms")
        let manyRooms: ServerBenchmarkFleet
        switch ServerBenchmarkFleet.open(active, settings: settings, group: group, output: output) {
        case .success(let opened): manyRooms = opened
        case .failure(let failure):
            idle.close()
            return .failure(failure)
        }
        let manyWindow = manyRooms.measure(rate: keystrokesPerSecond, warmup: settings.warmup,
                                           duration: settings.duration, serverPID: pid)
        let manySettled = manyRooms.settle(timeout: .seconds(30))
        manyRooms.close()
        let idleSettled = idle.settle(timeout: .seconds(5))
        idle.close()
        if case .failure(let failure) = manySettled { return .failure(failure) }
        if case .failure(let failure) = idleSettled { return .failure(failure) }
        let perRoom = manyWindow.serverRSSEndKiB.map { Double($0 - idleRSS) / Double(rooms) } ?? .nan

        // 3. One document, 10 editors.
        let single = ServerBenchmarkFleet.Plan(documents: 1, editorsPerDocument: 10, documentPrefix: "bench-one")
        let oneRoom: ServerBenchmarkFleet
        switch ServerBenchmarkFleet.open(single, settings: settings, group: group, output: output) {
        case .success(let opened): oneRoom = opened
        case .failure(let failure): return .failure(failure)
        }
        let oneWindow = oneRoom.measure(rate: keystrokesPerSecond, warmup: settings.warmup,
                                        duration: settings.duration, serverPID: pid)
        let oneSettled = oneRoom.settle(timeout: .seconds(30))
        oneRoom.close()
        if case .failure(let failure) = oneSettled { return .failure(failure) }

        let one = ServerBenchmarkTyping.values(of: oneWindow)
        let many = ServerBenchmarkTyping.values(of: manyWindow)
        // Columns of ServerBenchmarkTyping: 0 op/s, 7 µs/op.
        return .success(ServerBenchmark.RunResult(values: [one[7], many[7], perRoom, perIdleConnection, one[0], many[0]]))
    }
}
