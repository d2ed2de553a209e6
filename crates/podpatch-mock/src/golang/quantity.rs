//! Kubernetes resource quantities (`resource.Quantity`): parsing the
//! `<number><suffix>` syntax exactly as `resource.ParseQuantity` does,
//! keeping the parser's state (`int64Amount` or `inf.Dec`, the cached
//! text, the format) as Go does until the object is serialised, reading
//! it back as Go's `ScaledValue` does (with its int64 wrap-around),
//! comparing and adding values, and rendering what Go's `String()` gives:
//! the text as sent when it is already canonical, else the canonical form
//! (`0.5` → `500m`, `1024Mi` → `1Gi`). That is what the server stores.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use crate::golang::go_value::GoValue;
use crate::golang::scaled_value;

/// How a quantity prints (`resource.Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    DecimalSI,
    DecimalExponent,
    BinarySI,
}

/// Which of Go's two amounts holds a quantity's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Amount {
    /// `int64Amount` (Go's `i`): the mantissa fits an int64.
    Int64,
    /// `inf.Dec` (Go's `d`), with its own scale (digits after the point:
    /// 9 as parsed, 0 when a binary quantity was capped, 3 once rounded up
    /// to milli units), which decides `ScaledValue`'s arithmetic.
    Dec { digits: i32 },
}

/// A quantity as `resource.ParseQuantity` holds it: `mantissa * 10^scale`,
/// its format, the text it keeps when that text is already canonical, and
/// which amount holds it.
#[derive(Debug, Clone)]
pub struct Quantity {
    mantissa: i128,
    scale: i32,
    format: Format,
    text: Option<String>,
    amount: Amount,
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
                amount: Amount::Int64,
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
                    amount: Amount::Int64,
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
        // Binary quantities are capped at the largest int64 (an `inf.Dec`
        // of scale 0); any other keeps the nanos it was rounded to.
        let max = i128::from(i64::MAX);
        let mut digits = 9;
        if format == Format::BinarySI {
            let limit = 10i128
                .checked_pow(scale.unsigned_abs())
                .and_then(|p| max.checked_mul(p));
            if limit.is_none_or(|l| mantissa > l) {
                mantissa = max;
                scale = 0;
                digits = 0;
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
            amount: Amount::Dec { digits },
        })
    }

    /// `RoundUp(resource.Milli)`, which `SetDefaults_ResourceList` applies:
    /// an int64 amount finer than milli units is rounded up and loses its
    /// text; an `inf.Dec` is always rounded to 3 digits (and never had one).
    pub fn round_up_milli(mut self) -> Self {
        if let Amount::Dec { digits } = &mut self.amount {
            *digits = 3;
        }
        if self.scale < -3
            && let Some(m) = round_up(self.mantissa, self.scale, -3)
        {
            self.mantissa = m;
            self.scale = -3;
            self.text = None;
        }
        self
    }

    /// `MilliValue()`: [`Quantity::scaled_value`] in milli units.
    pub fn milli_value(&self) -> i64 {
        self.scaled_value(-3)
    }

    /// `Value()`: [`Quantity::scaled_value`] in units.
    pub fn value(&self) -> i64 {
        self.scaled_value(0)
    }

    /// `ScaledValue(scale)`: the value in units of `10^scale`, rounded up,
    /// in Go's int64 arithmetic ([`scaled_value`]).
    fn scaled_value(&self, scale: i32) -> i64 {
        match self.amount {
            Amount::Int64 => {
                // The mantissa of an int64 amount fits by construction.
                let value = i64::try_from(self.mantissa).unwrap_or_default();
                scaled_value::int64_amount(value, self.scale, scale)
            }
            Amount::Dec { digits } => {
                scaled_value::inf_dec(self.mantissa, self.scale, digits, scale)
            }
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// `MilliValue() % 1000 != 0`: Go's test of a whole number (an
    /// extended resource's, a hugepage size's, the warnings' "fractional
    /// byte value"), which a value beyond int64 can fail or pass by the
    /// wrap-around of [`Quantity::milli_value`].
    pub fn is_fractional(&self) -> bool {
        self.milli_value() % 1000 != 0
    }

    /// `IsZero`.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// `Add`: the exact sum, in the format of `self` unless `self` is zero,
    /// and without a kept text (Go clears its cached string); an int64 sum
    /// that leaves int64 moves to an `inf.Dec`, as Go's does.
    pub fn add(&self, other: &Quantity) -> Quantity {
        let scale = self.scale.min(other.scale);
        let mantissa = self.at_scale(scale).saturating_add(other.at_scale(scale));
        let digits = |q: &Quantity| match q.amount {
            Amount::Int64 => -q.scale,
            Amount::Dec { digits } => digits,
        };
        let fits = |m: i128| i64::try_from(m).is_ok();
        let int64 = [self, other]
            .iter()
            .all(|q| q.amount == Amount::Int64 && fits(q.at_scale(scale)))
            && fits(mantissa);
        Quantity {
            mantissa,
            scale,
            format: if self.is_zero() {
                other.format
            } else {
                self.format
            },
            text: None,
            amount: if int64 {
                Amount::Int64
            } else {
                Amount::Dec {
                    digits: digits(self).max(digits(other)),
                }
            },
        }
    }

    /// `IsHugePageResourceValueDivisible` given the page size: a positive
    /// whole page, and `Value() % page.Value() == 0` in Go's int64s.
    pub fn divisible_by(&self, page: &Quantity) -> bool {
        let p = page.value();
        page.mantissa > 0 && !page.is_fractional() && p != 0 && self.value().wrapping_rem(p) == 0
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
        let dec = matches!(self.amount, Amount::Dec { .. });
        let (value, scale) = if dec {
            (0, 0)
        } else {
            (
                i64::try_from(self.mantissa).unwrap_or_default(),
                i64::from(self.scale),
            )
        };
        let dec = if dec {
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
        assert!(!q("2k").is_fractional() && q("1500m").is_fractional());
        assert!(q("4Mi").divisible_by(&q("2Mi")) && !q("3Mi").divisible_by(&q("2Mi")));
        assert_eq!(q("0.0001").round_up_milli().to_string(), "1m");
        assert_eq!(q("100u").round_up_milli().to_string(), "1m");
    }

    /// Whole numbers by Go's test (`MilliValue() % 1000`): the canonical
    /// form of a big value can pass where the value as sent fails.
    #[rstest]
    #[case("2", false)]
    #[case("1500m", true)]
    #[case("10E", false)]
    #[case("10000000000000000000", true)]
    #[case("999999999999999999", true)]
    #[case("100Ei", false)]
    fn whole_numbers_by_milli_value(#[case] s: &str, #[case] fractional: bool) {
        assert_eq!(Quantity::parse(s).unwrap().is_fractional(), fractional);
    }

    /// Defaulting's `RoundUp(Milli)` rounds an `inf.Dec` to 3 digits, which
    /// changes how `ScaledValue` reaches its result: the same for a
    /// positive value, away from zero for a negative one that Go's int64
    /// division had truncated and moved up.
    #[test]
    fn rounding_up_keeps_positive_milli_values() {
        let q = |s: &str| Quantity::parse(s).unwrap();
        for s in ["10000000000000000000", "0.1m", "100Ei", "0.0000000001"] {
            let rounded = q(s).round_up_milli();
            assert_eq!(rounded.milli_value(), q(s).milli_value(), "{s}");
        }
        assert_eq!(q("-0.0000000001").round_up_milli().milli_value(), -1);
        assert_eq!(q("0.5").value(), 1);
        assert_eq!(q("-1.5").value(), -2);
    }

    /// A text sent in another form than the canonical one keeps the state
    /// Go's parser left; rounding to milli units (defaulting) clears the
    /// text only where it rounds.
    #[test]
    fn a_text_not_canonical_keeps_its_parse_state() {
        let sharp = |q: Quantity| q.go_value().sharp_v();
        let q = |s: &str| Quantity::parse(s).unwrap();
        let int64 = |value: i64, scale: i32, s: &str| {
            format!(
                r#"resource.Quantity{{i:resource.int64Amount{{value:{value}, scale:{scale}}}, d:resource.infDecAmount{{Dec:(*inf.Dec)(nil)}}, s:"{s}", Format:"DecimalSI"}}"#
            )
        };
        assert_eq!(sharp(q("0.1m")), int64(1, -4, ""));
        assert_eq!(sharp(q("0.1m").round_up_milli()), int64(1, -3, ""));
        assert_eq!(q("0.1m").round_up_milli().render(), "1m");
        assert_eq!(sharp(q("1m")), int64(1, -3, "1m"));
        assert_eq!(sharp(q("0.5").round_up_milli()), int64(5, -1, ""));
        assert_eq!(sharp(q("250m").round_up_milli()), int64(250, -3, "250m"));
        assert!(
            sharp(q("10000000000000000000")).contains("d:resource.infDecAmount{Dec:(*inf.Dec)(")
        );
        assert_eq!(q("10000000000000000000").render(), "10E");
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
