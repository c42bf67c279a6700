import Synchronization

/// A Prometheus counter family with one label (errors by code, closes by code...).
final class LabeledCounter: Sendable {
    private let values: Mutex<[String: Int]>

    /// A family whose `initialLabels` show from the start, at 0.
    init(initialLabels: [String] = []) {
        values = Mutex(Dictionary(uniqueKeysWithValues: initialLabels.map { ($0, 0) }))
    }

    /// Adds one to the counter of `label`.
    func increment(_ label: String) {
        values.withLock { $0[label, default: 0] += 1 }
    }

    /// The count of `label`.
    func value(_ label: String) -> Int {
        values.withLock { $0[label] ?? 0 }
    }

    /// Appends HELP, TYPE and one sample per label, sorted; label values must need no escaping.
    func append(to out: inout String, name: String, label: String, help: String) {
        let snapshot = values.withLock { $0 }
        out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
        for (value, count) in snapshot.sorted(by: { $0.key < $1.key }) {
            out += "\(name){\(label)=\"\(value)\"} \(count)\n"
        }
    }
}
