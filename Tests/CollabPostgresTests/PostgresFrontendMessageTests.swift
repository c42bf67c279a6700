import CollabPostgres
import Testing

@Suite struct PostgresFrontendMessageTests {
    @Test func startupAndSSLRequestHaveNoTypeByte() {
        #expect(PostgresFrontendMessage.encode([.sslRequest]) == [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F])
        let startup = PostgresFrontendMessage.encode([.startup(parameters: [("user", "u")])])
        #expect(startup == [0, 0, 0, 16, 0, 3, 0, 0] + Array("user".utf8) + [0, UInt8(ascii: "u"), 0, 0])
    }

    @Test func bindEncodesNullsAndTextValues() {
        let bytes = PostgresFrontendMessage.encode([
            .bind(portal: "", statement: "", parameterFormats: [], parameters: [Array("ab".utf8), nil], resultFormats: []),
        ])
        #expect(bytes == [UInt8(ascii: "B"), 0, 0, 0, 22, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0x61, 0x62,
                          0xFF, 0xFF, 0xFF, 0xFF, 0, 0])
    }

    @Test func extendedQueryMessagesAndSync() {
        let bytes = PostgresFrontendMessage.encode([
            .parse(statement: "", query: "SELECT 1", parameterTypes: []),
            .describe(kind: .portal, name: ""),
            .execute(portal: "", maxRows: 0),
            .sync,
            .terminate,
        ])
        let expected: [UInt8] = [UInt8(ascii: "P"), 0, 0, 0, 16, 0] + Array("SELECT 1".utf8) + [0, 0, 0]
            + [UInt8(ascii: "D"), 0, 0, 0, 6, UInt8(ascii: "P"), 0]
            + [UInt8(ascii: "E"), 0, 0, 0, 9, 0, 0, 0, 0, 0]
            + [UInt8(ascii: "S"), 0, 0, 0, 4]
            + [UInt8(ascii: "X"), 0, 0, 0, 4]
        #expect(bytes == expected)
    }

    @Test func saslMessages() {
        #expect(PostgresFrontendMessage.encode([.saslInitialResponse(mechanism: "M", data: [1, 2])])
                == [UInt8(ascii: "p"), 0, 0, 0, 12, UInt8(ascii: "M"), 0, 0, 0, 0, 2, 1, 2])
        #expect(PostgresFrontendMessage.encode([.saslResponse(data: [7])]) == [UInt8(ascii: "p"), 0, 0, 0, 5, 7])
        #expect(PostgresFrontendMessage.encode([.query("")]) == [UInt8(ascii: "Q"), 0, 0, 0, 5, 0])
    }
}
