//! Go's `time.ParseDuration`, for the `timeout` query parameter every
//! request goes through (`filters.WithRequestDeadline` refuses a malformed
//! one with 400 before routing). Only acceptance and Go's error texts
//! matter: the mock never times a request out.

/// `time.quote`: non-ASCII and control bytes as `\xNN`, `"` and `\` escaped.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7f => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

const NANOS_PER: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Checks `s` as `time.ParseDuration` does, returning Go's error text.
pub fn check(s: &str) -> Result<(), String> {
    let invalid = || format!("time: invalid duration {}", quote(s));
    let mut rest = s.strip_prefix(['-', '+']).unwrap_or(s);
    if rest == "0" {
        return Ok(());
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let limit: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let int: u128 = if digits == 0 {
            0
        } else {
            // leadingInt refuses anything past 1<<63.
            rest[..digits]
                .parse::<u128>()
                .ok()
                .filter(|v| *v <= limit)
                .ok_or_else(invalid)?
        };
        rest = &rest[digits..];
        let mut fraction = false;
        if let Some(after) = rest.strip_prefix('.') {
            let n = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            fraction = n > 0;
            rest = &after[n..];
        }
        if digits == 0 && !fraction {
            return Err(invalid());
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", quote(s)));
        }
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let Some((_, nanos)) = NANOS_PER.iter().find(|(u, _)| *u == unit) else {
            return Err(format!(
                "time: unknown unit {} in duration {}",
                quote(unit),
                quote(s)
            ));
        };
        total += int * u128::from(*nanos);
        if total > limit {
            return Err(invalid());
        }
    }
    if !s.starts_with('-') && total > limit - 1 {
        return Err(invalid());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn go_texts() {
        assert!(check("0").is_ok());
        assert!(check("-1.5h").is_ok());
        assert!(check("1h2m3.5s").is_ok());
        assert_eq!(check("abc").unwrap_err(), "time: invalid duration \"abc\"");
        assert_eq!(
            check("10").unwrap_err(),
            "time: missing unit in duration \"10\""
        );
        assert_eq!(
            check("10x").unwrap_err(),
            "time: unknown unit \"x\" in duration \"10x\""
        );
        assert_eq!(check(".s").unwrap_err(), "time: invalid duration \".s\"");
        assert_eq!(
            check("3000000h").unwrap_err(),
            "time: invalid duration \"3000000h\""
        );
    }
}
