//! `GetWarningsForIP` (`k8s.io/apimachinery/pkg/util/validation/ip.go`,
//! 1.33): the warnings an IP address in a legacy field gets when its
//! validation (`IsValidIPForLegacyField`) let it through. It reads one value
//! and must not decide whether the value is valid.

use std::net::IpAddr;

use crate::golang::ip::sloppy_v4;
use crate::version::Version;

/// The warnings for `value` at `path`: a leading-zero IPv4 address or an
/// IPv4-mapped IPv6 address is non-standard, an IPv6 address not spelled as
/// RFC 5952 says is non-canonical. None before 1.33, which has no such
/// warnings.
pub fn warnings(path: &str, value: &str) -> Vec<String> {
    if !Version::current().warns_on_ip_formats() {
        return Vec::new();
    }
    match value.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => vec![non_standard(path, value, &v4.to_string())],
            None if v6.to_string() != value => vec![format!(
                "{path}: IPv6 address {value:?} should be in RFC 5952 canonical format (\"{v6}\")"
            )],
            None => Vec::new(),
        },
        Ok(IpAddr::V4(_)) => Vec::new(),
        Err(_) => sloppy_v4(value)
            .map(|v4| vec![non_standard(path, value, &v4.to_string())])
            .unwrap_or_default(),
    }
}

fn non_standard(path: &str, value: &str, preferred: &str) -> String {
    format!(
        "{path}: non-standard IP address {value:?} will be considered invalid in a future Kubernetes release: use {preferred:?}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_per_format_from_1_33() {
        let at = |minor| Version::new(minor).unwrap();
        let w = |minor, value| at(minor).run(|| warnings("p", value));
        assert_eq!(
            w(35, "010.0.0.1"),
            [
                "p: non-standard IP address \"010.0.0.1\" will be considered invalid in a future Kubernetes release: use \"10.0.0.1\""
            ]
        );
        assert_eq!(
            w(35, "::ffff:1.2.3.4"),
            [
                "p: non-standard IP address \"::ffff:1.2.3.4\" will be considered invalid in a future Kubernetes release: use \"1.2.3.4\""
            ]
        );
        assert_eq!(
            w(37, "2001:DB8::1"),
            [
                "p: IPv6 address \"2001:DB8::1\" should be in RFC 5952 canonical format (\"2001:db8::1\")"
            ]
        );
        assert!(w(37, "10.0.0.1").is_empty());
        assert!(w(32, "2001:DB8::1").is_empty());
        assert!(w(35, "0256.0.0.1").is_empty());
    }
}
