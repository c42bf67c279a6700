import CollabClient
import CollabOT
import Testing

@Suite struct WireMessageTests {
    @Test func outboundMessagesEncodeAsTheContractShowsThem() throws {
        #expect(OutboundMessage.join(clientId: "k3J9x-1a", version: 17, user: UserHints(name: "Ada", color: "#ee3333")).text
                == ##"{"type":"join","clientId":"k3J9x-1a","version":17,"user":{"name":"Ada","color":"#ee3333"}}"##)
        #expect(OutboundMessage.join(clientId: "k3J9x-1a", version: nil, user: nil).text
                == #"{"type":"join","clientId":"k3J9x-1a"}"#)
        let operation = try TextOperation([.retain(3), .insert("hi"), .delete(2)])
        #expect(OutboundMessage.op(seq: 4, version: 17, operation: operation).text
                == #"{"type":"op","seq":4,"v":17,"op":[3,"hi",{"d":2}]}"#)
        let selection = Selection([SelectionRange(anchor: 5, head: 9), SelectionRange(cursor: 12)])
        #expect(OutboundMessage.presence(version: 21, selection: selection).text
                == #"{"type":"presence","v":21,"selection":[[5,9],[12,12]]}"#)
        #expect(OutboundMessage.presence(version: 21, selection: nil).text == #"{"type":"presence","v":21,"selection":null}"#)
    }

    @Test func inboundMessagesDecode() throws {
        let record = #"{"type":"op","v":20,"op":[5,"hi",{"d":2}],"clientId":"k3J9x-1a","seq":4,"user":"ada","ts":1763800000000}"#
        #expect(try InboundMessage(text: record) == .operations([
            RemoteOperation(version: 20, operation: try TextOperation([.retain(5), .insert("hi"), .delete(2)]),
                            clientId: "k3J9x-1a", seq: 4, user: "ada", timestamp: 1_763_800_000_000),
        ]))
        // An op emptied by transformation is still a version.
        #expect(try InboundMessage(text: #"{"type":"ops","ops":[{"type":"op","v":3,"op":[],"clientId":"abcdefgh","seq":1,"user":"u","ts":1}]}"#)
                == .operations([RemoteOperation(version: 3, operation: .noop, clientId: "abcdefgh", seq: 1, user: "u", timestamp: 1)]))
        let joined = ##"{"type":"joined","version":7,"clientId":"me-client","role":"viewer","future":1,"presence":[{"type":"presence","clientId":"k3J9x-1a","user":{"id":"ada","name":"Ada","color":"#ee3333"},"v":7,"selection":null}]}"##
        #expect(try InboundMessage(text: joined) == .joined(version: 7, clientId: "me-client", role: .viewer, presence: [
            PresenceRecord(clientId: "k3J9x-1a", user: ParticipantUser(id: "ada", name: "Ada", color: "#ee3333"),
                           version: 7, selection: nil),
        ]))
        #expect(try InboundMessage(text: #"{"type":"ack","seq":4,"v":20}"#) == .ack(seq: 4, version: 20))
        #expect(try InboundMessage(text: #"{"type":"snapshot","version":3,"text":"héllo"}"#) == .snapshot(version: 3, text: "héllo"))
        #expect(try InboundMessage(text: #"{"type":"leave","clientId":"k3J9x-1a"}"#) == .leave(clientId: "k3J9x-1a"))
        #expect(try InboundMessage(text: #"{"type":"error","code":"bad_op","message":"delete past end","seq":4}"#)
                == .error(code: "bad_op", message: "delete past end", seq: 4))
        #expect(try InboundMessage(text: ##"{"type":"presence","clientId":"k3J9x-1a","user":{"id":"ada","name":"Ada","color":"#ee3333"},"v":22,"selection":[[7,11],[14,14]]}"##)
                == .presence(PresenceRecord(clientId: "k3J9x-1a", user: ParticipantUser(id: "ada", name: "Ada", color: "#ee3333"), version: 22,
                                            selection: Selection([SelectionRange(anchor: 7, head: 11), SelectionRange(cursor: 14)]))))
        #expect(try InboundMessage(text: #"{"type":"telemetry"}"#) == .unknown(type: "telemetry"))
    }

    @Test(arguments: [
        "not json", "[]", #"{"v":1}"#, #"{"type":"ack","seq":1}"#, #"{"type":"ack","seq":1,"v":1.5}"#,
        #"{"type":"op","v":1,"op":[{"x":1}],"clientId":"abcdefgh","seq":1}"#,
        #"{"type":"presence","clientId":"a","v":1,"selection":[[1]]}"#,
    ])
    func malformedInboundMessagesAreProtocolErrors(text: String) {
        #expect(throws: ClientProtocolError.self) { try InboundMessage(text: text) }
    }

    @Test func clientIdsAreMadeAndCheckedPerContract() {
        let id = ClientID.make()
        #expect(ClientID.isValid(id))
        #expect(id.count == 16)
        #expect(ClientID.make() != id)
        #expect(!ClientID.isValid("short"))
        #expect(!ClientID.isValid("has space in it"))
        #expect(!ClientID.isValid(String(repeating: "a", count: 65)))
        #expect(ClientID.isValid("k3J9x-1a"))
    }
}
