/// One blocking connection to Redis for commands (PING, PUBLISH, ...): connects, `AUTH`s and
/// `SELECT`s, then sends one command at a time and reads its reply. Used from one thread at
/// a time; any connection error closes it (its stream is out of step) and the caller makes a
/// new one.
public final class RedisConnection {
    /// Where it is connected.
    public let url: RedisURL
    /// How long one command may wait for its reply.
    public var timeout: Duration
    private let socket: RedisSocket
    private var decoder = RESPDecoder()
    private var isBroken = false

    /// Connects to `url` within `timeout`, then authenticates and selects its database.
    public init(url: RedisURL, timeout: Duration = .seconds(5)) throws(RedisError) {
        self.url = url
        self.timeout = timeout
        socket = try RedisSocket(host: url.host, port: url.port, timeout: timeout)
        if let password = url.password {
            _ = try command(url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if url.database != 0 {
            _ = try command(["SELECT", String(url.database)])
        }
    }

    /// Sends `arguments` and returns the reply; `.server` for an error reply.
    @discardableResult
    public func command(_ arguments: [String]) throws(RedisError) -> RESPValue {
        try command(bytes: arguments.map { Array($0.utf8) })
    }

    /// Sends `arguments` (binary-safe) and returns the reply; `.server` for an error reply.
    @discardableResult
    public func command(bytes arguments: [[UInt8]]) throws(RedisError) -> RESPValue {
        guard !isBroken else { throw .closed }
        let reply: RESPValue
        do throws(RedisError) {
            try socket.write(RESPEncoder.command(arguments), timeout: timeout)
            reply = try readReply()
        } catch {
            // The stream is out of step (or gone): nothing more can be read from it.
            close()
            throw error
        }
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// Sends every command of `commands` in one write, then reads their replies, in order: one
    /// round trip for all. An error reply is returned in its place (`.error`), not thrown; a
    /// connection error fails them all (their outcome is unknown).
    public func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RESPValue] {
        guard !isBroken else { throw .closed }
        guard !commands.isEmpty else { return [] }
        var bytes: [UInt8] = []
        for arguments in commands { bytes += RESPEncoder.command(arguments) }
        do throws(RedisError) {
            try socket.write(bytes, timeout: timeout)
            var replies: [RESPValue] = []
            replies.reserveCapacity(commands.count)
            for _ in commands { replies.append(try readReply()) }
            return replies
        } catch {
            close()
            throw error
        }
    }

    /// `PUBLISH` of each (channel, message) in one round trip (`pipeline`): how many
    /// subscribers received each.
    @discardableResult
    public func publish(_ messages: [(channel: String, message: [UInt8])]) throws(RedisError) -> [Int] {
        let replies = try pipeline(messages.map { [Array("PUBLISH".utf8), Array($0.channel.utf8), $0.message] })
        var receivers: [Int] = []
        receivers.reserveCapacity(replies.count)
        for reply in replies {
            if case .error(let message) = reply { throw .server(message) }
            guard case .integer(let count) = reply else { throw .unexpectedReply(reply) }
            receivers.append(count)
        }
        return receivers
    }

    /// `PING`: throws unless the server answers `PONG`.
    public func ping() throws(RedisError) {
        let reply = try command(["PING"])
        guard reply == .simpleString("PONG") else { throw .unexpectedReply(reply) }
    }

    /// `PUBLISH channel message`: the number of subscribers that received it (on this server).
    @discardableResult
    public func publish(_ channel: String, _ message: [UInt8]) throws(RedisError) -> Int {
        let reply = try command(bytes: [Array("PUBLISH".utf8), Array(channel.utf8), message])
        guard case .integer(let receivers) = reply else { throw .unexpectedReply(reply) }
        return receivers
    }

    /// Sends a command without waiting for its reply (pub/sub mode, where replies and
    /// messages arrive in one stream read with `receive`).
    func send(_ arguments: [String]) throws(RedisError) {
        guard !isBroken else { throw .closed }
        do {
            try socket.write(RESPEncoder.command(arguments), timeout: timeout)
        } catch {
            close()
            throw error
        }
    }

    /// Bytes that arrived within `timeout` (nil: none yet; empty: the server closed).
    func receive(timeout: Duration) throws(RedisError) -> [UInt8]? {
        guard !isBroken else { throw .closed }
        do {
            return try socket.read(timeout: timeout)
        } catch .timedOut {
            return nil
        } catch {
            close()
            throw error
        }
    }

    /// Closes the connection.
    public func close() {
        isBroken = true
        socket.shutdown()
    }

    private func readReply() throws(RedisError) -> RESPValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                if let value = try decoder.next() { return value }
            } catch {
                throw .protocolViolation(error)
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw .timedOut }
            let bytes = try socket.read(timeout: left)
            guard !bytes.isEmpty else { throw .closed }
            decoder.feed(bytes)
        }
    }
}

@available(*, unavailable)
extension RedisConnection: Sendable {}
