/// One line of a document with the op that last wrote any of its characters.
public struct BlameLine: Equatable, Sendable {
    /// The line number, from 1.
    public var number: Int
    /// The line's text, without its line feed.
    public var text: String
    /// The version the op was stored as (as `collab history` and `collab show` number it).
    public var version: Int
    /// The op's author (the token `sub`).
    public var user: String
    /// The op's commit time, in milliseconds since the Unix epoch.
    public var ts: Int64

    /// Makes a line.
    public init(number: Int, text: String, version: Int, user: String, ts: Int64) {
        self.number = number
        self.text = text
        self.version = version
        self.user = user
        self.ts = ts
    }
}
