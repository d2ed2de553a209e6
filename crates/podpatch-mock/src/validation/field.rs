//! Field errors as apimachinery's `util/validation/field` renders them: the
//! error type text, the bad value (Go `%q` for strings, JSON for non-primitive
//! values since 1.34), the detail, and the aggregate message that
//! de-duplicates while the causes keep every entry.
//!
//! Pure data and formatting; it must not decide what is valid.

use std::fmt::Display;

use serde_json::Value;

use crate::golang::format::go_quote;
use crate::golang::go_value::GoValue;
use crate::version::Version;

/// How `field.NewPath("")` prints: an empty name renders as an index.
pub(crate) const ROOT_PATH: &str = "[]";

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
    /// The path is written out only when there is a message: a valid name
    /// is the rule.
    pub fn invalid_each(
        field: impl Display,
        value: &str,
        msgs: Vec<String>,
    ) -> impl Iterator<Item = Self> {
        let field = if msgs.is_empty() {
            String::new()
        } else {
            field.to_string()
        };
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

    /// `field.TooLong`, worded as the version does.
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        let detail = if Version::current().words_too_long_may_not() {
            format!("may not be more than {max} bytes")
        } else {
            format!("must have at most {max} bytes")
        };
        Self {
            kind: ErrorType::TooLong,
            field: field.into(),
            value: None,
            detail,
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

    /// `field.Invalid` with a bad value of a Go type that is neither a
    /// string, a number, a bool nor a `fmt.Stringer`: 1.33 and older print
    /// it with `%#v`, 1.34 and newer as JSON.
    pub fn invalid_go(
        field: impl Into<String>,
        value: &GoValue,
        detail: impl Into<String>,
    ) -> Self {
        let shown = if Version::current().renders_values_as_json() {
            value.json()
        } else {
            value.sharp_v()
        };
        Self::invalid_rendered(field, shown, detail)
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
/// `%q`, everything else as JSON. Before 1.34 a nil value was the string
/// `"null"` (quoted) and others Go's `%#v`: here a list of strings (a
/// `[]string`); values of other Go types come typed
/// ([`FieldError::invalid_go`]).
pub fn render_value(value: &Value) -> String {
    let json = Version::current().renders_values_as_json();
    match value {
        Value::String(s) if s.starts_with(RENDERED) => s[RENDERED.len_utf8()..].to_string(),
        Value::String(s) => go_quote(s),
        Value::Null if !json => go_quote("null"),
        Value::Null => "null".to_string(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(items) if !json && items.iter().all(Value::is_string) => {
            let items = items
                .iter()
                .map(|i| GoValue::Str(i.as_str().unwrap_or_default().into()));
            GoValue::Slice("[]string".into(), items.collect()).sharp_v()
        }
        other => crate::golang::json_encode::compact_string(other, &crate::schema::Ty::Any),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

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
