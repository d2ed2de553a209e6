//! IPv4 addresses as `ParseIPSloppy` (`k8s.io/utils/net`, Go 1.16's
//! `net.ParseIP` kept) reads them: leading zeros in an octet are ignored,
//! where Rust's parser (and Go's since 1.17) refuses them. Parsing only.

use std::net::Ipv4Addr;

/// `value` as four decimal octets of at most 255 each, leading zeros
/// ignored; `None` for anything else.
pub fn sloppy_v4(value: &str) -> Option<Ipv4Addr> {
    let octets: Vec<u8> = value
        .split('.')
        .map(|o| {
            (!o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()))
                .then(|| o.parse::<u8>().ok())
                .flatten()
        })
        .collect::<Option<_>>()?;
    let [a, b, c, d] = octets[..] else {
        return None;
    };
    Some(Ipv4Addr::new(a, b, c, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_are_ignored() {
        assert_eq!(sloppy_v4("010.0.0.001"), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(sloppy_v4("10.0.0.256"), None);
        assert_eq!(sloppy_v4("10.0.0"), None);
        assert_eq!(sloppy_v4("10.0.0.+1"), None);
    }
}
