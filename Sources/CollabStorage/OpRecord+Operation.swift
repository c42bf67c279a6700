import CollabJSON
import CollabOT

extension OpRecord {
    /// The stored op decoded; `[]` (an op that transformation emptied) is the no-op.
    ///
    /// Throws `.undecodableOp` with the reason when the text is not a valid op.
    public func operation() throws(DocumentHistoryError) -> TextOperation {
        let json: JSONValue
        do {
            json = try JSONReader.parse(opJSON)
        } catch {
            throw .undecodableOp(doc: doc, version: version, reason: "invalid JSON: \(error)")
        }
        if case .array(let items) = json, items.isEmpty {
            return .noop
        }
        do {
            return try TextOperation(json: json)
        } catch {
            throw .undecodableOp(doc: doc, version: version, reason: "\(error)")
        }
    }

    /// The texts the op's deletes removed, from `deletedJSON`; nil if it is not an array of strings.
    public func deletedTexts() -> [String]? {
        guard case .array(let items)? = try? JSONReader.parse(deletedJSON) else { return nil }
        var texts: [String] = []
        texts.reserveCapacity(items.count)
        for item in items {
            guard case .string(let text) = item else { return nil }
            texts.append(text)
        }
        return texts
    }
}
