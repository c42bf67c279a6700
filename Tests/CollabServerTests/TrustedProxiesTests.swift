import CollabServer
import Testing

@Suite struct TrustedProxiesTests {
    @Test func rangesAndAddresses() throws {
        let proxies = try TrustedProxies(cidrs: ["10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"])
        #expect(proxies.contains("10.200.3.4") && !proxies.contains("11.0.0.1"))
        #expect(proxies.contains("192.168.1.7") && !proxies.contains("192.168.1.8"))
        #expect(proxies.contains("fd12::1") && !proxies.contains("fe80::1") && proxies.contains("::1"))
        #expect(!proxies.contains("not an address"))
        #expect(try TrustedProxies(cidrs: ["0.0.0.0/0"]).contains("8.8.8.8"))
        #expect(try TrustedProxies(cidrs: ["10.1.2.0/23"]).contains("10.1.3.255"))
        #expect(try !TrustedProxies(cidrs: ["10.1.2.0/23"]).contains("10.1.4.0"))
        for bad in ["10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x", ""] {
            #expect(throws: TrustedProxies.ParseError.self, "\(bad)") { try TrustedProxies(cidrs: [bad]) }
        }
    }

    @Test func clientAddressWalksForwardedHopsFromTheNearest() throws {
        let proxies = try TrustedProxies(cidrs: ["10.0.0.0/8"])
        // From a trusted proxy: the nearest untrusted hop.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["203.0.113.5"]) == "203.0.113.5")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["1.1.1.1, 203.0.113.5, 10.0.0.9"]) == "203.0.113.5")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["1.1.1.1", "203.0.113.5:4431"]) == "203.0.113.5")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["[2001:db8::1]:80"]) == "2001:db8::1")
        // Garbage stops the walk; no header: the proxy itself.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["1.1.1.1, junk"]) == "10.0.0.2")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: []) == "10.0.0.2")
        // From anyone else, or with no proxy trusted, the header is ignored.
        #expect(proxies.clientAddress(peer: "203.0.113.5", forwardedFor: ["1.2.3.4"]) == "203.0.113.5")
        #expect(TrustedProxies().clientAddress(peer: "10.0.0.2", forwardedFor: ["1.2.3.4"]) == "10.0.0.2")
    }
}
