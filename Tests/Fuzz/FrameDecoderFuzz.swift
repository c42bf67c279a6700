// libFuzzer entry point for the WebSocket frame decoder and state machine.
// Built by fuzz-frame-decoder.sh together with the codec sources (not part of the package).

@_cdecl("LLVMFuzzerTestOneInput")
public func frameDecoderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let control = bytes.first else { return 0 }
    let role: WebSocketRole = control & 1 == 0 ? .server : .client
    let input = Array(bytes.dropFirst())
    // Feed in chunks whose size comes from the control byte, so splits are explored too.
    let chunk = max(1, Int(control >> 1))
    var machine = WebSocketConnectionStateMachine(
        role: role, configuration: WebSocketConfiguration(maxMessageSize: 4096), now: .now)
    var start = 0
    while start < input.count {
        let end = min(input.count, start + chunk)
        _ = machine.bytesReceived(Array(input[start..<end]), now: .now)
        start = end
    }
    return 0
}
