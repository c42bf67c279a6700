// Undo of one step on a 100k-scalar document with 1,000 later remote ops to transform through
// (issue 15's figure: ≤ 5 ms). Built and run by Benchmarks/undo-bench.sh against the release
// CollabClient; not part of the package, so the library stays free of benchmark code.
import CollabClient
import CollabOT

struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let arguments = CommandLine.arguments
let runs = arguments.count > 1 ? Int(arguments[1]) ?? 30 : 30
let documentLength = 100_000
let remoteOps = 1_000
let me = "bench-undo-me"
var undoTimes: [Double] = []
var receiveTimes: [Double] = []
var plainReceiveTimes: [Double] = []
var checksum = 0

for run in 0..<runs {
    var random = Generator(state: 0x554E_444F &+ UInt64(run))
    var base = ""
    base.reserveCapacity(documentLength)
    let alphabet = Array("abcdefghij klmnopqrstuvwxyz,.é日👍".unicodeScalars)
    for _ in 0..<documentLength { base.unicodeScalars.append(alphabet[random.int(alphabet.count)]) }

    var document = ClientDocument(clientId: me)
    _ = document.beginJoin()
    _ = try document.receive(.snapshot(version: 0, text: base))
    _ = try document.receive(.joined(version: 0, clientId: me, role: .editor, presence: []))
    // The step to undo: a sentence typed in the middle, keystroke by keystroke (one group), then acknowledged.
    let start = ContinuousClock.now
    let middle = documentLength / 2
    for (index, scalar) in "Typed by me, then undone.".unicodeScalars.enumerated() {
        var keystroke = TextOperation()
        keystroke.retain(middle + index)
        keystroke.insert(String(scalar))
        _ = try document.applyLocal(keystroke, at: start + .milliseconds(100 * index))
    }
    // The first keystroke went at once, the rest as one composed op after its ack.
    _ = try document.receive(.ack(seq: 1, version: 0))
    _ = try document.receive(.ack(seq: 2, version: 1))
    guard document.pending.isEmpty, document.version == 2 else { fatalError("expected everything acknowledged") }

    // 1,000 remote ops all over the document: inserts and deletes of a few scalars.
    var length = document.text.count
    var records: [RemoteOperation] = []
    for index in 0..<remoteOps {
        var operation = TextOperation()
        let position = random.int(length)
        operation.retain(position)
        if random.int(3) == 0, length - position > 3 {
            operation.delete(1 + random.int(3))
        } else {
            operation.insert(String(alphabet[random.int(alphabet.count)]) + "x")
        }
        length += operation.lengthChange
        records.append(RemoteOperation(version: 2 + index, operation: operation, clientId: "bench-undo-other",
                                       seq: 1 + index, user: "other"))
    }
    // The same ops on a copy with nothing to undo: what the undo history adds to receiving.
    var plain = ClientDocument(clientId: me)
    _ = plain.beginJoin()
    _ = try plain.receive(.snapshot(version: 2, text: String(document.text)))
    _ = try plain.receive(.joined(version: 2, clientId: me, role: .editor, presence: []))
    let plainStart = ContinuousClock.now
    for record in records { _ = try plain.receive(.operations([record])) }
    plainReceiveTimes.append(milliseconds(ContinuousClock.now - plainStart))

    let receiveStart = ContinuousClock.now
    for record in records { _ = try document.receive(.operations([record])) }
    receiveTimes.append(milliseconds(ContinuousClock.now - receiveStart))

    let undoStart = ContinuousClock.now
    guard let (outcome, message) = try document.undo() else { fatalError("nothing to undo") }
    undoTimes.append(milliseconds(ContinuousClock.now - undoStart))
    guard message != nil, document.text.count < length else { fatalError("the undo did not remove the step") }
    checksum &+= outcome.selection.ranges.count
}

func format(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

print("undo of one step, 100k scalars, \(remoteOps) later remote ops, \(runs) runs:")
print("  undo(): median \(format(median(undoTimes))) ms, min \(format(undoTimes.min()!)) ms, max \(format(undoTimes.max()!)) ms")
print("  receiving the \(remoteOps) remote ops: median \(format(median(receiveTimes))) ms in all"
      + " (\(format(median(receiveTimes) / Double(remoteOps) * 1000)) µs per op);"
      + " \(format(median(plainReceiveTimes))) ms with nothing to undo")
if checksum == 0 { print("(no selection)") }
