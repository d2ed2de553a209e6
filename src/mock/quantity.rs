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

/// How a quantity prints (`resource.Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    DecimalSI,
    DecimalExponent,
    BinarySI,
}

/// A quantity as `resource.ParseQuantity` holds it: `mantissa * 10^scale`,
/// its format, and the text it keeps when that text is already canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    scale: i32,
    format: Format,
    text: Option<String>,
}

/// `parseQuantityString`: sign, numerator, denominator and suffix.
fn split(s: &str) -> Option<(bool, &str, &str, &str)> {
    let (positive, rest) = match s.as_bytes().first()? {
        b'-' => (false, &s[1..]),
        b'+' => (true, &s[1..]),
        _ => (true, s),
    };
    let rest = rest.trim_start_matches('0');
    let digits = |t: &str| t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let n = digits(rest);
    let (num, rest) = rest.split_at(n);
    let num = if num.is_empty() { "0" } else { num };
    let (denom, suffix) = match rest.strip_prefix('.') {
        Some(after) => after.split_at(digits(after)),
        None => ("", rest),
    };
    let letters = suffix.len()
        - suffix
            .trim_start_matches(|c: char| "eEinumkKMGTP".contains(c))
            .len();
    let tail = suffix[letters..]
        .strip_prefix(['-', '+'])
        .unwrap_or(&suffix[letters..]);
    if digits(tail) != tail.len() {
        return None;
    }
    Some((positive, num, denom, suffix))
}

/// `quantitySuffixer.interpret`: base, exponent and format of a suffix.
fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
    const DECIMAL: &[(&str, i32)] = &[
        ("n", -9),
        ("u", -6),
        ("m", -3),
        ("", 0),
        ("k", 3),
        ("M", 6),
        ("G", 9),
        ("T", 12),
        ("P", 15),
        ("E", 18),
    ];
    const BINARY: &[(&str, i32)] = &[
        ("Ki", 10),
        ("Mi", 20),
        ("Gi", 30),
        ("Ti", 40),
        ("Pi", 50),
        ("Ei", 60),
    ];
    if let Some((_, e)) = DECIMAL.iter().find(|(s, _)| *s == suffix) {
        return Some((10, *e, Format::DecimalSI));
    }
    if let Some((_, e)) = BINARY.iter().find(|(s, _)| *s == suffix) {
        return Some((2, *e, Format::BinarySI));
    }
    let exp = suffix.strip_prefix(['e', 'E'])?.parse::<i32>().ok()?;
    Some((10, exp, Format::DecimalExponent))
}

/// Rounds `mantissa * 10^scale` away from zero to `target` (> `scale`).
fn round_up(mantissa: i128, scale: i32, target: i32) -> Option<i128> {
    let div = 10i128.checked_pow(u32::try_from(target - scale).ok()?)?;
    let q = mantissa / div;
    Some(if mantissa % div == 0 {
        q
    } else {
        q + mantissa.signum()
    })
}

impl Quantity {
    /// `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Option<Quantity> {
        if s.is_empty() {
            return None;
        }
        let (positive, num, denom, suffix) = split(s)?;
        let (base, exponent, format) = interpret(suffix)?;
        let sign = if positive { 1 } else { -1 };
        let digits: i128 = format!("{num}{denom}").parse().ok()?;
        let denom_len = i32::try_from(denom.len()).ok()?;
        // The int64 fast path, which keeps an already canonical text.
        let precision = match format {
            Format::BinarySI if denom.is_empty() => {
                15 - num.len() as i32 - (exponent as f32 * 3.0 / 10.0) as i32 - 1
            }
            Format::BinarySI => -1,
            _ => 18 - (num.len() + denom.len()) as i32,
        };
        let scale = if base == 10 { exponent } else { 0 } - denom_len;
        if precision >= 0 && scale >= -9 {
            let shifted = format!("{num}{denom}");
            let mantissa = if base == 2 {
                digits.checked_mul(1i128 << exponent)?
            } else {
                digits
            };
            if mantissa <= i128::from(i64::MAX) {
                let keep = match format {
                    Format::BinarySI => exponent % 10 == 0 && digits & 7 != 0,
                    _ => scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0'),
                };
                return Some(Quantity {
                    mantissa: sign * mantissa,
                    scale,
                    format,
                    text: keep.then(|| s.to_string()),
                });
            }
        }
        // The inf.Dec path: exact value, rounded up to nanos, never kept.
        let (mut mantissa, mut scale) = if base == 2 {
            (digits.checked_mul(1i128 << exponent)?, -denom_len)
        } else {
            (digits, exponent - denom_len)
        };
        if scale < -9 {
            mantissa = round_up(mantissa, scale, -9)?;
            scale = -9;
        }
        let mut format = format;
        if format == Format::BinarySI {
            let one = 10i128.checked_pow(u32::try_from(-scale.min(0)).ok()?)?;
            if mantissa > 0 && mantissa < one {
                format = Format::DecimalSI;
            }
        }
        Some(Quantity {
            mantissa: sign * mantissa,
            scale,
            format,
            text: None,
        })
    }

    /// `RoundUp(resource.Milli)`, which `SetDefaults_ResourceList` applies.
    fn round_up_milli(&mut self) {
        if self.scale < -3
            && let Some(m) = round_up(self.mantissa, self.scale, -3)
        {
            self.mantissa = m;
            self.scale = -3;
            self.text = None;
        }
    }

    /// `Add`: the sum forgets the text and takes the format of the first
    /// non-zero operand.
    pub fn add(&mut self, other: &Quantity) {
        let scale = self.scale.min(other.scale);
        if self.mantissa == 0 {
            self.format = other.format;
        }
        self.mantissa = self.at_scale(scale).saturating_add(other.at_scale(scale));
        self.scale = scale;
        self.text = None;
    }

    /// `Cmp`.
    pub fn cmp(&self, other: &Quantity) -> std::cmp::Ordering {
        let scale = self.scale.min(other.scale);
        self.at_scale(scale).cmp(&other.at_scale(scale))
    }

    /// The mantissa at a smaller `scale` (saturating far out of range).
    fn at_scale(&self, scale: i32) -> i128 {
        10i128
            .checked_pow(self.scale.abs_diff(scale))
            .and_then(|p| self.mantissa.checked_mul(p))
            .unwrap_or(i128::MAX * self.mantissa.signum())
    }

    /// `String()`: the kept text, else `CanonicalizeBytes`.
    pub fn render(&self) -> String {
        if let Some(text) = &self.text {
            return text.clone();
        }
        let (mut m, mut scale) = (self.mantissa, self.scale);
        if m == 0 {
            return "0".into();
        }
        let mut format = self.format;
        if format == Format::BinarySI {
            let integral = if scale >= 0 {
                10i128
                    .checked_pow(scale as u32)
                    .and_then(|p| m.checked_mul(p))
            } else {
                10i128
                    .checked_pow(scale.unsigned_abs())
                    .filter(|p| m % p == 0)
                    .map(|p| m / p)
            };
            match integral {
                Some(v) if v.abs() >= 1024 => {
                    let (mut v, mut exp) = (v, 0usize);
                    while v % 1024 == 0 {
                        v /= 1024;
                        exp += 1;
                    }
                    let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
                        .get(exp)
                        .unwrap_or(&"");
                    return format!("{v}{suffix}");
                }
                _ => format = Format::DecimalSI,
            }
        }
        while m % 10 == 0 {
            m /= 10;
            scale += 1;
        }
        while scale % 3 != 0 {
            m *= 10;
            scale -= 1;
        }
        let suffix = match format {
            Format::DecimalExponent if scale == 0 => String::new(),
            Format::DecimalExponent => format!("e{scale}"),
            _ => match scale {
                -9 => "n",
                -6 => "u",
                -3 => "m",
                3 => "k",
                6 => "M",
                9 => "G",
                12 => "T",
                15 => "P",
                18 => "E",
                _ => "",
            }
            .to_string(),
        };
        format!("{m}{suffix}")
    }
}

/// How Go re-encodes a decoded quantity: its text when already canonical,
/// else the canonical form (`0.5` is `500m`, `1024Mi` is `1Gi`).
/// `None` when Go would not parse it.
pub fn canonical(s: &str) -> Option<String> {
    Quantity::parse(s).map(|q| q.render())
}

/// A resource-list value after `SetDefaults_ResourceList`, which also
/// rounds up to millis (`100u` is `1m`).
pub fn canonical_resource(s: &str) -> Option<String> {
    let mut q = Quantity::parse(s)?;
    q.round_up_milli();
    Some(q.render())
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

    #[rstest]
    #[case("0.5", "500m")]
    #[case("1000m", "1")]
    #[case("1024Mi", "1Gi")]
    #[case("1.5Gi", "1536Mi")]
    #[case("1e3", "1e3")]
    #[case("+2", "+2")]
    #[case("1073741824", "1073741824")]
    #[case("100e-3", "100e-3")]
    #[case("2048k", "2048k")]
    #[case("1.0Gi", "1Gi")]
    #[case("0", "0")]
    #[case("0m", "0")]
    #[case("8Gi", "8Gi")]
    #[case("1000e0", "1e3")]
    #[case("0.1Ki", "102400m")]
    fn canonical_forms(#[case] s: &str, #[case] out: &str) {
        assert_eq!(canonical(s).as_deref(), Some(out));
    }

    #[test]
    fn resource_lists_round_up_to_millis() {
        assert_eq!(canonical_resource("0.0001").as_deref(), Some("1m"));
        assert_eq!(canonical_resource("100u").as_deref(), Some("1m"));
        assert_eq!(canonical_resource("1.5").as_deref(), Some("1500m"));
    }
}
