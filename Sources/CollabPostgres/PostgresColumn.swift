/// One field of a RowDescription.
public struct PostgresColumn: Sendable, Hashable {
    /// The column's name (or the expression's alias).
    public var name: String
    /// The source table's OID, 0 when the column is not a plain table column.
    public var tableOID: Int32
    /// The column's attribute number in that table, 0 otherwise.
    public var columnAttributeNumber: Int16
    /// The data type's OID.
    public var dataTypeOID: Int32
    /// The type's size (negative = variable width).
    public var dataTypeSize: Int16
    /// The type modifier.
    public var typeModifier: Int32
    /// 0 = text, 1 = binary.
    public var formatCode: Int16

    /// Creates a column description.
    public init(name: String, tableOID: Int32 = 0, columnAttributeNumber: Int16 = 0, dataTypeOID: Int32 = 25,
                dataTypeSize: Int16 = -1, typeModifier: Int32 = -1, formatCode: Int16 = 0) {
        self.name = name
        self.tableOID = tableOID
        self.columnAttributeNumber = columnAttributeNumber
        self.dataTypeOID = dataTypeOID
        self.dataTypeSize = dataTypeSize
        self.typeModifier = typeModifier
        self.formatCode = formatCode
    }
}
