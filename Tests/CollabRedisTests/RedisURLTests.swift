import CollabRedis
import Testing

@Suite struct RedisURLTests {
    @Test func forms() throws {
        let plain = try RedisURL("redis://127.0.0.1:6380")
        #expect(plain.host == "127.0.0.1" && plain.port == 6380 && plain.password == nil && plain.database == 0)
        #expect(try RedisURL("redis://localhost").port == 6379)
        let secret = try RedisURL("redis://:p%40ss%3Aword@cache.internal:6379/3")
        #expect(secret.password == "p@ss:word" && secret.user == nil && secret.database == 3)
        #expect(secret.description == "redis://:***@cache.internal:6379/3")
        let acl = try RedisURL("redis://collab:pw@[::1]:7000/0")
        #expect(acl.user == "collab" && acl.password == "pw" && acl.host == "::1" && acl.port == 7000)
        #expect(acl.description == "redis://collab:***@[::1]:7000/0")
    }

    @Test func badURLsSayWhy() {
        for (text, reason) in [("http://x", "expected redis://"), ("redis://", "no host"), ("redis://h:0", "port"),
                               ("redis://h:99999", "port"), ("redis://h:12/x", "database"), ("redis://:%zz@h", "percent")] {
            do {
                _ = try RedisURL(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.contains(reason), "\(text): \(error)")
            }
        }
    }
}
