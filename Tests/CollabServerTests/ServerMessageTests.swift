import CollabJSON
import CollabOT
import Testing
@testable import CollabServer

@Suite struct ServerMessageTests {
    func text(_ message: ServerMessage) -> String {
        String(decoding: message.payload, as: UTF8.self)
    }

    let record = OpRecord(version: 20, operation: TextOperation(unchecked: [.retain(5), .insert("hi"), .delete(2)]),
                          clientId: "k3J9x-1a", seq: 4, user: "ada", timestamp: 1_763_800_000_000,
                          deletedTexts: ["x\"y"])

    @Test func opRecord() {
        #expect(String(decoding: record.json, as: UTF8.self)
            == #"{"type":"op","v":20,"op":[5,"hi",{"d":2}],"clientId":"k3J9x-1a","seq":4,"user":"ada","ts":1763800000000}"#)
        #expect(String(decoding: record.operationJSON, as: UTF8.self) == #"[5,"hi",{"d":2}]"#)
        #expect(String(decoding: record.deletedTextsJSON, as: UTF8.self) == #"["x\"y"]"#)
        #expect(OpRecord.storedOperation(json: Array(record.operationJSON)) == record.operation)
        #expect(OpRecord.storedOperation(json: Array("[]".utf8)) == .noop)
        #expect(OpRecord.storedOperation(json: Array("[0]".utf8)) == nil)
        #expect(OpRecord.storedDeletedTexts(json: record.deletedTextsJSON) == ["x\"y"])
        let row = OpRecord(version: 20, operationJSON: Array(record.operationJSON), deletedTextsJSON: record.deletedTextsJSON,
                           clientId: "k3J9x-1a", seq: 4, user: "ada", timestamp: 1_763_800_000_000)
        #expect(row?.json == record.json)
        #expect(row?.deletedTexts == ["x\"y"])
        #expect(OpRecord(version: 0, operationJSON: Array("[".utf8), deletedTextsJSON: Array("[]".utf8),
                         clientId: "abcdefgh", seq: 1, user: "u", timestamp: 0) == nil)
        let noop = OpRecord(version: 0, operation: .noop, clientId: "abcdefgh", seq: 1, user: "u", timestamp: 0,
                            deletedTexts: [])
        #expect(String(decoding: noop.operationJSON, as: UTF8.self) == "[]")
        #expect(String(decoding: noop.deletedTextsJSON, as: UTF8.self) == "[]")
    }

    @Test func messages() {
        #expect(text(.snapshot(version: 3, text: "a\n\"é")) == #"{"type":"snapshot","version":3,"text":"a\n\"é"}"#)
        #expect(text(.op(record)) == String(decoding: record.json, as: UTF8.self))
        #expect(text(.ops([record, record][...])) == #"{"type":"ops","ops":["# + String(decoding: record.json, as: UTF8.self)
            + "," + String(decoding: record.json, as: UTF8.self) + "]}")
        #expect(text(.ops([][...])) == #"{"type":"ops","ops":[]}"#)
        let presence = PresenceState(clientId: "k3J9x-1a", userId: "ada", name: "Ada", color: "#ee3333", version: 22,
                                     selection: Selection([SelectionRange(anchor: 7, head: 11), SelectionRange(cursor: 14)]))
        #expect(text(.presence(presence))
            == ##"{"type":"presence","clientId":"k3J9x-1a","user":{"id":"ada","name":"Ada","color":"#ee3333"},"v":22,"selection":[[7,11],[14,14]]}"##)
        var none = presence
        none.selection = nil
        #expect(text(.joined(version: 5, clientId: "abcdefgh", role: .viewer, presence: [none]))
            == ##"{"type":"joined","version":5,"clientId":"abcdefgh","role":"viewer","presence":[{"type":"presence","clientId":"k3J9x-1a","user":{"id":"ada","name":"Ada","color":"#ee3333"},"v":22,"selection":null}]}"##)
        #expect(text(.joined(version: 0, clientId: "abcdefgh", role: .editor, presence: []))
            == #"{"type":"joined","version":0,"clientId":"abcdefgh","role":"editor","presence":[]}"#)
        #expect(text(.ack(seq: 4, version: 20)) == #"{"type":"ack","seq":4,"v":20}"#)
        #expect(text(.leave(clientId: "k3J9x-1a")) == #"{"type":"leave","clientId":"k3J9x-1a"}"#)
        #expect(text(.error(.badOp, message: "delete past end of document", seq: 4))
            == #"{"type":"error","code":"bad_op","message":"delete past end of document","seq":4}"#)
        #expect(text(.error(.notJoined, message: "m", seq: nil)) == #"{"type":"error","code":"not_joined","message":"m"}"#)
        #expect(text(.pong(id: .integer(7))) == #"{"type":"pong","id":7}"#)
        #expect(text(.pong(id: nil)) == #"{"type":"pong"}"#)
    }

    @Test func frames() {
        let small = ServerMessage.ack(seq: 1, version: 2).frame.array
        #expect(small[0] == 0x81)
        #expect(Int(small[1]) == small.count - 2)
        let big = ServerMessage.snapshot(version: 0, text: String(repeating: "a", count: 70_000)).frame
        let bytes = big.array
        #expect(bytes[1] == 127)
        #expect(FakeClient.decode(big)["text"]?.string?.count == 70_000)
        let medium = ServerMessage.snapshot(version: 0, text: String(repeating: "a", count: 300)).frame.array
        #expect(medium[1] == 126)
        #expect(Int(medium[2]) << 8 | Int(medium[3]) == medium.count - 4)
    }
}
