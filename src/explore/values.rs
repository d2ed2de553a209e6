//! The values the explorer's requests carry: strings, numbers and
//! quantities at the edges of what Kubernetes accepts (empty, too long,
//! wrong case, beyond int64, malformed times), and label-style keys.
//! Shared by every field family.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

/// Values at the edges of what Kubernetes accepts, shared by every family.
pub fn edge_string(rng: &mut StdRng) -> Value {
    const STRINGS: &[&str] = &[
        "",
        " ",
        "a",
        "Upper",
        "a/b",
        "a.b-c_d",
        "-leading",
        "trailing-",
        "1e3",
        "0x1F",
        "true",
        "null",
        "9223372036854775808",
        "2026-01-02T03:04:05Z",
        "2026-13-40T25:61:61Z",
        "ünïcode",
        "tab\there",
        "new\nline",
    ];
    if rng.random_bool(0.1) {
        return json!("x".repeat(*[63usize, 64, 253, 254].choose(rng).unwrap_or(&63)));
    }
    json!(*STRINGS.choose(rng).unwrap_or(&"a"))
}

pub fn edge_value(rng: &mut StdRng) -> Value {
    match rng.random_range(0..10) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(
            *[0i64, -1, 1, 2147483647, 2147483648, -9223372036854775808]
                .choose(rng)
                .unwrap_or(&0)
        ),
        3 => json!(*[0.5f64, 1e3, -0.0, 1.5e300].choose(rng).unwrap_or(&0.5)),
        4 => json!([]),
        5 => json!({}),
        _ => edge_string(rng),
    }
}

pub fn quantity(rng: &mut StdRng) -> Value {
    const QUANTITIES: &[&str] = &[
        "100m",
        "1",
        "0",
        "250m",
        "1Gi",
        "64Mi",
        "1.5",
        "1e3",
        "1Ki",
        "0.1m",
        "-1",
        "1.5Gi",
        "9999999999999999999",
        "1e400",
        "",
        "one",
        "10 Mi",
        "1m1",
    ];
    if rng.random_bool(0.15) {
        return json!(*[1i64, 0, -1, 2].choose(rng).unwrap_or(&1));
    }
    json!(*QUANTITIES.choose(rng).unwrap_or(&"1"))
}

pub fn label_key(rng: &mut StdRng) -> String {
    const KEYS: &[&str] = &[
        "app",
        "tier",
        "example.com/team",
        "Example.com/x",
        "a/b/c",
        "-bad",
        "with space",
        "kubernetes.io/x",
        "a.b",
        "",
    ];
    if rng.random_bool(0.1) {
        return "k".repeat(*[63usize, 64].choose(rng).unwrap_or(&63));
    }
    KEYS.choose(rng).unwrap_or(&"app").to_string()
}
