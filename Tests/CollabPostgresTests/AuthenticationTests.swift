import CollabPostgres
import Testing

@Suite struct AuthenticationTests {
    // RFC 7677 section 3.
    @Test func scramMatchesRFC7677TestVector() throws {
        var scram = SCRAMSHA256(username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(scram.clientFirstMessage() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let final = try scram.clientFinalMessage(serverFirst: serverFirst)
        #expect(final == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        #expect(!scram.isComplete)
        try scram.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        #expect(scram.isComplete)
    }

    @Test func scramRejectsAWrongServerSignature() throws {
        var scram = SCRAMSHA256(username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = scram.clientFirstMessage()
        _ = try scram.clientFinalMessage(
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(throws: SCRAMError.serverSignatureMismatch) {
            try scram.verifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        }
        #expect(!scram.isComplete)
    }

    @Test func scramRejectsANonceThatDoesNotExtendOurs() {
        var scram = SCRAMSHA256(username: "", password: "pencil", clientNonce: "abc")
        _ = scram.clientFirstMessage()
        #expect(throws: SCRAMError.nonceMismatch) {
            try scram.clientFinalMessage(serverFirst: "r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        }
    }

    @Test func scramRejectsMalformedServerFirst() {
        for message in ["", "r=abcdef", "r=abcdef,s=!!!,i=4096", "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=zero",
                        "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", "e=other-error"] {
            var scram = SCRAMSHA256(username: "", password: "p", clientNonce: "abc")
            _ = scram.clientFirstMessage()
            #expect(throws: SCRAMError.self, "\(message)") { try scram.clientFinalMessage(serverFirst: message) }
        }
    }

    @Test func scramRefusesServerFinalBeforeServerFirst() {
        var scram = SCRAMSHA256(username: "", password: "p", clientNonce: "abc")
        _ = scram.clientFirstMessage()
        #expect(throws: SCRAMError.self) { try scram.verifyServerFinal("v=AAAA") }
    }

    @Test func randomNoncesArePrintableWithoutCommasAndDiffer() {
        let a = SCRAMSHA256.randomNonce(), b = SCRAMSHA256.randomNonce()
        #expect(a != b)
        #expect(a.count == 24)
        #expect(!a.contains(","))
    }

    // python3: inner = md5(b"secret" + b"postgres").hexdigest();
    //          "md5" + md5(inner.encode() + bytes([1, 2, 3, 4])).hexdigest()
    @Test func md5MatchesHashlib() {
        #expect(PostgresMD5Password.response(user: "postgres", password: "secret", salt: [1, 2, 3, 4])
                == "md5bb41a296aab6baccb36ff243a562abff")
    }
}
