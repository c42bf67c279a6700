import CollabJSON
import CollabOT
import Testing
@testable import CollabServer

@Suite struct ClientMessageTests {
    func decode(_ text: String) -> Result<ClientMessage, ClientMessageError> {
        do {
            return .success(try ClientMessage(decoding: Array(text.utf8)))
        } catch {
            return .failure(error)
        }
    }

    func code(_ text: String) -> ErrorCode? {
        if case .failure(let error) = decode(text) { return error.code }
        return nil
    }

    @Test func join() throws {
        let message = try ClientMessage(decoding: Array(
            ##"{"type":"join","clientId":"k3J9x-1a","version":17,"user":{"name":"Ada","color":"#ee3333"},"extra":[1]}"##.utf8))
        #expect(message == .join(JoinRequest(clientId: "k3J9x-1a", version: 17, userName: "Ada", userColor: "#ee3333")))
        let bare = try ClientMessage(decoding: Array(#"{"clientId":"abcdefgh","type":"join"}"#.utf8))
        #expect(bare == .join(JoinRequest(clientId: "abcdefgh", version: nil)))
    }

    @Test func joinClientIdRules() {
        #expect(code(#"{"type":"join","clientId":"abcdefg"}"#) == .badMessage)
        #expect(code(#"{"type":"join","clientId":"\#(String(repeating: "a", count: 64))"}"#) == nil)
        #expect(code(#"{"type":"join","clientId":"\#(String(repeating: "a", count: 65))"}"#) == .badMessage)
        #expect(code(#"{"type":"join","clientId":"abcdefg!"}"#) == .badMessage)
        #expect(code(#"{"type":"join","clientId":"abcdéfgh"}"#) == .badMessage)
        #expect(code(#"{"type":"join","clientId":12345678}"#) == .badMessage)
        #expect(code(#"{"type":"join"}"#) == .badMessage)
        #expect(code(#"{"type":"join","clientId":"A_z-0_9-"}"#) == nil)
    }

    @Test func joinVersionRules() {
        for bad in ["-1", "1.0", "1e2", "\"3\"", "null", "true"] {
            #expect(code(#"{"type":"join","clientId":"abcdefgh","version":\#(bad)}"#) == .badMessage, "\(bad)")
        }
        #expect(code(#"{"type":"join","clientId":"abcdefgh","version":0}"#) == nil)
    }

    @Test func joinUserHintsOfWrongShapeAreIgnored() throws {
        let message = try ClientMessage(decoding: Array(
            #"{"type":"join","clientId":"abcdefgh","user":{"name":5,"color":"red"}}"#.utf8))
        #expect(message == .join(JoinRequest(clientId: "abcdefgh", version: nil)))
        let short = try ClientMessage(decoding: Array(
            ##"{"type":"join","clientId":"abcdefgh","user":{"color":"#12345g"}}"##.utf8))
        #expect(short == .join(JoinRequest(clientId: "abcdefgh", version: nil)))
    }

    @Test func opKeepsVersionAndOpRaw() throws {
        let message = try ClientMessage(decoding: Array(#"{"type":"op","seq":4,"v":"x","op":{"not":"checked"}}"#.utf8))
        #expect(message == .op(OpSubmission(seq: 4, version: .string("x"),
                                            operation: .object(JSONObject([(key: "not", value: .string("checked"))])))))
        let missing = try ClientMessage(decoding: Array(#"{"type":"op","seq":1}"#.utf8))
        #expect(missing == .op(OpSubmission(seq: 1, version: nil, operation: nil)))
    }

    @Test func opSeqRules() {
        #expect(code(#"{"type":"op","v":1,"op":["a"]}"#) == .badMessage)
        #expect(code(#"{"type":"op","seq":1.5,"v":1,"op":["a"]}"#) == .badMessage)
        #expect(code(#"{"type":"op","seq":1e0,"v":1,"op":["a"]}"#) == .badMessage)
        #expect(code(#"{"type":"op","seq":"1","v":1,"op":["a"]}"#) == .badMessage)
        #expect(code(#"{"type":"op","seq":0,"v":1,"op":["a"]}"#) == .badMessage)
    }

    @Test func loneSurrogates() throws {
        // In an insert: decodes; the room answers bad_op with the seq.
        let insert = try ClientMessage(decoding: Array(#"{"type":"op","seq":2,"v":0,"op":["\ud800x"]}"#.utf8))
        guard case .op(let submission) = insert else { Issue.record("not an op"); return }
        #expect(throws: TextOperationError.loneSurrogate(index: 0)) {
            try TextOperation(json: submission.operation ?? .null)
        }
        // Anywhere else: bad_message (with the op's seq).
        if case .failure(let error) = decode(#"{"type":"op","seq":2,"v":0,"op":[{"d":"\udc00"}]}"#) {
            #expect(error.seq == 2)
        }
        #expect(code(#"{"type":"op","seq":2,"v":0,"op":[{"d":"\udc00"}]}"#) == .badMessage)
        #expect(code(#"{"type":"op","seq":2,"v":0,"op":["a"],"note":"\ud800"}"#) == .badMessage)
        #expect(code(#"{"type":"join","clientId":"abcdefgh","user":{"name":"\ud800"}}"#) == .badMessage)
        #expect(code(#"{"type":"ping","id":"\udfff"}"#) == .badMessage)
        #expect(code(#"{"type":"op","seq":2,"v":0,"op":["a"],"\ud800":1}"#) == .badMessage)
    }

    @Test func presence() throws {
        let message = try ClientMessage(decoding: Array(#"{"type":"presence","v":21,"selection":[[5,9],[12,12]]}"#.utf8))
        #expect(message == .presence(PresenceUpdate(version: 21, selection: Selection([
            SelectionRange(anchor: 5, head: 9), SelectionRange(anchor: 12, head: 12)]))))
        let none = try ClientMessage(decoding: Array(#"{"type":"presence","v":0,"selection":null}"#.utf8))
        #expect(none == .presence(PresenceUpdate(version: 0, selection: nil)))
        for bad in [#"[[-1,2]]"#, #"[[1]]"#, #"[[1,2,3]]"#, #"[1,2]"#, #"[[1.5,2]]"#, #""x""#, #"{}"#] {
            #expect(code(#"{"type":"presence","v":1,"selection":\#(bad)}"#) == .badMessage, "\(bad)")
        }
        #expect(code(#"{"type":"presence","v":-1,"selection":null}"#) == .badMessage)
        #expect(code(#"{"type":"presence","selection":null}"#) == .badMessage)
        #expect(code(#"{"type":"presence","v":1}"#) == .badMessage)
    }

    @Test func ping() throws {
        #expect(try ClientMessage(decoding: Array(#"{"type":"ping","id":7}"#.utf8)) == .ping(id: .integer(7)))
        #expect(try ClientMessage(decoding: Array(#"{"type":"ping"}"#.utf8)) == .ping(id: nil))
    }

    @Test func malformed() {
        #expect(code("") == .badMessage)
        #expect(code("{") == .badMessage)
        #expect(code("[]") == .badMessage)
        #expect(code("\"join\"") == .badMessage)
        #expect(code(#"{"type":"hello"}"#) == .badMessage)
        #expect(code(#"{"type":7}"#) == .badMessage)
        #expect(code(#"{"clientId":"abcdefgh"}"#) == .badMessage)
        #expect(code(#"{"type":"ping"} x"#) == .badMessage)
    }

    @Test func nestingLimit() {
        // The object is level 1; 31 more arrays make 32 levels: accepted.
        let ok = #"{"type":"ping","id":"# + String(repeating: "[", count: 31) + String(repeating: "]", count: 31) + "}"
        #expect(code(ok) == nil)
        let deep = #"{"type":"ping","id":"# + String(repeating: "[", count: 32) + String(repeating: "]", count: 32) + "}"
        #expect(code(deep) == .badMessage)
    }
}
