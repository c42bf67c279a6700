/// Client ids (contract §2.1): 8–64 of `[A-Za-z0-9_-]`, made once per editing session.
public enum ClientID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".unicodeScalars)

    /// A new random id of `length` characters (at least 8; 16 gives 96 bits).
    public static func make(length: Int = 16) -> String {
        var generator = SystemRandomNumberGenerator()
        var id = String.UnicodeScalarView()
        for _ in 0..<max(8, min(64, length)) { id.append(alphabet[Int(generator.next() % 64)]) }
        return String(id)
    }

    /// Whether `id` is a valid client id.
    public static func isValid(_ id: String) -> Bool {
        let scalars = id.unicodeScalars
        guard (8...64).contains(scalars.count) else { return false }
        return scalars.allSatisfy { alphabet.contains($0) }
    }
}
