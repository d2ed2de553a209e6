//! Kubernetes resource quantities (`resource.Quantity`): parsing the
//! `<number><suffix>` syntax exactly, comparing values, and rendering the
//! canonical form Go's `Quantity.String()` gives (`0.5` → `500m`,
//! `1024Mi` → `1Gi`), which is what the server stores and echoes.
//!
//! Values are decimal fractions `mantissa × 10^exponent`; quantities too
//! large for that are treated as malformed.

use std::cmp::Ordering;
use std::fmt;

/// How a quantity renders (`resource.Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

/// A parsed quantity: `mantissa × 10^exponent`, with the format its
/// suffix chose.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    mantissa: i128,
    exponent: i32,
    format: Format,
}

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
const BINARY: &[(&str, u32)] = &[
    ("Ki", 10),
    ("Mi", 20),
    ("Gi", 30),
    ("Ti", 40),
    ("Pi", 50),
    ("Ei", 60),
];

impl Quantity {
    /// `resource.ParseQuantity`, including its rounding of anything finer
    /// than a nano unit up (away from zero).
    pub fn parse(s: &str) -> Option<Self> {
        let (negative, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, rest) = rest.split_at(int_len);
        let (frac_part, suffix) = match rest.strip_prefix('.') {
            Some(after) => {
                let n = after.bytes().take_while(u8::is_ascii_digit).count();
                after.split_at(n)
            }
            None => ("", rest),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let digits = format!("{int_part}{frac_part}");
        let mut mantissa: i128 = digits.trim_start_matches('0').parse().unwrap_or(0);
        if digits.len() > 30 {
            return None;
        }
        let mut exponent = -i32::try_from(frac_part.len()).ok()?;
        let format = if let Some((_, e)) = DECIMAL.iter().find(|(suf, _)| *suf == suffix) {
            exponent += e;
            Format::DecimalSI
        } else if let Some((_, bits)) = BINARY.iter().find(|(suf, _)| *suf == suffix) {
            mantissa = mantissa.checked_mul(1i128 << bits)?;
            Format::BinarySI
        } else if let Some(exp) = suffix.strip_prefix(['e', 'E']) {
            let unsigned = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            exponent = exponent.checked_add(exp.parse::<i32>().ok()?)?;
            Format::DecimalExponent
        } else {
            return None;
        };
        if exponent < -9 {
            let shift = u32::try_from(-9 - exponent).ok()?;
            let div = 10i128.checked_pow(shift)?;
            mantissa = mantissa / div + i128::from(mantissa % div != 0);
            exponent = -9;
        }
        if negative {
            mantissa = -mantissa;
        }
        let mut q = Quantity {
            mantissa,
            exponent,
            format,
        };
        // Binary quantities are capped at the largest int64 in magnitude.
        if format == Format::BinarySI
            && q.mantissa.abs() > 0
            && (Quantity {
                mantissa: q.mantissa.abs(),
                ..q
            })
            .cmp_int(i128::from(i64::MAX))
                == Ordering::Greater
        {
            q.mantissa = i128::from(i64::MAX) * q.mantissa.signum();
            q.exponent = 0;
        }
        // A binary quantity below one renders in decimal.
        if format == Format::BinarySI
            && q.cmp_int(0) == Ordering::Greater
            && q.cmp_int(1) == Ordering::Less
        {
            q.format = Format::DecimalSI;
        }
        Some(q)
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// Whether the value is a whole number.
    pub fn is_integer(&self) -> bool {
        let (m, e) = self.reduced();
        e >= 0 || m == 0
    }

    /// `Value() % page.Value() == 0` of the hugepage rule, with Go's
    /// rounding of `Value()` up to a whole number.
    pub fn divisible_by(&self, page: &Quantity) -> bool {
        let (Some(v), Some(p)) = (self.whole(), page.whole()) else {
            return false;
        };
        page.cmp_int(0) == Ordering::Greater && page.is_integer() && p != 0 && v % p == 0
    }

    /// `Value()`: the value rounded up to a whole number.
    fn whole(&self) -> Option<i128> {
        let (m, e) = self.reduced();
        if e >= 0 {
            return m.checked_mul(10i128.checked_pow(e.unsigned_abs())?);
        }
        let div = 10i128.checked_pow(e.unsigned_abs())?;
        Some(m.div_euclid(div) + i128::from(m.rem_euclid(div) != 0))
    }

    /// The mantissa with trailing decimal zeros moved into the exponent.
    fn reduced(&self) -> (i128, i32) {
        let (mut m, mut e) = (self.mantissa, self.exponent);
        if m == 0 {
            return (0, 0);
        }
        while m % 10 == 0 {
            m /= 10;
            e += 1;
        }
        (m, e)
    }

    fn cmp_int(&self, n: i128) -> Ordering {
        self.cmp(&Quantity {
            mantissa: n,
            exponent: 0,
            format: Format::DecimalSI,
        })
    }

    /// `RoundUp(-3)`: what resource-list defaulting does to requests and
    /// limits (anything finer than a milli unit rounds up).
    pub fn round_up_milli(mut self) -> Self {
        if self.exponent < -3 {
            let div = 10i128.pow(self.exponent.unsigned_abs() - 3);
            let rem = self.mantissa % div;
            self.mantissa = self.mantissa / div + rem.signum();
            self.exponent = -3;
        }
        self
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, ae) = self.reduced();
        let (b, be) = other.reduced();
        let e = ae.min(be);
        let scale = |m: i128, from: i32| {
            10i128
                .checked_pow((from - e).unsigned_abs())
                .and_then(|f| m.checked_mul(f))
        };
        match (scale(a, ae), scale(b, be)) {
            (Some(x), Some(y)) => x.cmp(&y),
            // Too large to line up: the sign and magnitude decide.
            _ => (a.signum(), ae).cmp(&(b.signum(), be)),
        }
    }
}

impl fmt::Display for Quantity {
    /// `Quantity.String()` (`CanonicalizeBytes`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mantissa == 0 {
            return f.write_str("0");
        }
        let (m, e) = self.reduced();
        // Binary quantities render in decimal when small or fractional.
        let small =
            self.cmp_int(-1024) == Ordering::Greater && self.cmp_int(1024) == Ordering::Less;
        if self.format == Format::BinarySI
            && !small
            && e >= 0
            && let Some(mut whole) = self.whole()
        {
            let mut power = 0;
            while power < BINARY.len() && whole % 1024 == 0 {
                whole /= 1024;
                power += 1;
            }
            let suffix = if power == 0 { "" } else { BINARY[power - 1].0 };
            return write!(f, "{whole}{suffix}");
        }
        // Decimal: the exponent goes down to a multiple of three.
        let shift = e.rem_euclid(3);
        let (m, e) = (m * 10i128.pow(shift.unsigned_abs()), e - shift);
        if self.format == Format::DecimalExponent {
            return if e == 0 {
                write!(f, "{m}")
            } else {
                write!(f, "{m}e{e}")
            };
        }
        match DECIMAL.iter().find(|(_, x)| *x == e) {
            Some((suffix, _)) => write!(f, "{m}{suffix}"),
            None => write!(f, "{m}e{e}"),
        }
    }
}

/// The canonical form of a quantity string, or the string itself when it
/// does not parse.
pub fn canonical(s: &str) -> String {
    Quantity::parse(s).map_or_else(|| s.to_string(), |q| q.to_string())
}

/// Parses a quantity to its value in base units; `None` when malformed.
pub fn parse(s: &str) -> Option<f64> {
    let q = Quantity::parse(s.trim())?;
    Some(q.mantissa as f64 * 10f64.powi(q.exponent))
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
    #[case("1500", "1500")]
    #[case("12000", "12k")]
    #[case("1024Mi", "1Gi")]
    #[case("1.5Gi", "1536Mi")]
    #[case("1.5Ki", "1536")]
    #[case("0.5Ki", "512")]
    #[case("1e3", "1e3")]
    #[case("1E3", "1e3")]
    #[case("0.0000000001", "1n")]
    #[case("-1", "-1")]
    #[case("0", "0")]
    #[case("0.1", "100m")]
    #[case("100M", "100M")]
    #[case("2000Mi", "2000Mi")]
    #[case("100Ei", "9223372036854775807")]
    fn canonicalises(#[case] s: &str, #[case] want: &str) {
        assert_eq!(canonical(s), want);
    }

    #[test]
    fn compares_across_formats() {
        let q = |s: &str| Quantity::parse(s).unwrap();
        assert_eq!(q("0.1"), q("100m"));
        assert!(q("1Gi") > q("1G"));
        assert_eq!(q("0.0001").round_up_milli().to_string(), "1m");
    }
}
