//! Field errors as apimachinery's `util/validation/field` renders them: the
//! error type text, the bad value (Go `%q` for strings, JSON for non-primitive
//! values since 1.34), the detail, and the aggregate message that
//! de-duplicates while the causes keep every entry.
//!
//! Pure data and formatting; it must not decide what is valid.

use serde_json::Value;

/// `field.ErrorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// `Not found`.
    NotFound,
    /// `Required value`.
    Required,
    /// `Duplicate value`.
    Duplicate,
    /// `Invalid value`.
    Invalid,
    /// `Unsupported value`.
    NotSupported,
    /// `Forbidden`.
    Forbidden,
    /// `Too long`.
    TooLong,
    /// `Internal error`.
    Internal,
}

impl ErrorType {
    fn text(self) -> &'static str {
        match self {
            ErrorType::NotFound => "Not found",
            ErrorType::Required => "Required value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::Internal => "Internal error",
        }
    }

    /// The `StatusCause.reason` (`metav1.CauseType`).
    pub fn cause_reason(self) -> &'static str {
        match self {
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::Internal => "InternalError",
        }
    }
}

/// One `field.Error`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The error type.
    pub kind: ErrorType,
    /// Dotted field path, e.g. `spec.containers[0].image`.
    pub field: String,
    /// The bad value; `None` means "omitted" (Required, Forbidden, TooLong never show it).
    pub value: Option<Value>,
    /// Free text after the value.
    pub detail: String,
}

impl FieldError {
    /// `field.Invalid`.
    pub fn invalid(field: impl Into<String>, value: Value, detail: impl Into<String>) -> Self {
        Self {
            kind: ErrorType::Invalid,
            field: field.into(),
            value: Some(value),
            detail: detail.into(),
        }
    }

    /// `field.Invalid` once per message a name rule returned for `value`.
    pub fn invalid_each(
        field: impl Into<String>,
        value: &str,
        msgs: Vec<String>,
    ) -> impl Iterator<Item = Self> {
        let field = field.into();
        let value = Value::String(value.to_string());
        msgs.into_iter()
            .map(move |msg| Self::invalid(field.clone(), value.clone(), msg))
    }

    /// `field.Required`.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: ErrorType::Required,
            field: field.into(),
            value: None,
            detail: detail.into(),
        }
    }

    /// `field.Forbidden`.
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: ErrorType::Forbidden,
            field: field.into(),
            value: None,
            detail: detail.into(),
        }
    }

    /// `field.NotSupported`, with the supported values quoted as Go does.
    pub fn not_supported(field: impl Into<String>, value: Value, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
        Self {
            kind: ErrorType::NotSupported,
            field: field.into(),
            value: Some(value),
            detail: format!("supported values: {}", list.join(", ")),
        }
    }

    /// `field.TooLong` (1.32+ wording).
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        Self {
            kind: ErrorType::TooLong,
            field: field.into(),
            value: None,
            detail: format!("may not be more than {max} bytes"),
        }
    }

    /// `field.Invalid` with a bad value already rendered: a Go struct
    /// marshals its fields in declaration order, which a JSON map cannot
    /// keep.
    pub fn invalid_rendered(
        field: impl Into<String>,
        rendered: String,
        detail: impl Into<String>,
    ) -> Self {
        Self::invalid(
            field,
            Value::String(format!("{RENDERED}{rendered}")),
            detail,
        )
    }

    /// `field.Duplicate`.
    pub fn duplicate(field: impl Into<String>, value: Value) -> Self {
        Self {
            kind: ErrorType::Duplicate,
            field: field.into(),
            value: Some(value),
            detail: String::new(),
        }
    }

    /// `field.InternalError`.
    pub fn internal(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: ErrorType::Internal,
            field: field.into(),
            value: None,
            detail: detail.into(),
        }
    }

    /// `ErrorBody()`: the message without the field, as used in causes.
    pub fn body(&self) -> String {
        let mut s = self.kind.text().to_string();
        let shows_value = !matches!(
            self.kind,
            ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong | ErrorType::Internal
        );
        if shows_value && let Some(value) = &self.value {
            s.push_str(": ");
            s.push_str(&render_value(value));
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    /// `Error()`: `field: body`.
    pub fn message(&self) -> String {
        format!("{}: {}", self.field, self.body())
    }
}

/// Marks a bad value of [`FieldError::invalid_rendered`] (a private-use
/// character no client value starts with).
const RENDERED: char = '\u{f8ff}';

/// Renders a bad value like apimachinery ≥ 1.34: primitives bare, strings
/// `%q`, everything else as JSON.
pub fn render_value(value: &Value) -> String {
    match value {
        Value::String(s) if s.starts_with(RENDERED) => s[RENDERED.len_utf8()..].to_string(),
        Value::String(s) => go_quote(s),
        Value::Null => "null".to_string(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        other => String::from_utf8_lossy(&super::encode::to_bytes(
            other,
            &super::schema::Ty::Any,
            super::encode::Layout::Compact,
        ))
        .trim_end()
        .to_string(),
    }
}

/// Go's `strconv.IsPrint` for the runes it rejects besides controls: space
/// separators other than ' ' (U+00A0 included), line and paragraph
/// separators, format characters (Cf) and private-use code points.
/// Unassigned code points, also unprintable in Go, are not modelled.
pub fn go_is_print(c: char) -> bool {
    const UNPRINTABLE: &[(u32, u32)] = &[
        (0x00a0, 0x00a0),
        (0x00ad, 0x00ad),
        (0x0600, 0x0605),
        (0x061c, 0x061c),
        (0x06dd, 0x06dd),
        (0x070f, 0x070f),
        (0x0890, 0x0891),
        (0x08e2, 0x08e2),
        (0x1680, 0x1680),
        (0x180e, 0x180e),
        (0x2000, 0x200f),
        (0x2028, 0x202f),
        (0x205f, 0x2064),
        (0x2066, 0x206f),
        (0x3000, 0x3000),
        (0xe000, 0xf8ff),
        (0xfeff, 0xfeff),
        (0xfff9, 0xfffb),
        (0x110bd, 0x110bd),
        (0x110cd, 0x110cd),
        (0x13430, 0x1343f),
        (0x1bca0, 0x1bca3),
        (0x1d173, 0x1d17a),
        (0xe0001, 0xe0001),
        (0xe0020, 0xe007f),
        (0xf0000, 0x10ffff),
    ];
    let n = c as u32;
    !c.is_control() && !UNPRINTABLE.iter().any(|&(lo, hi)| (lo..=hi).contains(&n))
}

/// Go's `strconv.Quote` (`%q`) for the characters pod fields realistically hold.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !go_is_print(c) => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `errs.ToAggregate().Error()`: de-duplicated messages, bracketed when
/// more than one remains.
pub fn aggregate_message(errors: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for err in errors {
        let msg = err.message();
        if !seen.contains(&msg) {
            seen.push(msg);
        }
    }
    if seen.len() == 1 {
        seen.remove(0)
    } else {
        format!("[{}]", seen.join(", "))
    }
}

/// Go's `%v` of a `float64` (`strconv.FormatFloat(f, 'g', -1, 64)`): the
/// shortest digits, in exponent form (`1e+21`, `1.5e-05`) when the decimal
/// exponent is below -4 or at least 6 (the `%g` cut-off Go uses for
/// shortest formatting), plain (`1000`, `0.25`) otherwise.
pub fn go_float(f: f64) -> String {
    let sci = format!("{f:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return sci;
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    let plain = format!("{f}");
    plain
        .strip_suffix(".0")
        .map_or(plain.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case(1000.0, "1000")]
    #[case(9.0, "9")]
    #[case(1.5, "1.5")]
    #[case(0.1, "0.1")]
    #[case(1e21, "1e+21")]
    #[case(1e6, "1e+06")]
    #[case(1_234_567.0, "1.234567e+06")]
    #[case(0.000_015, "1.5e-05")]
    #[case(0.0001, "0.0001")]
    fn floats_print_like_go(#[case] f: f64, #[case] want: &str) {
        assert_eq!(go_float(f), want);
    }

    #[rstest]
    #[case("a\u{a0}b", "\"a\\u00a0b\"")]
    #[case("a\u{200b}", "\"a\\u200b\"")]
    #[case("\u{feff}x", "\"\\ufeffx\"")]
    #[case("e\u{301} é 😀", "\"e\u{301} é 😀\"")]
    fn quotes_like_strconv(#[case] s: &str, #[case] want: &str) {
        assert_eq!(go_quote(s), want);
    }

    #[rstest]
    #[case(FieldError::invalid("spec.activeDeadlineSeconds", json!(900), "must be less than or equal to previous value"),
        "spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value")]
    #[case(
        FieldError::required("spec.containers[0].image", ""),
        "spec.containers[0].image: Required value"
    )]
    #[case(FieldError::not_supported("dryRun", json!(["true"]), &["All"]),
        "dryRun: Unsupported value: [\"true\"]: supported values: \"All\"")]
    #[case(
        FieldError::too_long("fieldManager", 128),
        "fieldManager: Too long: may not be more than 128 bytes"
    )]
    #[case(FieldError::invalid("x", json!("a\tb"), "bad"), "x: Invalid value: \"a\\tb\": bad")]
    fn messages(#[case] err: FieldError, #[case] expected: &str) {
        assert_eq!(err.message(), expected);
    }

    #[rstest]
    #[case("nginx\u{a0}", r#""nginx\u00a0""#)]
    #[case("a\u{200b}b", r#""a\u200bb""#)]
    #[case("\u{feff}k", r#""\ufeffk""#)]
    #[case("x\u{3000}", r#""x\u3000""#)]
    #[case("k\u{f0000}", r#""k\U000f0000""#)]
    #[case("ключ é ✓", r#""ключ é ✓""#)]
    fn quote_escapes_what_go_cannot_print(#[case] raw: &str, #[case] quoted: &str) {
        assert_eq!(go_quote(raw), quoted);
    }

    #[test]
    fn aggregate_dedups() {
        let e = FieldError::required("a", "");
        assert_eq!(
            aggregate_message(&[e.clone(), e.clone()]),
            "a: Required value"
        );
        let e2 = FieldError::required("b", "");
        assert_eq!(
            aggregate_message(&[e.clone(), e2, e]),
            "[a: Required value, b: Required value]"
        );
    }
}
