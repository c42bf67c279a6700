/// What Describe and Close refer to: a prepared statement or a portal.
public enum PostgresDescribeKind: UInt8, Sendable, Hashable {
    case statement = 0x53 // 'S'
    case portal = 0x50 // 'P'
}
