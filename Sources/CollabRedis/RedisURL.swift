/// `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, as `collab serve --pubsub` takes it.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// For `AUTH` (Redis 6 ACL user with a password, or the password alone).
    public var user: String?
    public var password: String?
    /// For `SELECT`; 0 by default.
    public var database: Int

    /// Why a URL is not a Redis URL.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// Parses `text`; user and password are percent-decoded.
    public init(_ text: String) throws(ParseError) {
        guard text.hasPrefix("redis://") else {
            throw ParseError(description: "expected redis://[:PASSWORD@]HOST:PORT[/DB]")
        }
        var rest = Substring(text.dropFirst("redis://".count))
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = Self.percentDecoded(parts[0]) else {
                throw ParseError(description: "malformed percent-encoding in the credentials")
            }
            if parts.count == 2 {
                guard let second = Self.percentDecoded(parts[1]) else {
                    throw ParseError(description: "malformed percent-encoding in the credentials")
                }
                user = first.isEmpty ? nil : first
                password = second
            } else {
                password = first
            }
        }
        var hostPart = rest
        var portNumber = 6379
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw ParseError(description: "unclosed [ in the host") }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") {
                guard let given = Int(after.dropFirst()), (1...65535).contains(given) else {
                    throw ParseError(description: "the port must be a number from 1 to 65535")
                }
                portNumber = given
            } else if !after.isEmpty {
                throw ParseError(description: "unexpected '\(after)' after the host")
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            guard let given = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(given) else {
                throw ParseError(description: "the port must be a number from 1 to 65535")
            }
            portNumber = given
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw ParseError(description: "no host") }
        host = String(hostPart)
        port = portNumber
        if path.isEmpty {
            database = 0
        } else {
            guard let number = Int(path), number >= 0 else {
                throw ParseError(description: "the database must be a number (redis://host:port/0)")
            }
            database = number
        }
    }

    /// The URL with the password replaced by `***`, for logs and errors.
    public var description: String {
        let credentials = password == nil ? "" : "\(user ?? ""):***@"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "redis://\(credentials)\(shownHost):\(port)/\(database)"
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
