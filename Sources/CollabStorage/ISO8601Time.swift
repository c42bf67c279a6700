/// ISO 8601 times for operators: printed in UTC with milliseconds (`2026-11-22T05:31:02.123Z`),
/// read in the common forms (`2026-11-22`, `2026-11-22T05:31Z`, `2026-11-22T05:31:02.5+01:00`).
///
/// Pure arithmetic on the proleptic Gregorian calendar, so the output never depends on the
/// machine's locale or time zone.
public enum ISO8601Time {
    /// `milliseconds` since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func format(milliseconds: Int64) -> String {
        let (seconds, millis) = floorDivide(milliseconds, 1000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):"
            + "\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    /// Milliseconds since the Unix epoch of an ISO 8601 date or date-time, or nil if `text` is
    /// not one. A date alone is midnight UTC; a date-time needs `Z` or an offset (`+01:00`,
    /// `+0100`, `+01`), since a local time would depend on where the command runs. Seconds and
    /// a fraction are optional; the fraction is cut to milliseconds. `T` may be a space.
    public static func parse(_ text: String) -> Int64? {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.digits(4), reader.skip(UInt8(ascii: "-")),
              let month = reader.digits(2), reader.skip(UInt8(ascii: "-")),
              let day = reader.digits(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        if reader.isAtEnd {
            return days * 86_400_000
        }
        guard reader.skip(UInt8(ascii: "T")) || reader.skip(UInt8(ascii: "t")) || reader.skip(UInt8(ascii: " ")),
              let hour = reader.digits(2), reader.skip(UInt8(ascii: ":")), let minute = reader.digits(2),
              hour < 24, minute < 60 else { return nil }
        var second = 0
        var millis = 0
        if reader.skip(UInt8(ascii: ":")) {
            guard let value = reader.digits(2), value < 60 else { return nil }
            second = value
            if reader.skip(UInt8(ascii: ".")) || reader.skip(UInt8(ascii: ",")) {
                guard let fraction = reader.fractionMilliseconds() else { return nil }
                millis = fraction
            }
        }
        let offsetMinutes: Int
        if reader.skip(UInt8(ascii: "Z")) || reader.skip(UInt8(ascii: "z")) {
            offsetMinutes = 0
        } else {
            let sign: Int
            if reader.skip(UInt8(ascii: "+")) {
                sign = 1
            } else if reader.skip(UInt8(ascii: "-")) {
                sign = -1
            } else {
                return nil
            }
            guard let offsetHours = reader.digits(2), offsetHours < 24 else { return nil }
            var offsetMinute = 0
            if !reader.isAtEnd {
                _ = reader.skip(UInt8(ascii: ":"))
                guard let value = reader.digits(2), value < 60 else { return nil }
                offsetMinute = value
            }
            offsetMinutes = sign * (offsetHours * 60 + offsetMinute)
        }
        guard reader.isAtEnd else { return nil }
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    // MARK: - Calendar

    /// Days from 1970-01-01 to the given date (negative before it).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        // Count years from March so the leap day is the last day of the counted year.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01 (the inverse of `daysSinceEpoch`).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, Int(remainder))
    }

    private static func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Reads fixed-width decimal fields from ASCII bytes.
    private struct DigitReader {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var isAtEnd: Bool { position == bytes.count }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int? {
            guard bytes.count - position >= count else { return nil }
            var value = 0
            for byte in bytes[position..<position + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }

        /// One or more digits after the decimal point, as whole milliseconds (cut, not rounded).
        mutating func fractionMilliseconds() -> Int? {
            var millis = 0
            var count = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                if count < 3 {
                    millis = millis * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                }
                count += 1
                position += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) {
                millis *= 10
            }
            return millis
        }
    }
}
