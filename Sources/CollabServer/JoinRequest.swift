/// A valid `join` message (contract §2.1).
public struct JoinRequest: Sendable, Hashable {
    /// 8–64 of `[A-Za-z0-9_-]`.
    public var clientId: String
    /// The last version the client holds; nil for the whole document.
    public var version: Int?
    /// `user.name`, if it was a string.
    public var userName: String?
    /// `user.color`, if it was `#rrggbb`.
    public var userColor: String?

    /// A join request; the decoder validates the fields.
    public init(clientId: String, version: Int?, userName: String? = nil, userColor: String? = nil) {
        self.clientId = clientId
        self.version = version
        self.userName = userName
        self.userColor = userColor
    }

    /// Whether `clientId` is 8–64 of `[A-Za-z0-9_-]`.
    public static func isValidClientId(_ clientId: String) -> Bool {
        let utf8 = clientId.utf8
        guard utf8.count >= 8 && utf8.count <= 64 else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Whether `color` is `#rrggbb` (hex digits, either case).
    public static func isValidColor(_ color: String) -> Bool {
        let utf8 = Array(color.utf8)
        guard utf8.count == 7, utf8[0] == UInt8(ascii: "#") else { return false }
        return utf8.dropFirst().allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
        }
    }
}
