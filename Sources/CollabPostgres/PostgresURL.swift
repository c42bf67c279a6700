/// A `postgres://USER:PASSWORD@HOST:PORT/DBNAME[?sslmode=disable|require]` URL (also
/// `postgresql://`), with percent-decoded user, password and database.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// Where and as whom to connect.
    public var configuration: PostgresConfiguration

    /// Parses `text`; throws with a message naming what is wrong (never echoing the password).
    public init(_ text: String) throws(PostgresURLError) {
        let rest: Substring
        if text.hasPrefix("postgres://") {
            rest = text.dropFirst("postgres://".count)
        } else if text.hasPrefix("postgresql://") {
            rest = text.dropFirst("postgresql://".count)
        } else {
            let scheme = text.firstRange(of: "://").map { String(text[..<$0.lowerBound]) } ?? text
            // Whatever precedes "://" is named; without one the text may hold a password, so not.
            throw .unsupportedScheme(text.contains("://") ? scheme : "(none)")
        }
        var authorityAndPath = rest
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            authorityAndPath = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        }
        var authority = authorityAndPath
        var path: Substring = ""
        // The password may contain '/' only percent-encoded, so the first '/' after the last '@'
        // starts the path.
        let userInfoEnd = authorityAndPath.lastIndex(of: "@")
        let searchFrom = userInfoEnd.map { authorityAndPath.index(after: $0) } ?? authorityAndPath.startIndex
        if let slash = authorityAndPath[searchFrom...].firstIndex(of: "/") {
            authority = authorityAndPath[..<slash]
            path = authorityAndPath[authorityAndPath.index(after: slash)...]
        }
        guard let at = authority.lastIndex(of: "@") else { throw .missingUser }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]

        let user: String
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            user = try Self.percentDecoded(userInfo[..<colon], component: "user")
            password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], component: "password")
        } else {
            user = try Self.percentDecoded(userInfo, component: "user")
        }
        guard !user.isEmpty else { throw .missingUser }

        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw .malformed("unclosed '[' in the host") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .malformed("unexpected text after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw .missingHost }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .invalidPort(String(portText)) }
            port = value
        }
        let database = path.isEmpty ? nil : try Self.percentDecoded(path, component: "database name")

        var sslMode = PostgresSSLMode.disable
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard name == "sslmode", let mode = PostgresSSLMode(rawValue: value) else {
                throw .unsupportedParameter(String(pair))
            }
            sslMode = mode
        }
        configuration = PostgresConfiguration(host: String(host), port: port, user: user, password: password,
                                              database: database, sslMode: sslMode)
    }

    /// The URL with the password replaced by `***`, safe for logs and error messages.
    public var redacted: String {
        var text = "postgres://" + Self.percentEncoded(configuration.user)
        if configuration.password != nil { text += ":***" }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        text += "@\(host):\(configuration.port)"
        if let database = configuration.database { text += "/" + Self.percentEncoded(database) }
        if configuration.sslMode != .disable { text += "?sslmode=\(configuration.sslMode.rawValue)" }
        return text
    }

    /// The redacted form: a description must never leak the password.
    public var description: String { redacted }

    private static func percentDecoded(_ text: Substring, component: String) throws(PostgresURLError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .invalidPercentEncoding(component: component)
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .invalidPercentEncoding(component: component)
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = UnicodeScalar(byte)
            if byte < 0x80, scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar)) || "-._~".contains(Character(scalar)) {
                out.append(Character(scalar))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
