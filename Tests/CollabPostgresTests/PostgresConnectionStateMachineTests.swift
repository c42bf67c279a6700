import CollabPostgres
import Testing

/// The pure machine with hand-written server messages: no socket involved.
@Suite struct PostgresConnectionStateMachineTests {
    static func readyMachine() -> PostgresConnectionStateMachine {
        var machine = PostgresConnectionStateMachine(user: "u", password: "p", database: "d", requireTLS: false,
                                                     scramNonce: "nonce")
        _ = machine.start()
        _ = machine.received(.authentication(.cleartextPassword))
        _ = machine.received(.authentication(.ok))
        _ = machine.received(.backendKeyData(processID: 1, secretKey: 2))
        #expect(machine.received(.readyForQuery(.idle)) == .connected(.idle))
        return machine
    }

    static func diagnostic(_ severity: String, _ code: String) -> PostgresDiagnostic {
        PostgresDiagnostic(fields: [UInt8(ascii: "S"): severity, UInt8(ascii: "V"): severity,
                                    UInt8(ascii: "C"): code, UInt8(ascii: "M"): "m"])
    }

    @Test func startupSendsUserDatabaseAndAnswersCleartext() {
        var machine = PostgresConnectionStateMachine(user: "u", password: "p", database: "d", requireTLS: false,
                                                     scramNonce: "n")
        guard case .send(let messages) = machine.start(), case .startup(let parameters) = messages.first else {
            Issue.record("no startup")
            return
        }
        #expect(parameters.contains { $0 == ("user", "u") })
        #expect(parameters.contains { $0 == ("database", "d") })
        #expect(machine.received(.authentication(.cleartextPassword)) == .send([.password("p")]))
    }

    @Test func sslRefusedUnderRequireIsATLSError() {
        var machine = PostgresConnectionStateMachine(user: "u", password: "p", database: nil, requireTLS: true,
                                                     scramNonce: "n")
        #expect(machine.start() == .send([.sslRequest]))
        #expect(machine.awaitsSSLResponse)
        #expect(machine.sslResponse(UInt8(ascii: "N"))
                == .closeConnection(.tls("the server does not accept TLS connections (sslmode=require)")))
        #expect(machine.isClosed)
    }

    @Test func scramOkWithoutServerFinalIsRefused() {
        var machine = PostgresConnectionStateMachine(user: "u", password: "p", database: nil, requireTLS: false,
                                                     scramNonce: "n")
        _ = machine.start()
        guard case .send = machine.received(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))) else {
            Issue.record("no SASLInitialResponse")
            return
        }
        #expect(machine.received(.authentication(.ok))
                == .closeConnection(.authenticationFailed("AuthenticationOk before SCRAM completed")))
    }

    @Test func unsupportedMethodsAreTyped() {
        var machine = PostgresConnectionStateMachine(user: "u", password: "p", database: nil, requireTLS: false,
                                                     scramNonce: "n")
        _ = machine.start()
        #expect(machine.received(.authentication(.unsupported(code: 7)))
                == .closeConnection(.unsupportedAuthentication("method code 7")))
        var plus = PostgresConnectionStateMachine(user: "u", password: "p", database: nil, requireTLS: false,
                                                  scramNonce: "n")
        _ = plus.start()
        #expect(plus.received(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS"])))
                == .closeConnection(.unsupportedAuthentication("SASL mechanisms SCRAM-SHA-256-PLUS")))
    }

    @Test func fatalDuringStartupIsTheServersError() {
        var machine = PostgresConnectionStateMachine(user: "u", password: "p", database: nil, requireTLS: false,
                                                     scramNonce: "n")
        _ = machine.start()
        let fatal = Self.diagnostic("FATAL", "28P01")
        #expect(machine.received(.errorResponse(fatal)) == .closeConnection(.server(fatal)))
    }

    @Test func extendedQueryCollectsResultsUntilReadyForQuery() {
        var machine = Self.readyMachine()
        guard case .send(let messages) = machine.execute([PostgresQuery("SELECT $1", [nil])]) else {
            Issue.record("nothing sent")
            return
        }
        #expect(messages.last == .sync)
        #expect(messages.count == 5)
        for message: PostgresBackendMessage in [.parseComplete, .bindComplete, .rowDescription([PostgresColumn(name: "a")]),
                                                .dataRow([nil]), .dataRow([Array("x".utf8)]), .commandComplete(tag: "SELECT 2")] {
            #expect(machine.received(message) == .read)
        }
        #expect(machine.received(.readyForQuery(.inTransaction))
                == .succeedQueries([PostgresQueryResult(columns: [PostgresColumn(name: "a")], rows: [[nil], ["x"]],
                                                        commandTag: "SELECT 2")], .inTransaction))
        #expect(machine.isReady)
    }

    @Test func aPreparedStatementIsParsedOncePerSessionAndOnlyKeptOnceItsBatchSucceeded() {
        var machine = Self.readyMachine()
        let select = PostgresQuery("SELECT $1", ["a"], prepared: true)
        func parses(_ action: PostgresConnectionAction) -> [String] {
            guard case .send(let messages) = action else { return ["nothing sent"] }
            return messages.compactMap { message in
                if case .parse(let name, _, _) = message { return name }
                return nil
            }
        }
        func binds(_ action: PostgresConnectionAction) -> [String] {
            guard case .send(let messages) = action else { return ["nothing sent"] }
            return messages.compactMap { message in
                if case .bind(_, let statement, _, _, _) = message { return statement }
                return nil
            }
        }
        func answer(_ count: Int, error: PostgresDiagnostic? = nil) {
            if let error { _ = machine.received(.errorResponse(error)) }
            for _ in 0..<(error == nil ? count : 0) { _ = machine.received(.commandComplete(tag: "SELECT 1")) }
            _ = machine.received(.readyForQuery(.idle))
        }
        // A batch that fails: its statement is not kept (it may or may not exist on the server).
        let failed = machine.execute([select])
        #expect(parses(failed) == ["collab_1"])
        answer(1, error: Self.diagnostic("ERROR", "42P01"))
        // The same statement twice in one batch, with an unprepared one: parsed once, by a new name.
        let first = machine.execute([select, PostgresQuery("SELECT 2"), select])
        #expect(parses(first) == ["collab_2", ""])
        #expect(binds(first) == ["collab_2", "", "collab_2"])
        answer(3)
        // From now on only bound.
        let again = machine.execute([select])
        #expect(parses(again).isEmpty)
        #expect(binds(again) == ["collab_2"])
        answer(1)
        #expect(machine.isReady)
    }

    @Test func lossMidQueryFailsNeverSucceeds() {
        var machine = Self.readyMachine()
        _ = machine.execute([PostgresQuery("COMMIT")])
        _ = machine.received(.parseComplete)
        let fatal = Self.diagnostic("FATAL", "57P01")
        #expect(machine.received(.errorResponse(fatal)) == .read)
        #expect(machine.connectionLost("eof") == .closeConnection(.connectionLost(reason: "eof", diagnostic: fatal)))
        #expect(machine.isClosed)
        #expect(machine.execute([PostgresQuery("SELECT 1")]) == .closeConnection(.connectionClosed))
    }

    @Test func readyForQueryWithMissingResultsIsAViolation() {
        var machine = Self.readyMachine()
        _ = machine.execute([PostgresQuery("SELECT 1"), PostgresQuery("SELECT 2")])
        _ = machine.received(.commandComplete(tag: "SELECT 1"))
        guard case .closeConnection(.protocolViolation) = machine.received(.readyForQuery(.idle)) else {
            Issue.record("a short batch was accepted")
            return
        }
    }

    @Test func unexpectedMessageWhileIdleClosesTheConnection() {
        var machine = Self.readyMachine()
        guard case .closeConnection(.protocolViolation) = machine.received(.dataRow([])) else {
            Issue.record("a stray DataRow was accepted")
            return
        }
    }

    @Test func closeSendsTerminate() {
        var machine = Self.readyMachine()
        #expect(machine.close() == .sendAndClose([.terminate]))
        #expect(machine.isClosed)
    }
}
