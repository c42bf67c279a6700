import CollabTransport
import Dispatch

/// The set of open WebSockets, kept per loop: each loop's set is touched only on that loop.
/// A broadcast is encoded once and posted as one closure per loop, which queues the same
/// `SharedBytes` frame to every member without copying it.
final class EchoBroadcast: Sendable {
    private let members: [ObjectIdentifier: LoopBound<[ObjectIdentifier: WebSocketServerConnection]>]

    /// Builds the per-loop sets on their loops (blocks until each loop has made its box).
    init(group: EventLoopGroup) {
        var members: [ObjectIdentifier: LoopBound<[ObjectIdentifier: WebSocketServerConnection]>] = [:]
        for loop in group.loops {
            let slot = BoxSlot()
            loop.execute {
                slot.box = LoopBound([:], eventLoop: loop)
                slot.ready.signal()
            }
            slot.ready.wait()
            members[ObjectIdentifier(loop)] = slot.box
        }
        self.members = members
    }

    /// Carries one loop's box to the starting thread.
    private final class BoxSlot: @unchecked Sendable {
        // @unchecked Sendable is sound: `box` is written on the loop before `ready.signal()`
        // and read by the starting thread only after `ready.wait()`, which orders the two.
        var box: LoopBound<[ObjectIdentifier: WebSocketServerConnection]>?
        let ready = DispatchSemaphore(value: 0)
    }

    func join(_ webSocket: WebSocketServerConnection) {
        members[ObjectIdentifier(webSocket.eventLoop)]?.value[ObjectIdentifier(webSocket)] = webSocket
    }

    func leave(_ webSocket: WebSocketServerConnection) {
        members[ObjectIdentifier(webSocket.eventLoop)]?.value[ObjectIdentifier(webSocket)] = nil
    }

    /// Sends `frame` to every member on every loop; call on one of the group's loops.
    func send(_ frame: SharedBytes, from loop: EventLoop) {
        for box in members.values {
            if box.eventLoop === loop {
                for member in box.value.values { member.send(frame: frame) }
            } else {
                box.eventLoop.execute {
                    for member in box.value.values { member.send(frame: frame) }
                }
            }
        }
    }
}
