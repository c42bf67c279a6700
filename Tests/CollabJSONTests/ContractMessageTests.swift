import Testing
import CollabJSON

/// Every message example in protocol-v1.md, with the structure it must read as.
/// Placeholders in the contract (`N`, `...`, `OP_RECORD, ...`, `PRESENCE, ...`,
/// `n`, `..`) are filled with concrete values; the rest is copied verbatim.
let contractMessages: [ValidCase] = [
    // §1 handshake error body.
    ValidCase(input: ##"{"error":"bad_request|unauthorized|forbidden|not_found|...","message":"..."}"##,
              expected: ["error": "bad_request|unauthorized|forbidden|not_found|...", "message": "..."]),
    // §2.1 join.
    ValidCase(input: ##"{"type":"join","clientId":"k3J9x-1a","version":17,"user":{"name":"Ada","color":"#ee3333"}}"##,
              expected: ["type": "join", "clientId": "k3J9x-1a", "version": 17,
                         "user": ["name": "Ada", "color": "#ee3333"]]),
    ValidCase(input: ##"{"type":"snapshot","version":17,"text":"..."}"##,
              expected: ["type": "snapshot", "version": 17, "text": "..."]),
    ValidCase(input: ##"{"type":"ops","ops":[{"type":"op","v":20,"op":[5,"hi",{"d":2}],"clientId":"k3J9x-1a","seq":4,"user":"ada","ts":1763800000000}]}"##,
              expected: ["type": "ops", "ops": [["type": "op", "v": 20, "op": [5, "hi", ["d": 2]], "clientId": "k3J9x-1a",
                                                 "seq": 4, "user": "ada", "ts": 1_763_800_000_000]]]),
    ValidCase(input: ##"{"type":"joined","version":21,"clientId":"k3J9x-1a","role":"editor","presence":[{"type":"presence","clientId":"Zz_9-abc","user":{"id":"bob","name":"Bob","color":"#3333ee"},"v":21,"selection":null}]}"##,
              expected: ["type": "joined", "version": 21, "clientId": "k3J9x-1a", "role": "editor",
                         "presence": [["type": "presence", "clientId": "Zz_9-abc",
                                       "user": ["id": "bob", "name": "Bob", "color": "#3333ee"], "v": 21, "selection": nil]]]),
    // §2.2 operations.
    ValidCase(input: ##"[6, {"d":5}, "there"]"##, expected: [6, ["d": 5], "there"]),
    ValidCase(input: ##"[]"##, expected: []),
    ValidCase(input: ##"{"d": 2}"##, expected: ["d": 2]),
    ValidCase(input: ##"{"type":"op","seq":4,"v":17,"op":[3,"hi",{"d":2}]}"##,
              expected: ["type": "op", "seq": 4, "v": 17, "op": [3, "hi", ["d": 2]]]),
    ValidCase(input: ##"{"type":"ack","seq":4,"v":20}"##, expected: ["type": "ack", "seq": 4, "v": 20]),
    ValidCase(input: ##"{"type":"op","v":20,"op":[5,"hi",{"d":2}],"clientId":"k3J9x-1a","seq":4,"user":"ada","ts":1763800000000}"##,
              expected: ["type": "op", "v": 20, "op": [5, "hi", ["d": 2]], "clientId": "k3J9x-1a", "seq": 4,
                         "user": "ada", "ts": 1_763_800_000_000]),
    // §2.2 JSON details: what the reader must hand over for the right error code.
    ValidCase(input: ##"{"type":"op","seq":4,"v":17,"op":[3,"a\uD800"]}"##,
              expected: ["type": "op", "seq": 4, "v": 17, "op": [3, .stringWithLoneSurrogate("a\u{FFFD}")]]),
    ValidCase(input: ##"{"type":"op","seq":4.0,"v":1e1,"op":[3.5]}"##,
              expected: ["type": "op", "seq": .number(4), "v": .number(10), "op": [.number(3.5)]]),
    // §2.3 presence.
    ValidCase(input: ##"{"type":"presence","v":21,"selection":[[5,9],[12,12]]}"##,
              expected: ["type": "presence", "v": 21, "selection": [[5, 9], [12, 12]]]),
    ValidCase(input: ##"{"type":"presence","v":21,"selection":null}"##,
              expected: ["type": "presence", "v": 21, "selection": nil]),
    ValidCase(input: ##"{"type":"presence","clientId":"k3J9x-1a","user":{"id":"ada","name":"Ada","color":"#ee3333"},"v":22,"selection":[[7,11],[14,14]]}"##,
              expected: ["type": "presence", "clientId": "k3J9x-1a", "user": ["id": "ada", "name": "Ada", "color": "#ee3333"],
                         "v": 22, "selection": [[7, 11], [14, 14]]]),
    ValidCase(input: ##"{"type":"leave","clientId":"k3J9x-1a"}"##, expected: ["type": "leave", "clientId": "k3J9x-1a"]),
    // §2.4 liveness.
    ValidCase(input: ##"{"type":"ping","id":7}"##, expected: ["type": "ping", "id": 7]),
    ValidCase(input: ##"{"type":"pong","id":7}"##, expected: ["type": "pong", "id": 7]),
    // §2.5 errors.
    ValidCase(input: ##"{"type":"error","code":"bad_op","message":"delete past end of document","seq":4}"##,
              expected: ["type": "error", "code": "bad_op", "message": "delete past end of document", "seq": 4]),
    // §3 HTTP bodies.
    ValidCase(input: ##"{"id":"notes.md","version":20,"text":"hello there"}"##,
              expected: ["id": "notes.md", "version": 20, "text": "hello there"]),
    ValidCase(input: ##"{"error":"code","message":"..."}"##, expected: ["error": "code", "message": "..."]),
]

@Suite struct ContractMessageTests {
    @Test(arguments: contractMessages)
    func readsEveryContractExample(_ message: ValidCase) throws {
        let value = try JSONReader.parse(message.input)
        #expect(value == message.expected)
        // Written compactly, it reads back the same.
        #expect(try JSONReader.parse(value.encoded()) == replacingLoneSurrogateStrings(message.expected))
    }

    @Test func writesCompactContractExamplesByteForByte() {
        // The examples without spaces, escapes or non-integer numbers are exactly what the writer produces.
        func hasNumber(_ value: JSONValue) -> Bool {
            switch value {
            case .number: return true
            case .array(let elements): return elements.contains(where: hasNumber)
            case .object(let object): return object.members.contains { hasNumber($0.value) }
            case .null, .bool, .integer, .string, .stringWithLoneSurrogate: return false
            }
        }
        var compared = 0
        for message in contractMessages
        where !message.input.contains(" ") && !message.input.contains("\\u") && !hasNumber(message.expected) {
            compared += 1
            #expect(message.expected.jsonString == message.input)
        }
        #expect(compared > 10)
    }

    @Test func everyProperPrefixOfAMessageIsUnexpectedEnd() {
        for message in contractMessages where message.input.hasPrefix("{") {
            let bytes = utf8(message.input)
            for length in 0..<bytes.count {
                #expect(throws: JSONError(.unexpectedEnd, at: length), "\(message.input) cut at \(length)") {
                    try JSONReader.parse(Array(bytes[..<length]))
                }
            }
        }
    }

    @Test func twoMessagesInOneBufferAreTrailingData() {
        for first in contractMessages where first.input.hasPrefix("{") {
            let bytes = utf8(first.input) + utf8(#"{"type":"ping","id":7}"#)
            #expect(throws: JSONError(.trailingData, at: first.input.utf8.count)) { try JSONReader.parse(bytes) }
        }
    }
}
