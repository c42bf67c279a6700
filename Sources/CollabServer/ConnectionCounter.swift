import Synchronization

/// Open WebSockets per user, per remote address and in total, shared by every loop: the
/// accept hook reserves a slot before the upgrade (or refuses with 503), the connection
/// gives it back when it closes.
final class ConnectionCounter: Sendable {
    private struct Counts {
        var total = 0
        /// Slots reserved since start: the next slot's `openOrder`.
        var opened: UInt64 = 0
        var byUser: [String: Int] = [:]
        var byAddress: [String: Int] = [:]
    }

    /// Most connections in all; 0 for no limit.
    let maxTotal: Int
    /// Most connections of one token `sub`; 0 for no limit (open mode has no users).
    let maxPerUser: Int
    /// Most connections from one remote IP address; 0 for no limit.
    let maxPerAddress: Int
    private let counts = Mutex(Counts())

    init(maxTotal: Int, maxPerUser: Int, maxPerAddress: Int) {
        self.maxTotal = maxTotal
        self.maxPerUser = maxPerUser
        self.maxPerAddress = maxPerAddress
    }

    /// Takes a slot for a connection of `user` from `address`, or refuses with 503 when a cap is reached.
    func reserve(user: String?, address: String?) throws(HTTPRefusal) -> ConnectionSlot {
        var openOrder: UInt64 = 0
        let refusal: String? = counts.withLock { counts in
            if maxTotal > 0 && counts.total >= maxTotal {
                return "the server is at its connection limit (\(maxTotal))"
            }
            if let user, maxPerUser > 0, counts.byUser[user, default: 0] >= maxPerUser {
                return "too many connections for this user (limit \(maxPerUser))"
            }
            if let address, maxPerAddress > 0, counts.byAddress[address, default: 0] >= maxPerAddress {
                return "too many connections from this address (limit \(maxPerAddress))"
            }
            counts.total += 1
            if let user { counts.byUser[user, default: 0] += 1 }
            if let address { counts.byAddress[address, default: 0] += 1 }
            counts.opened += 1
            openOrder = counts.opened
            return nil
        }
        if let refusal { throw HTTPRefusal(.serviceUnavailable, refusal) }
        return ConnectionSlot(counter: self, user: user, address: address, openOrder: openOrder)
    }

    /// Connections counted now.
    var total: Int { counts.withLock { $0.total } }

    /// Gives back one slot (called once per slot by `ConnectionSlot`).
    func release(user: String?, address: String?) {
        counts.withLock { counts in
            counts.total -= 1
            if let user { Self.decrement(&counts.byUser, user) }
            if let address { Self.decrement(&counts.byAddress, address) }
        }
    }

    private static func decrement(_ table: inout [String: Int], _ key: String) {
        let left = table[key, default: 0] - 1
        table[key] = left > 0 ? left : nil
    }
}
