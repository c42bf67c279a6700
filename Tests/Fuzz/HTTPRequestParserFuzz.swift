// libFuzzer entry point for the HTTP/1.1 request parser.
// Built by fuzz-http-parser.sh together with the parser sources (not part of the package).

@_cdecl("LLVMFuzzerTestOneInput")
public func httpRequestParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard size > 0 else { return 0 }
    // The first byte picks the split size, so feeding in pieces is explored too.
    let chunk = max(1, Int(bytes[0]))
    let input = UnsafeRawBufferPointer(rebasing: bytes[1...])
    var whole = HTTPRequestParser()
    var wholeOutcomes: [HTTPRequestParser.Outcome] = []
    var offset = 0
    while offset < input.count {
        let (consumed, outcome) = whole.parse(UnsafeRawBufferPointer(rebasing: input[offset...]))
        wholeOutcomes.append(outcome)
        offset += consumed
        if case .error = outcome { break }
        if consumed == 0 { break }
    }
    // Fed in pieces, the parser must reach the same heads and the same first error.
    var split = HTTPRequestParser()
    var splitOutcomes: [HTTPRequestParser.Outcome] = []
    var start = 0
    outer: while start < input.count {
        let end = min(input.count, start + chunk)
        var piece = UnsafeRawBufferPointer(rebasing: input[start..<end])
        while !piece.isEmpty {
            let (consumed, outcome) = split.parse(piece)
            if case .needMoreData = outcome {} else { splitOutcomes.append(outcome) }
            if case .error = outcome { break outer }
            piece = UnsafeRawBufferPointer(rebasing: piece[consumed...])
            if consumed == 0 { break outer }
        }
        start = end
    }
    let decided = wholeOutcomes.filter { if case .needMoreData = $0 { return false } else { return true } }
    precondition(decided == splitOutcomes, "whole and split parsing disagree")
    return 0
}
