import COpenSSL
import Foundation

/// A throwaway self-signed certificate and its key, generated with OpenSSL's API and written as
/// PEM into a fresh temporary directory (removed by `remove()`).
struct TestCertificate {
    enum KeyType {
        case ecP256
        case rsa2048
    }

    struct GenerationError: Error, CustomStringConvertible {
        let description: String
    }

    let directory: URL
    /// PEM certificate (subject CN=`commonName`, SAN DNS:`commonName`, IP:127.0.0.1).
    let certificatePath: String
    /// PEM private key (unencrypted PKCS#8).
    let privateKeyPath: String

    /// Generates a key of `keyType` and a certificate for `commonName` valid for a day.
    static func make(commonName: String = "localhost", keyType: KeyType = .ecP256) throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("collab-tls-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = try generateKey(keyType)
        defer { EVP_PKEY_free(key) }
        let certificate = try selfSignedCertificate(key: key, commonName: commonName)
        defer { X509_free(certificate) }

        let certificatePath = directory.appendingPathComponent("cert.pem").path
        let privateKeyPath = directory.appendingPathComponent("key.pem").path
        try writePEM(to: certificatePath) { PEM_write_bio_X509($0, certificate) }
        try writePEM(to: privateKeyPath) { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        return TestCertificate(directory: directory, certificatePath: certificatePath,
                               privateKeyPath: privateKeyPath)
    }

    /// A file in this certificate's directory (for writing broken variants).
    func file(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func generateKey(_ keyType: KeyType) throws -> OpaquePointer {
        let algorithm = keyType == .ecP256 ? "EC" : "RSA"
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw GenerationError(description: "EVP_PKEY_CTX_new_from_name failed")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else {
            throw GenerationError(description: "EVP_PKEY_keygen_init failed")
        }
        switch keyType {
        case .ecP256:
            guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else {
                throw GenerationError(description: "cannot select P-256")
            }
        case .rsa2048:
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1 else {
                throw GenerationError(description: "cannot select 2048 bits")
            }
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen(context, &key) == 1, let key else {
            throw GenerationError(description: "EVP_PKEY_keygen failed")
        }
        return key
    }

    private static func selfSignedCertificate(key: OpaquePointer, commonName: String) throws -> OpaquePointer {
        guard let certificate = X509_new() else {
            throw GenerationError(description: "X509_new failed")
        }
        var ok = X509_set_version(certificate, 2) == 1 // v3
        ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(certificate), Int(UInt32.random(in: 1...UInt32.max))) == 1
        ok = ok && X509_gmtime_adj(X509_getm_notBefore(certificate), -60) != nil
        ok = ok && X509_gmtime_adj(X509_getm_notAfter(certificate), 24 * 3600) != nil
        ok = ok && X509_set_pubkey(certificate, key) == 1
        let name = X509_get_subject_name(certificate)
        ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
        ok = ok && X509_set_issuer_name(certificate, name) == 1
        ok = ok && addExtension(certificate, NID_subject_alt_name, "DNS:\(commonName),IP:127.0.0.1")
        ok = ok && addExtension(certificate, NID_basic_constraints, "critical,CA:TRUE")
        ok = ok && X509_sign(certificate, key, EVP_sha256()) > 0
        guard ok else {
            X509_free(certificate)
            throw GenerationError(description: "building the certificate failed")
        }
        return certificate
    }

    private static func addExtension(_ certificate: OpaquePointer, _ nid: Int32, _ value: String) -> Bool {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        guard let extensionValue = X509V3_EXT_conf_nid(nil, &context, nid, value) else { return false }
        defer { X509_EXTENSION_free(extensionValue) }
        return X509_add_ext(certificate, extensionValue, -1) == 1
    }

    private static func writePEM(to path: String, _ write: (OpaquePointer) -> Int32) throws {
        guard let file = BIO_new_file(path, "w") else {
            throw GenerationError(description: "cannot create \(path)")
        }
        defer { BIO_free(file) }
        guard write(file) == 1 else {
            throw GenerationError(description: "cannot write \(path)")
        }
    }
}
