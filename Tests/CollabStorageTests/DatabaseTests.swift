import Foundation
import Testing
@testable import CollabStorage
import CollabTestSupport

@Suite struct DatabaseTests {
    @Test func bindsAndReadsEveryType() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t (i INTEGER, i64 INTEGER, s TEXT, b BLOB, d BLOB, n TEXT, r REAL)")
        let insert = try database.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)")
        let text = "héllo \u{1F600} wörld\u{0}tail"  // non-ASCII, astral and an embedded NUL
        let bytes: [UInt8] = [0, 1, 2, 255, 0]
        try insert.bind(-42, at: 1)
        try insert.bind(Int64.max, at: 2)
        try insert.bind(text, at: 3)
        try insert.bind(bytes, at: 4)
        try insert.bind(Data([9, 8, 7]) as Data?, at: 5)
        try insert.bindNull(at: 6)
        try insert.bind(2.5, at: 7)
        try insert.run()
        #expect(database.changes == 1)
        #expect(database.lastInsertRowID == 1)

        let select = try database.prepare("SELECT i, i64, s, b, d, n, r FROM t")
        let row = try #require(try select.step())
        #expect(row.count == 7)
        #expect(row.int(0) == -42)
        #expect(row.int64(1) == Int64.max)
        #expect(row.string(2) == text)
        #expect(row.bytes(3) == bytes)
        #expect(row.data(4) == Data([9, 8, 7]))
        #expect(row.isNull(5))
        #expect(row.optionalString(5) == nil)
        #expect(row.double(6) == 2.5)
        #expect(row.value(0) == .integer(-42))
        #expect(row.value(5) == .null)
        #expect(select.columnName(at: 2) == "s")
        #expect(try select.step() == nil)
    }

    @Test func bindsByNameEmptyValuesAndNilOptionals() throws {
        let database = try Database(path: ":memory:")
        let statement = try database.prepare("SELECT :text, :blob, :missing, typeof(:text), typeof(:blob), typeof(:missing)")
        try statement.bind("", named: ":text")
        try statement.bind([UInt8](), named: ":blob")
        try statement.bind(nil as Data?, named: ":missing")
        let row = try #require(try statement.step())
        // Empty text and blobs must stay empty values, not become NULL.
        #expect(row.string(3) == "text")
        #expect(row.string(4) == "blob")
        #expect(row.string(5) == "null")
        #expect(row.string(0) == "")
        #expect(row.bytes(1) == [])

        #expect(throws: SQLiteError.self) { try statement.bind(1, named: ":nope") }
    }

    @Test func resetReRunsWithNewBindings() throws {
        let database = try Database(path: ":memory:")
        let statement = try database.prepare("SELECT ? * 2")
        var results: [Int] = []
        for value in [1, 5, 21] {
            statement.reset()
            try statement.bind(value, at: 1)
            results.append(try #require(try statement.step()).int(0))
        }
        #expect(results == [2, 10, 42])
        let cached = try database.cachedStatement("SELECT 7")
        #expect(try database.cachedStatement("SELECT 7") === cached)
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t (a TEXT, b INTEGER, UNIQUE (a, b))")
        let sql = "INSERT INTO t (a, b) VALUES ('x', 1)"
        try database.execute(sql)
        let error = try #require(throws: SQLiteError.self) { try database.execute(sql) }
        #expect(error.code == .constraint)
        #expect(error.code.rawValue == 19)
        #expect(error.extendedCode == .constraintUnique)
        #expect(error.message == "UNIQUE constraint failed: t.a, t.b")
        #expect(error.sql == sql)
        #expect(error.description == "SQLite error 19: UNIQUE constraint failed: t.a, t.b - while executing \(sql)")

        let syntax = try #require(throws: SQLiteError.self) { try database.prepare("SELEKT 1") }
        #expect(syntax.code == .error)
        #expect(syntax.message.contains("syntax error"))
        #expect(syntax.sql == "SELEKT 1")

        let several = try #require(throws: SQLiteError.self) { try database.prepare("SELECT 1; SELECT 2") }
        #expect(several.code == .misuse)
    }

    @Test func executeRunsSeveralStatementsAndReportsTheFailingOne() throws {
        let database = try Database(path: ":memory:")
        try database.execute("""
            -- a comment
            CREATE TABLE t (a INTEGER);
            INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);
            """)
        #expect(try database.scalarText("SELECT group_concat(a) FROM t") == "1,2")
        let error = try #require(throws: SQLiteError.self) {
            try database.execute("INSERT INTO t VALUES (3); INSERT INTO nope VALUES (4); INSERT INTO t VALUES (5)")
        }
        #expect(error.sql == "INSERT INTO nope VALUES (4); INSERT INTO t VALUES (5)")
        #expect(try database.scalarText("SELECT count(*) FROM t") == "3")
    }

    @Test func transactionsCommitRollBackAndRollBackOnThrow() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t (a INTEGER)")
        try database.inTransaction(.immediate) { () throws(SQLiteError) in
            try database.execute("INSERT INTO t VALUES (1)")
            #expect(database.isInTransaction)
            return .commit
        }
        try database.inTransaction { () throws(SQLiteError) in
            try database.execute("INSERT INTO t VALUES (2)")
            return .rollback
        }
        #expect(throws: SQLiteError.self) {
            try database.inTransaction { () throws(SQLiteError) in
                try database.execute("INSERT INTO t VALUES (3)")
                try database.execute("INSERT INTO missing VALUES (4)")
                return .commit
            }
        }
        #expect(!database.isInTransaction)
        #expect(try database.scalarText("SELECT group_concat(a) FROM t") == "1")
    }

    @Test func readOnlyConnectionCannotWriteAndMissingFileFails() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path()
        do {
            let writer = try Database(path: path)
            try writer.execute("CREATE TABLE t (a INTEGER)")
        }
        let reader = try Database(path: path, mode: .readOnly)
        let error = try #require(throws: SQLiteError.self) { try reader.execute("INSERT INTO t VALUES (1)") }
        #expect(error.code == .readOnly)
        let missing = try #require(throws: SQLiteError.self) {
            try Database(path: directory.path("missing.sqlite"), mode: .readWrite)
        }
        #expect(missing.code == .cantOpen)
    }
}
