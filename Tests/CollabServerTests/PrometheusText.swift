/// A strict little reader of the Prometheus text format (0.0.4), enough to check that
/// `/metrics` is well formed: HELP/TYPE before samples, counters named `_total`,
/// histograms with cumulative buckets ending at `+Inf`, `_sum` and `_count`.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var types: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(parsing text: String) throws {
        guard text.hasSuffix("\n") else { throw Failure(description: "the exposition must end with a newline") }
        var helped: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let words = line.split(separator: " ", maxSplits: 3)
                guard words.count >= 3, Self.isMetricName(words[2]) else { throw Failure(description: "bad line: \(line)") }
                let name = String(words[2])
                if words[1] == "HELP" {
                    guard helped.insert(name).inserted else { throw Failure(description: "second HELP for \(name)") }
                } else {
                    guard words.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(words[3]),
                          types[name] == nil, !samples.contains(where: { Self.family(of: $0.name, types: types) == name })
                    else { throw Failure(description: "bad or late TYPE: \(line)") }
                    types[name] = String(words[3])
                }
                continue
            }
            guard !line.hasPrefix("#") else { continue }
            let sample = try Self.sample(line)
            guard types[Self.family(of: sample.name, types: types)] != nil else {
                throw Failure(description: "sample without a TYPE: \(line)")
            }
            samples.append(sample)
        }
        try checkFamilies()
    }

    /// The value of the sample `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every sample of family `name` (histogram parts included).
    func samples(of family: String) -> [Sample] {
        samples.filter { Self.family(of: $0.name, types: types) == family }
    }

    private func checkFamilies() throws {
        for (family, type) in types {
            let members = samples(of: family)
            switch type {
            case "counter":
                guard family.hasSuffix("_total") else { throw Failure(description: "counter \(family) lacks _total") }
                guard members.allSatisfy({ $0.value >= 0 }) else { throw Failure(description: "negative counter \(family)") }
            case "histogram":
                let buckets = members.filter { $0.name == family + "_bucket" }
                let bounds = buckets.map { $0.labels["le"] ?? "" }
                guard bounds.last == "+Inf" else { throw Failure(description: "\(family) has no +Inf bucket") }
                let numeric = bounds.dropLast().compactMap(Double.init)
                guard numeric.count == bounds.count - 1, numeric == numeric.sorted() else {
                    throw Failure(description: "\(family) bucket bounds are not ascending numbers")
                }
                let counts = buckets.map(\.value)
                guard counts == counts.sorted() else { throw Failure(description: "\(family) buckets are not cumulative") }
                guard let count = value(family + "_count"), count == counts.last, value(family + "_sum") != nil else {
                    throw Failure(description: "\(family) lacks _sum or a _count equal to the +Inf bucket")
                }
            default:
                break
            }
        }
    }

    private static func family(of name: String, types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    private static func isMetricName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == ":" }
    }

    private static func sample(_ line: Substring) throws -> Sample {
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isMetricName(name) else { throw Failure(description: "bad metric name: \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            guard let close = rest.firstIndex(of: "}") else { throw Failure(description: "unclosed labels: \(line)") }
            for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, isMetricName(parts[0]), parts[1].count >= 2,
                      parts[1].first == "\"", parts[1].last == "\"" else { throw Failure(description: "bad label: \(line)") }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            rest = rest[rest.index(after: close)...]
        }
        guard rest.first == " " else { throw Failure(description: "no value: \(line)") }
        let text = rest.dropFirst()
        let value: Double? = switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
        guard let value else { throw Failure(description: "bad value: \(line)") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
