//! Kubernetes resource quantities (`resource.Quantity`): parsing the
//! `<number><suffix>` syntax exactly as `resource.ParseQuantity` does,
//! comparing and adding values, and rendering what Go's `String()` gives:
//! the text as sent when it is already canonical, else the canonical form
//! (`0.5` → `500m`, `1024Mi` → `1Gi`). That is what the server stores.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use crate::golang::go_value::GoValue;

/// How a quantity prints (`resource.Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    DecimalSI,
    DecimalExponent,
    BinarySI,
}

/// A quantity as `resource.ParseQuantity` holds it: `mantissa * 10^scale`,
/// its format, the text it keeps when that text is already canonical, and
/// whether it took the `inf.Dec` path (Go's `d`) rather than the int64 one
/// (Go's `i`).
#[derive(Debug, Clone)]
pub struct Quantity {
    mantissa: i128,
    scale: i32,
    format: Format,
    text: Option<String>,
    dec: bool,
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
        if s == "0" {
            return Some(Quantity {
                mantissa: 0,
                scale: 0,
                format: Format::DecimalSI,
                text: Some(s.to_owned()),
                dec: false,
            });
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
                    dec: false,
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
        // Binary quantities are capped at the largest int64.
        let max = i128::from(i64::MAX);
        if format == Format::BinarySI {
            let limit = 10i128
                .checked_pow(scale.unsigned_abs())
                .and_then(|p| max.checked_mul(p));
            if limit.is_none_or(|l| mantissa > l) {
                mantissa = max;
                scale = 0;
            }
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
            dec: true,
        })
    }

    /// `RoundUp(resource.Milli)`, which `SetDefaults_ResourceList` applies.
    pub fn round_up_milli(mut self) -> Self {
        if self.scale < -3
            && let Some(m) = round_up(self.mantissa, self.scale, -3)
        {
            self.mantissa = m;
            self.scale = -3;
            self.text = None;
        }
        self
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// `MilliValue() % 1000 != 0`: the warnings' "fractional byte value".
    pub fn is_fractional(&self) -> bool {
        !self.clone().round_up_milli().is_integer()
    }

    /// `IsZero`.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// `Add`: the exact sum, in the format of `self` unless `self` is zero,
    /// and without a kept text (Go clears its cached string).
    pub fn add(&self, other: &Quantity) -> Quantity {
        let scale = self.scale.min(other.scale);
        Quantity {
            mantissa: self.at_scale(scale).saturating_add(other.at_scale(scale)),
            scale,
            format: if self.is_zero() {
                other.format
            } else {
                self.format
            },
            text: None,
            dec: self.dec || other.dec,
        }
    }

    /// Whether the value is a whole number.
    pub fn is_integer(&self) -> bool {
        let (m, s) = self.reduced();
        s >= 0 || m == 0
    }

    /// `Value() % page.Value() == 0` of the hugepage rule, with Go's
    /// rounding of `Value()` up to a whole number.
    pub fn divisible_by(&self, page: &Quantity) -> bool {
        let (Some(v), Some(p)) = (self.whole(), page.whole()) else {
            return false;
        };
        page.mantissa > 0 && page.is_integer() && p != 0 && v % p == 0
    }

    /// `Value()`: the value rounded up to a whole number.
    fn whole(&self) -> Option<i128> {
        let (m, s) = self.reduced();
        if s >= 0 {
            return m.checked_mul(10i128.checked_pow(s.unsigned_abs())?);
        }
        let div = 10i128.checked_pow(s.unsigned_abs())?;
        Some(m.div_euclid(div) + i128::from(m.rem_euclid(div) != 0))
    }

    /// The mantissa with trailing decimal zeros moved into the scale.
    fn reduced(&self) -> (i128, i32) {
        let (mut m, mut s) = (self.mantissa, self.scale);
        if m == 0 {
            return (0, 0);
        }
        while m % 10 == 0 {
            m /= 10;
            s += 1;
        }
        (m, s)
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

impl Quantity {
    /// The Go value `%#v` prints (`resource.Quantity{i:…, d:…, s:…,
    /// Format:…}`), which marshals to its `String()`.
    pub fn go_value(&self) -> GoValue {
        let (value, scale) = if self.dec {
            (0, 0)
        } else {
            (
                i64::try_from(self.mantissa).unwrap_or_default(),
                i64::from(self.scale),
            )
        };
        let dec = if self.dec {
            let target = GoValue::Struct("inf.Dec".into(), Vec::new());
            GoValue::Ptr("*inf.Dec".into(), Box::new(target))
        } else {
            GoValue::Nil("*inf.Dec".into())
        };
        let format = match self.format {
            Format::DecimalSI => "DecimalSI",
            Format::DecimalExponent => "DecimalExponent",
            Format::BinarySI => "BinarySI",
        };
        let go = GoValue::Struct(
            "resource.Quantity".into(),
            vec![
                (
                    "i",
                    GoValue::Struct(
                        "resource.int64Amount".into(),
                        vec![
                            ("value", GoValue::Int(value)),
                            ("scale", GoValue::Int(scale)),
                        ],
                    ),
                ),
                (
                    "d",
                    GoValue::Struct("resource.infDecAmount".into(), vec![("Dec", dec)]),
                ),
                ("s", GoValue::Str(self.text.clone().unwrap_or_default())),
                ("Format", GoValue::Str(format.into())),
            ],
        );
        GoValue::Marshaler(Box::new(go), Value::String(self.render()))
    }
}

/// `Cmp`: by value, whatever the format or text.
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.min(other.scale);
        self.at_scale(scale).cmp(&other.at_scale(scale))
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// `resource.ErrFormatWrong`.
pub const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// Why `resource.ParseQuantity` refuses `s` (which [`Quantity::parse`]
/// does not read): the syntax (`ErrFormatWrong`), or a well-formed but
/// unknown suffix (`ErrSuffix`: `1ki`, `--1`).
pub fn refusal(s: &str) -> &'static str {
    match split(s) {
        Some((_, _, _, suffix)) if !s.is_empty() && interpret(suffix).is_none() => {
            "unable to parse quantity's suffix"
        }
        _ => FORMAT_WRONG,
    }
}

/// How Go re-encodes a decoded quantity: its text when already canonical,
/// else the canonical form (`0.5` is `500m`, `1024Mi` is `1Gi`).
/// `None` when Go would not parse it.
pub fn canonical(s: &str) -> Option<String> {
    Quantity::parse(s).map(|q| q.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("abc")]
    #[case("1Xi")]
    #[case("")]
    fn rejects(#[case] s: &str) {
        assert!(Quantity::parse(s).is_none());
    }

    #[rstest]
    #[case("1ki", "unable to parse quantity's suffix")]
    #[case("--1", "unable to parse quantity's suffix")]
    #[case("1Ki5", "unable to parse quantity's suffix")]
    #[case("1KB", FORMAT_WRONG)]
    #[case("one", FORMAT_WRONG)]
    #[case("1..5", FORMAT_WRONG)]
    #[case("", FORMAT_WRONG)]
    fn refusals_name_go_errors(#[case] s: &str, #[case] text: &str) {
        assert!(Quantity::parse(s).is_none());
        assert_eq!(refusal(s), text);
    }

    /// Go keeps the first non-zero operand's format.
    #[rstest]
    #[case("100m", "0.2", "300m")]
    #[case("1Gi", "512Mi", "1536Mi")]
    #[case("1G", "1Gi", "2073741824")]
    #[case("1Gi", "1G", "2073741824")]
    #[case("0", "1Ki", "1Ki")]
    #[case("1k", "24", "1024")]
    #[case("1Ki", "1000", "2024")]
    #[case("512Mi", "512Mi", "1Gi")]
    fn sums(#[case] a: &str, #[case] b: &str, #[case] sum: &str) {
        let q = |s: &str| Quantity::parse(s).unwrap();
        assert_eq!(q(a).add(&q(b)).render(), sum);
    }

    #[rstest]
    #[case("0.5", "500m")]
    #[case("1000m", "1")]
    #[case("1500", "1500")]
    #[case("1000", "1k")]
    #[case("1024", "1024")]
    #[case("12000", "12k")]
    #[case("1024Mi", "1Gi")]
    #[case("1.5Gi", "1536Mi")]
    #[case("1.5Ki", "1536")]
    #[case("0.5Ki", "512")]
    #[case("1e3", "1e3")]
    #[case("+2", "+2")]
    #[case("1073741824", "1073741824")]
    #[case("100e-3", "100e-3")]
    #[case("2048k", "2048k")]
    #[case("1.0Gi", "1Gi")]
    #[case("0.0000000001", "1n")]
    #[case("-1", "-1")]
    #[case("0", "0")]
    #[case("0m", "0")]
    #[case("0.1", "100m")]
    #[case("100M", "100M")]
    #[case("2000Mi", "2000Mi")]
    #[case("8Gi", "8Gi")]
    #[case("1000e0", "1e3")]
    #[case("0.1Ki", "102400m")]
    #[case("100Ei", "9223372036854775807")]
    fn canonical_forms(#[case] s: &str, #[case] out: &str) {
        assert_eq!(canonical(s).as_deref(), Some(out));
    }

    #[test]
    fn compares_across_formats() {
        let q = |s: &str| Quantity::parse(s).unwrap();
        assert_eq!(q("0.1"), q("100m"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("-1").is_negative());
        assert!(q("2k").is_integer() && !q("1500m").is_integer());
        assert!(q("4Mi").divisible_by(&q("2Mi")) && !q("3Mi").divisible_by(&q("2Mi")));
        assert_eq!(q("0.0001").round_up_milli().to_string(), "1m");
        assert_eq!(q("100u").round_up_milli().to_string(), "1m");
    }

    #[test]
    fn a_quantity_prints_its_parse_state() {
        let q = |text: &str| Quantity::parse(text).expect("a quantity").go_value();
        assert_eq!(
            q("250m").sharp_v(),
            r#"resource.Quantity{i:resource.int64Amount{value:250, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"250m", Format:"DecimalSI"}"#
        );
        assert_eq!(q("250m").json(), r#""250m""#);
        assert_eq!(
            q("0.5").sharp_v(),
            r#"resource.Quantity{i:resource.int64Amount{value:5, scale:-1}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}"#
        );
    }
}
