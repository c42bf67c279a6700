import CollabJSON

extension TextOperation {
    /// Decodes the wire form (contract §2.2) strictly and normalizes it.
    ///
    /// Components: a positive `.integer` retains, a non-empty `.string` inserts, an
    /// object whose only member is `"d"` with a positive `.integer` deletes. A delete
    /// object with any other member (or a repeated `"d"`) is `.invalidComponent`: the
    /// "unknown fields are ignored" rule is for messages, and an op component carrying
    /// extra data most likely comes from another OT dialect whose meaning we would
    /// silently drop. Errors name the first offending component; an operation that is
    /// empty after normalization (`[]`, or retains only) is `.noEffect`.
    public init(json: JSONValue) throws(TextOperationError) {
        guard case .array(let items) = json else { throw .notAnArray }
        self.init()
        reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            switch item {
            case .integer(let count):
                try appendCheckedCount(count, isDelete: false, index: index)
            case .number:
                throw .nonIntegerCount(index: index)
            case .string(let text):
                guard !text.isEmpty else { throw .emptyInsert(index: index) }
                insert(text)
            case .stringWithLoneSurrogate:
                throw .loneSurrogate(index: index)
            case .object(let object):
                guard object.members.count == 1, object.members[0].key == "d" else {
                    throw .invalidComponent(index: index)
                }
                switch object.members[0].value {
                case .integer(let count):
                    try appendCheckedCount(count, isDelete: true, index: index)
                case .number:
                    throw .nonIntegerCount(index: index)
                case .null, .bool, .string, .stringWithLoneSurrogate, .array, .object:
                    throw .invalidComponent(index: index)
                }
            case .null, .bool, .array:
                throw .invalidComponent(index: index)
            }
        }
        guard !isNoop else { throw .noEffect }
    }

    /// The wire form of the (normalized) operation; `[]` for the no-op.
    public var json: JSONValue {
        var items: [JSONValue] = []
        items.reserveCapacity(components.count)
        for component in components {
            switch component {
            case .retain(let count): items.append(.integer(count))
            case .insert(let text): items.append(.string(text))
            case .delete(let count): items.append(.object(JSONObject([(key: "d", value: .integer(count))])))
            }
        }
        return .array(items)
    }
}
