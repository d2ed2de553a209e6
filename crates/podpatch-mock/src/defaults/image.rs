//! The image reference parsing the pull-policy defaulters rely on
//! (`k8s.io/kubernetes/pkg/util/parsers.ParseImageName`, itself the
//! distribution reference grammar): which tag an image names, if the name is
//! valid at all, and the pull policy the container and image-volume
//! defaulters derive from it. It sets no field itself.

/// The pull policy of an image that has none set: `Always` for the
/// `latest` tag (named or implied), `IfNotPresent` otherwise.
pub(crate) fn default_pull_policy(image: &str) -> &'static str {
    if image_tag(image).as_deref() == Some("latest") {
        "Always"
    } else {
        "IfNotPresent"
    }
}

/// The tag `parsers.ParseImageName` finds: `latest` when the reference has
/// neither tag nor digest, `None` when it is not a valid reference (which
/// the defaulter treats as "not latest").
fn image_tag(image: &str) -> Option<String> {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if !valid_repository(repo) {
        return None;
    }
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return None;
        }
    }
    if let Some(digest) = digest
        && !digest.contains(':')
    {
        return None;
    }
    match (tag, digest) {
        (Some(tag), _) => Some(tag.to_string()),
        (None, Some(_)) => Some(String::new()),
        (None, None) => Some("latest".into()),
    }
}

/// Docker reference grammar for the repository part: an optional domain
/// (with a `.` or `:` or `localhost`) and lower-case path components.
fn valid_repository(repo: &str) -> bool {
    if repo.is_empty() {
        return false;
    }
    let mut parts: Vec<&str> = repo.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            let domain_ok = first
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !domain_ok {
                return false;
            }
            parts.remove(0);
        }
    }
    parts.iter().all(|part| valid_path_component(part))
}

fn valid_path_component(part: &str) -> bool {
    // [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*
    let bytes = part.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &part[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("nginx", Some("latest"))]
    #[case("nginx:latest", Some("latest"))]
    #[case("nginx:1.27", Some("1.27"))]
    #[case("localhost:5000/nginx", Some("latest"))]
    #[case("registry.k8s.io/pause:3.10", Some("3.10"))]
    #[case("nginx@sha256:abc", Some(""))]
    #[case("Nginx", None)]
    #[case(" nginx", None)]
    #[case("", None)]
    fn tags(#[case] image: &str, #[case] tag: Option<&str>) {
        assert_eq!(image_tag(image).as_deref(), tag);
    }
}
