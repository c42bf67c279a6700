import CollabRedis
import CollabTestSupport
import Foundation
import Synchronization
import Testing

/// The client against a real redis-server: commands, AUTH, pub/sub, a killed and restarted
/// server (the subscriber reconnects and subscribes again on its own).
@Suite(.serialized) struct RedisClientTests {
    @Test func commandsAndAuth() throws {
        let server = try RedisTestServer()
        let connection = try RedisConnection(url: server.url)
        try connection.ping()
        #expect(try connection.command(["SET", "k", "värde"]) == .simpleString("OK"))
        #expect(try connection.command(["GET", "k"]).string == "värde")
        #expect(try connection.command(["GET", "missing"]) == .bulkString(nil))
        #expect(try connection.publish("nobody", Array("x".utf8)) == 0)
        // An error reply is a typed error; the connection stays usable.
        #expect(throws: RedisError.self) { try connection.command(["NOSUCHCOMMAND"]) }
        try connection.ping()
        // Pipelined: one write, the replies in order, an error reply in its place.
        let replies = try connection.pipeline([["SET", "p", "1"], ["NOSUCHCOMMAND"], ["INCR", "p"], ["GET", "p"]]
            .map { $0.map { Array($0.utf8) } })
        #expect(replies.count == 4)
        #expect(replies[0] == .simpleString("OK") && replies[2] == .integer(2) && replies[3].string == "2")
        if case .error(let message) = replies[1] { #expect(message.hasPrefix("ERR")) } else { Issue.record("\(replies[1])") }
        #expect(try connection.publish([("nobody", Array("a".utf8)), ("nobody", Array("b".utf8))]) == [0, 0])
        try connection.ping()
        // A closed connection refuses a pipeline at once.
        let closing = try RedisConnection(url: server.url)
        closing.close()
        #expect(throws: RedisError.closed) { try closing.pipeline([[Array("PING".utf8)]]) }
        // A wrong password, and none at all.
        var wrong = server.url
        wrong.password = "nope"
        let refused = Self.serverMessage { () throws(RedisError) in _ = try RedisConnection(url: wrong) }
        #expect(refused?.hasPrefix("WRONGPASS") == true)
        var none = server.url
        none.password = nil
        let anonymous = try RedisConnection(url: none)
        let unauthenticated = Self.serverMessage { () throws(RedisError) in try anonymous.ping() }
        #expect(unauthenticated?.hasPrefix("NOAUTH") == true)
        // SELECT: keys live per database.
        var other = server.url
        other.database = 2
        #expect(try RedisConnection(url: other).command(["GET", "k"]) == .bulkString(nil))
        // Nothing listening: a connection error, quickly.
        let closed = try RedisURL("redis://127.0.0.1:1")
        #expect(throws: RedisError.self) { try RedisConnection(url: closed, timeout: .seconds(1)) }
    }

    /// The message of the `.server` error `body` throws; nil if it throws none or another.
    static func serverMessage(_ body: () throws(RedisError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            guard case .server(let message) = error else { return nil }
            return message
        }
    }

    @Test func subscriberReceivesAndSurvivesAServerRestart() throws {
        let server = try RedisTestServer()
        let received = Mutex<[String]>([])
        let states = Mutex<[Bool]>([])
        var timing = RedisSubscriber.Timing()
        timing.backoffBase = .milliseconds(20)
        timing.backoffCap = .milliseconds(200)
        timing.heartbeat = .milliseconds(200)
        let subscriber = RedisSubscriber(url: server.url, timing: timing, handlers: .init(
            onMessage: { channel, payload in
                received.withLock { $0.append(channel + "=" + String(decoding: payload, as: UTF8.self)) }
            },
            onStateChange: { up, _ in states.withLock { $0.append(up) } }))
        defer { subscriber.close() }
        subscriber.subscribe(["doc:a", "doc:b"])
        func eventually(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while !condition() && Date() < deadline { usleep(10_000) }
            return condition()
        }
        let publisher = try RedisConnection(url: server.url)
        // Published until it is seen: the subscription may not be in place yet.
        #expect(eventually {
            _ = try? publisher.publish("doc:a", Array("one".utf8))
            return received.withLock { $0.contains("doc:a=one") }
        })
        try publisher.publish("doc:c", Array("not subscribed".utf8))
        try publisher.publish("doc:b", Array("two".utf8))
        #expect(eventually { received.withLock { $0.contains("doc:b=two") } })
        #expect(!received.withLock { $0.contains { $0.hasPrefix("doc:c") } })
        subscriber.unsubscribe(["doc:b"])
        subscriber.subscribe(["doc:c"])
        #expect(eventually {
            _ = try? publisher.publish("doc:c", Array("three".utf8))
            return received.withLock { $0.contains("doc:c=three") }
        })
        try publisher.publish("doc:b", Array("after unsubscribe".utf8))

        // kill -9 the server: the subscriber says it is down, then up again once it is back,
        // subscribed to the current set without being asked.
        server.kill()
        #expect(eventually { states.withLock { $0.last == false } })
        #expect(!subscriber.isUp)
        try server.start()
        #expect(eventually { subscriber.isUp })
        let again = try RedisConnection(url: server.url)
        #expect(eventually {
            _ = try? again.publish("doc:a", Array("four".utf8))
            return received.withLock { $0.contains("doc:a=four") }
        })
        #expect(eventually {
            _ = try? again.publish("doc:c", Array("five".utf8))
            return received.withLock { $0.contains("doc:c=five") }
        })
        #expect(!received.withLock { $0.contains("doc:b=after unsubscribe") })
        #expect(states.withLock { $0.filter { $0 }.count } >= 2)
    }

    @Test func closingFromAHandlerDoesNotDeadlock() throws {
        let server = try RedisTestServer()
        let box = Mutex<RedisSubscriber?>(nil)
        let closed = Mutex(false)
        var timing = RedisSubscriber.Timing()
        timing.backoffBase = .milliseconds(10)
        let subscriber = RedisSubscriber(url: server.url, timing: timing, handlers: .init(onMessage: { _, _ in
            box.withLock { $0 }?.close()
            closed.withLock { $0 = true }
        }))
        box.withLock { $0 = subscriber }
        subscriber.subscribe(["stop"])
        let publisher = try RedisConnection(url: server.url)
        let deadline = Date().addingTimeInterval(10)
        while !closed.withLock({ $0 }) && Date() < deadline {
            _ = try? publisher.publish("stop", Array("now".utf8))
            usleep(10_000)
        }
        #expect(closed.withLock { $0 })
        let stopped = Date().addingTimeInterval(5)
        while subscriber.isUp && Date() < stopped { usleep(10_000) }
        #expect(!subscriber.isUp)
        subscriber.close()  // already stopping: returns at once
    }
}
