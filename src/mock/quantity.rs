//! Kubernetes resource quantities (`resource.Quantity`): parsing the
//! `<number><suffix>` syntax well enough to compare requests with limits
//! (QoS class) and to reject malformed values.
//!
//! It does not canonicalise the textual form: the mock echoes what was sent.

/// Parses a quantity to its value in base units; `None` when malformed.
pub fn parse(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    if number.is_empty() || number == "+" || number == "-" {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exp if exp.starts_with(['e', 'E']) => {
            let power: i32 = exp[1..].parse().ok()?;
            10f64.powi(power)
        }
        _ => return None,
    };
    Some(value * factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("1", Some(1.0))]
    #[case("500m", Some(0.5))]
    #[case("1Gi", Some(1073741824.0))]
    #[case("1e3", Some(1000.0))]
    #[case("abc", None)]
    #[case("1Xi", None)]
    fn parses(#[case] s: &str, #[case] v: Option<f64>) {
        assert_eq!(parse(s), v);
    }
}
