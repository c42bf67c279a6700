import CollabJSON

/// A client's selection (contract §2.3): a list of ranges at some document version.
public struct Selection: Sendable, Hashable {
    /// The ranges, in the order the client sent them.
    public var ranges: [SelectionRange]

    /// A selection of `ranges`.
    public init(_ ranges: [SelectionRange]) {
        self.ranges = ranges
    }

    /// Decodes `[[anchor, head], ...]`; nil if it is not a list of pairs of
    /// non-negative integers (the caller answers `bad_message`; JSON `null`, meaning
    /// no selection, is the caller's to handle before calling this).
    public init?(json: JSONValue) {
        guard case .array(let items) = json else { return nil }
        var ranges: [SelectionRange] = []
        ranges.reserveCapacity(items.count)
        for item in items {
            guard case .array(let pair) = item, pair.count == 2,
                  case .integer(let anchor) = pair[0], anchor >= 0,
                  case .integer(let head) = pair[1], head >= 0
            else { return nil }
            ranges.append(SelectionRange(anchor: anchor, head: head))
        }
        self.ranges = ranges
    }

    /// The wire form, `[[anchor, head], ...]`.
    public var json: JSONValue {
        .array(ranges.map { .array([.integer($0.anchor), .integer($0.head)]) })
    }

    /// The selection with every position past `documentLength` moved to it (contract §2.3: clamped).
    public func clamped(toLength documentLength: Int) -> Selection {
        Selection(ranges.map {
            SelectionRange(anchor: min($0.anchor, documentLength), head: min($0.head, documentLength))
        })
    }
}
