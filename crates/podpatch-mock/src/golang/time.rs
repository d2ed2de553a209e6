//! Go's `time.Parse(time.RFC3339, s)` (time/format.go `parse`, the general
//! parser the RFC 3339 fast path falls back to) and `metav1.Time`'s JSON
//! form (`t.UTC().Format(time.RFC3339)`, `null` for the zero time): what a
//! timestamp in a pod decodes to, and the exact `parsing time …` text when
//! it does not. Text and value conversion only: it must not decide which
//! timestamps a pod may hold.

/// The layout `metav1.Time` parses with.
const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";

/// An instant as Go's `time.Time` holds it after `Parse`: seconds since
/// the Unix epoch and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoTime {
    unix: i64,
    nanos: u32,
}

/// Seconds from 0001-01-01T00:00:00Z to the Unix epoch (`time.Time`'s zero).
const ZERO_UNIX: i64 = -62_135_596_800;

/// Days from 1970-01-01 to the civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count from 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// `daysIn`.
fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// time/format.go's `quote`: non-ASCII and control bytes as `\xNN`.
fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in s {
        if !(b' '..0x80).contains(&b) {
            out.push_str(&format!("\\x{b:02x}"));
        } else {
            if b == b'"' || b == b'\\' {
                out.push('\\');
            }
            out.push(char::from(b));
        }
    }
    out.push('"');
    out
}

fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// `getnum`: one or two digits (`fixed` demands two).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    if !is_digit(s, 0) {
        return None;
    }
    if !is_digit(s, 1) {
        if fixed {
            return None;
        }
        return Some((i64::from(s[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'),
        &s[2..],
    ))
}

/// `atoi` of four year bytes whose first is a digit.
fn atoi(s: &[u8]) -> Option<i64> {
    s.iter().try_fold(0i64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

/// A `*time.ParseError`'s text.
fn cannot_parse(value: &[u8], rest: &[u8], elem: &str) -> String {
    format!(
        "parsing time {} as {}: cannot parse {} as {}",
        quote(value),
        quote(LAYOUT.as_bytes()),
        quote(rest),
        quote(elem.as_bytes())
    )
}

fn with_message(value: &[u8], message: &str) -> String {
    format!("parsing time {}{message}", quote(value))
}

fn out_of_range(value: &[u8], what: &str) -> String {
    with_message(value, &format!(": {what} out of range"))
}

/// `skip`: the literal `prefix` (no spaces in this layout).
fn skip<'a>(value: &'a [u8], prefix: &str) -> Option<&'a [u8]> {
    value.strip_prefix(prefix.as_bytes())
}

/// `time.Parse(time.RFC3339, s)`, with Go's error text when it fails.
pub fn parse_rfc3339(s: &str) -> Result<GoTime, String> {
    let all = s.as_bytes();
    let mut v = all;
    // 2006
    if v.len() < 4 || !is_digit(v, 0) {
        return Err(cannot_parse(all, v, "2006"));
    }
    let year = atoi(&v[..4]).ok_or_else(|| cannot_parse(all, v, "2006"))?;
    v = &v[4..];
    // -01
    v = skip(v, "-").ok_or_else(|| cannot_parse(all, v, "-"))?;
    let (month, rest) = getnum(v, true).ok_or_else(|| cannot_parse(all, v, "01"))?;
    if !(1..=12).contains(&month) {
        return Err(out_of_range(all, "month"));
    }
    v = rest;
    // -02
    v = skip(v, "-").ok_or_else(|| cannot_parse(all, v, "-"))?;
    let (day, rest) = getnum(v, true).ok_or_else(|| cannot_parse(all, v, "02"))?;
    v = rest;
    // T15
    v = skip(v, "T").ok_or_else(|| cannot_parse(all, v, "T"))?;
    let (hour, rest) = getnum(v, false).ok_or_else(|| cannot_parse(all, v, "15"))?;
    if hour >= 24 {
        return Err(out_of_range(all, "hour"));
    }
    v = rest;
    // :04
    v = skip(v, ":").ok_or_else(|| cannot_parse(all, v, ":"))?;
    let (minute, rest) = getnum(v, true).ok_or_else(|| cannot_parse(all, v, "04"))?;
    if minute >= 60 {
        return Err(out_of_range(all, "minute"));
    }
    v = rest;
    // :05, with a fraction the layout does not name
    v = skip(v, ":").ok_or_else(|| cannot_parse(all, v, ":"))?;
    let (second, rest) = getnum(v, true).ok_or_else(|| cannot_parse(all, v, "05"))?;
    if second >= 60 {
        return Err(out_of_range(all, "second"));
    }
    v = rest;
    let mut nanos = 0u32;
    if v.len() >= 2 && matches!(v[0], b'.' | b',') && is_digit(v, 1) {
        let n = 1 + v[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = &v[1..n.min(10)];
        let mut ns = atoi(digits).unwrap_or(0);
        for _ in digits.len()..9 {
            ns *= 10;
        }
        nanos = u32::try_from(ns).unwrap_or(0);
        v = &v[n..];
    }
    // Z07:00
    let offset = if let Some(rest) = v.strip_prefix(b"Z") {
        v = rest;
        0
    } else {
        let hold = v;
        if v.len() < 6 || v[3] != b':' {
            return Err(cannot_parse(all, hold, "Z07:00"));
        }
        // Go reads the minutes only after good hours, and the later range
        // failure overwrites the earlier one.
        let hr = getnum(&v[1..3], true).map(|(n, _)| n);
        let mm = hr.and_then(|_| getnum(&v[4..6], true).map(|(n, _)| n));
        let (hr_n, mm_n) = (hr.unwrap_or(0), mm.unwrap_or(0));
        if mm_n > 60 {
            return Err(out_of_range(all, "time zone offset minute"));
        }
        if hr_n > 24 {
            return Err(out_of_range(all, "time zone offset hour"));
        }
        let sign = match v[0] {
            b'+' if hr.is_some() && mm.is_some() => 1,
            b'-' if hr.is_some() && mm.is_some() => -1,
            _ => return Err(cannot_parse(all, hold, "Z07:00")),
        };
        v = &v[6..];
        sign * (hr_n * 60 + mm_n) * 60
    };
    if !v.is_empty() {
        return Err(with_message(all, &format!(": extra text: {}", quote(v))));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(out_of_range(all, "day"));
    }
    let unix =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Ok(GoTime { unix, nanos })
}

impl GoTime {
    /// `metav1.Time`'s JSON: `None` (`null`) for the zero time, else
    /// `t.UTC().Format(time.RFC3339)` (whole seconds, `Z`).
    pub fn marshal(&self) -> Option<String> {
        if self.unix == ZERO_UNIX && self.nanos == 0 {
            return None;
        }
        let days = self.unix.div_euclid(86_400);
        let secs = self.unix.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // Written digit by digit: it runs for every time of every pod
        // decoded, where `format!` cost ten times as much.
        let mut out = String::with_capacity(20);
        // `appendInt(b, year, 4)`: a sign, then at least four digits.
        if y < 0 {
            out.push('-');
        }
        push_padded(&mut out, y.unsigned_abs(), 4);
        for (sep, n) in [
            ('-', m),
            ('-', d),
            ('T', secs / 3600),
            (':', secs / 60 % 60),
            (':', secs % 60),
        ] {
            out.push(sep);
            push_padded(&mut out, n.unsigned_abs(), 2);
        }
        out.push('Z');
        Some(out)
    }
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = start.min(digits.len().saturating_sub(width));
    out.extend(digits[start..].iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("2025-06-30T12:00:00Z", Some("2025-06-30T12:00:00Z"))]
    #[case("2025-06-30T12:00:00.5Z", Some("2025-06-30T12:00:00Z"))]
    #[case("2025-06-30T12:00:00+02:00", Some("2025-06-30T10:00:00Z"))]
    #[case("2025-06-30T1:00:00Z", Some("2025-06-30T01:00:00Z"))]
    #[case("9999-12-31T23:59:59Z", Some("9999-12-31T23:59:59Z"))]
    #[case("9999-12-31T23:59:59-01:00", Some("10000-01-01T00:59:59Z"))]
    #[case("0000-01-01T00:00:00+01:00", Some("-0001-12-31T23:00:00Z"))]
    #[case("0001-01-01T00:00:00Z", None)]
    fn parses_and_marshals(#[case] s: &str, #[case] json: Option<&str>) {
        assert_eq!(parse_rfc3339(s).unwrap().marshal().as_deref(), json);
    }

    /// Texts as kube-apiserver 1.36.5 (Go 1.26) gave them.
    #[rstest]
    #[case(
        "2025-06-30 12:00:00",
        r#"parsing time "2025-06-30 12:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse " 12:00:00" as "T""#
    )]
    #[case(
        "2025-06-30",
        r#"parsing time "2025-06-30" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T""#
    )]
    #[case(
        "9223372036854775808",
        r#"parsing time "9223372036854775808" as "2006-01-02T15:04:05Z07:00": cannot parse "372036854775808" as "-""#
    )]
    #[case(
        "2026-13-40T25:61:61Z",
        r#"parsing time "2026-13-40T25:61:61Z": month out of range"#
    )]
    #[case(
        "2025-06-30T24:00:00Z",
        r#"parsing time "2025-06-30T24:00:00Z": hour out of range"#
    )]
    #[case(
        "2025-02-30T00:00:00Z",
        r#"parsing time "2025-02-30T00:00:00Z": day out of range"#
    )]
    #[case(
        "2025-06-30T12:00:00z",
        r#"parsing time "2025-06-30T12:00:00z" as "2006-01-02T15:04:05Z07:00": cannot parse "z" as "Z07:00""#
    )]
    #[case(
        "",
        r#"parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006""#
    )]
    #[case(
        "2025-06-30T12:00:00Zx",
        r#"parsing time "2025-06-30T12:00:00Zx": extra text: "x""#
    )]
    fn refuses_with_go_text(#[case] s: &str, #[case] text: &str) {
        assert_eq!(parse_rfc3339(s).unwrap_err(), text);
    }
}
