//! Content negotiation, as `k8s.io/apiserver/pkg/endpoints/handlers/negotiation`
//! (`negotiate.go`: `NegotiateOutputMediaType`, `acceptMediaTypeOptions`,
//! `EndpointRestrictions`) and goautoneg's `ParseAccept` read the Accept
//! header, and as go-restful's `Consumes` and the create handlers' input
//! negotiation read Content-Type. It decides what a request may get; it
//! must not write responses.

use axum::http::{HeaderMap, header};

use crate::api::status::Status;
use crate::http::headers::header_text;
use crate::version::Version;

/// Media types the PATCH route consumes (go-restful `Consumes`).
pub(crate) const PATCH_CONSUMES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];
/// Media types the create handlers decode (`*/*` at the router).
const WRITE_CONSUMES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

/// The conversions an endpoint lets a response take
/// (`EndpointRestrictions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allowed {
    All,
    /// A storage without a table convertor.
    NoTable,
    /// `DefaultEndpointRestrictions`, which errors get: no conversion.
    Nothing,
}

/// What an `;as=…;g=meta.k8s.io;v=…` media type asks for instead of the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transform {
    /// `PartialObjectMetadata` in this meta.k8s.io version.
    Metadata(&'static str),
    /// `PartialObjectMetadataList`, which a single pod cannot be.
    MetadataList,
    /// `Table` in this meta.k8s.io version.
    Table(&'static str),
}

/// Why nothing in the Accept header fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// go-restful's router refuses the media types.
    Router,
    /// The handler refuses (`application/*` passes the router).
    Handler,
    /// The handler refuses the `as=` conversions asked for.
    Conversion,
}

/// One clause of an Accept header, as goautoneg's `ParseAccept` reads it.
struct Clause<'a> {
    media: String,
    q: f64,
    params: Vec<(&'a str, &'a str)>,
}

/// goautoneg's `ParseAccept`: malformed clauses and parameters are skipped,
/// an unparsable `q` counts as 0, and the clauses are insertion-sorted by
/// its `Less`, which puts a more specific type first whatever its `q`.
fn accept_clauses(header: &str) -> Vec<Clause<'_>> {
    let mut clauses: Vec<Clause<'_>> = Vec::new();
    for part in header.split(',') {
        let part = part.trim_matches(' ');
        let (media, params) = part.split_once(';').unwrap_or((part, ""));
        let media = match media.split_once('/') {
            None if media.trim_matches(' ') == "*" => "*/*".to_string(),
            None => continue,
            Some((_, sub)) if sub.contains('/') => continue,
            Some((ty, sub)) => format!("{}/{}", ty.trim_matches(' '), sub.trim_matches(' ')),
        };
        let mut clause = Clause {
            media,
            q: 1.0,
            params: Vec::new(),
        };
        for param in params.split(';').filter(|p| !p.is_empty()) {
            let Some((key, value)) = param.split_once('=') else {
                continue;
            };
            if value.is_empty() || value.contains('=') {
                continue;
            }
            match key.trim_matches(' ') {
                "q" => clause.q = value.parse::<f32>().map_or(0.0, f64::from),
                key => clause.params.push((key, value.trim_matches(' '))),
            }
        }
        clauses.push(clause);
    }
    let wild = |media: &str, ty: bool| {
        let (t, s) = media.split_once('/').unwrap_or((media, ""));
        if ty { t == "*" } else { s == "*" }
    };
    let less = |a: &Clause<'_>, b: &Clause<'_>| {
        a.q > b.q
            || (!wild(&a.media, true) && wild(&b.media, true))
            || (!wild(&a.media, false) && wild(&b.media, false))
    };
    for i in 1..clauses.len() {
        let mut j = i;
        while j > 0 && less(&clauses[j], &clauses[j - 1]) {
            clauses.swap(j, j - 1);
            j -= 1;
        }
    }
    clauses
}

/// Output negotiation over the Accept header (`NegotiateMediaTypeOptions`):
/// the first sorted clause naming JSON, YAML (or protobuf, answered as
/// JSON) with acceptable parameters wins; `pretty=1` as a media-type
/// parameter; `as`/`g`/`v` conversions. A conversion the endpoint does
/// not allow is skipped like an unknown one.
pub(crate) fn negotiate(
    accept: &str,
    allowed: Allowed,
) -> Result<(bool, bool, Option<Transform>), Refusal> {
    if accept.trim().is_empty() {
        return Ok((false, false, None));
    }
    let mut wildcard_subtype = false;
    let mut conversion_refused = false;
    for clause in accept_clauses(accept) {
        // Media types compare case-sensitively, as in Go.
        let media = clause.media;
        let mut pretty = false;
        let (mut as_kind, mut group, mut version) = (None, "", "");
        // `acceptMediaTypeOptions`: any of as/g/v asks for a conversion.
        let convert = clause
            .params
            .iter()
            .any(|&(k, _)| matches!(k, "as" | "g" | "v"));
        for &(k, v) in &clause.params {
            match k {
                "pretty" => pretty = v == "1",
                "as" => as_kind = Some(v),
                "g" => group = v,
                "v" => version = v,
                _ => {}
            }
        }
        let yaml = match media.as_str() {
            "application/json" | "*/*" | "application/vnd.kubernetes.protobuf" => false,
            "application/yaml" => true,
            "application/*" => {
                wildcard_subtype = true;
                continue;
            }
            _ => continue,
        };
        let version = match version {
            "v1" => "v1",
            "v1beta1" => "v1beta1",
            _ => "",
        };
        let transform = match as_kind {
            None if !convert => None,
            _ if allowed == Allowed::Nothing => continue,
            Some(kind) if group == "meta.k8s.io" && !version.is_empty() => match kind {
                "PartialObjectMetadata" => Some(Transform::Metadata(version)),
                "PartialObjectMetadataList" => Some(Transform::MetadataList),
                "Table" if allowed == Allowed::All => Some(Transform::Table(version)),
                _ => {
                    conversion_refused = true;
                    continue;
                }
            },
            _ => {
                conversion_refused = true;
                continue;
            }
        };
        return Ok((yaml, pretty, transform));
    }
    if conversion_refused {
        Err(Refusal::Conversion)
    } else if wildcard_subtype {
        Err(Refusal::Handler)
    } else {
        Err(Refusal::Router)
    }
}

/// go-restful's `Consumes` check: comma-separated, parameters dropped,
/// spaces trimmed, case-sensitive; a missing header means octet-stream.
pub(crate) fn route_consumes(headers: &HeaderMap, consumes: &[&str]) -> Result<(), Status> {
    let raw = header_text(headers, header::CONTENT_TYPE);
    let raw = if raw.is_empty() {
        "application/octet-stream"
    } else {
        raw
    };
    let ok = raw.split(',').any(|part| {
        // `stringTrimSpaceCutset`: spaces only, a tab stays.
        let media = part.split(';').next().unwrap_or("").trim_matches(' ');
        consumes.contains(&media)
    });
    if ok {
        return Ok(());
    }
    // go-restful before 3.12 (Kubernetes 1.33 and older) refuses only a
    // request with a body here; an empty one falls through to the Accept
    // match with no route left, which lists no representations: 415 for a
    // write without Content-Length, 406 otherwise.
    if !Version::current().restful_refuses_content_type_alone() {
        let length = header_text(headers, header::CONTENT_LENGTH);
        if !length.parse::<u64>().is_ok_and(|n| n > 0) {
            return Err(if length.is_empty() {
                Status::unsupported_media_type_router_listing()
            } else {
                Status::not_acceptable_router_listing()
            });
        }
    }
    Err(Status::unsupported_media_type_router())
}

/// The create handlers' input negotiation: no Content-Type means JSON,
/// parameters are ignored, anything but JSON or YAML is a handler 415.
pub(crate) fn write_media_type(headers: &HeaderMap) -> Result<bool, Status> {
    let raw = header_text(headers, header::CONTENT_TYPE);
    let media = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "" | "application/json" => Ok(false),
        "application/yaml" => Ok(true),
        _ => Err(Status::unsupported_media_type_handler(WRITE_CONSUMES)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    // A specific type sorts before a wildcard whatever its q.
    #[case("*/*;q=1, application/yaml;q=0.5", Ok(true))]
    // q=0 and an unparsable q still accept, ranked last.
    #[case("application/yaml;q=0", Ok(true))]
    #[case("application/json;q=abc, application/yaml;q=0.5", Ok(true))]
    #[case("application/yaml;q=0.5, application/json;q=0.5", Ok(true))]
    // Media types compare case-sensitively.
    #[case("application/YAML, application/json;q=0.1", Ok(false))]
    #[case("Application/JSON", Err(Refusal::Router))]
    #[case("application/*", Err(Refusal::Handler))]
    #[case(
        "application/json;as=Bogus;g=meta.k8s.io;v=v1",
        Err(Refusal::Conversion)
    )]
    fn accept_negotiates_as_goautoneg_sorts(
        #[case] accept: &str,
        #[case] yaml: Result<bool, Refusal>,
    ) {
        assert_eq!(negotiate(accept, Allowed::All).map(|(yaml, ..)| yaml), yaml);
    }

    #[test]
    fn only_pretty_1_is_pretty() {
        assert_eq!(
            negotiate("application/json;pretty=1", Allowed::All).map(|r| r.1),
            Ok(true)
        );
        assert_eq!(
            negotiate("application/json;pretty=true", Allowed::All).map(|r| r.1),
            Ok(false)
        );
    }
    #[rstest]
    #[case("application/json;v=v1;g=meta.k8s.io", Err(Refusal::Conversion))]
    #[case("APPLICATION/JSON", Err(Refusal::Router))]
    #[case("application/yaml", Ok((true, false, None)))]
    fn negotiates_like_the_apiserver(
        #[case] accept: &str,
        #[case] want: Result<(bool, bool, Option<Transform>), Refusal>,
    ) {
        assert_eq!(negotiate(accept, Allowed::All), want);
    }

    #[test]
    fn conversions_left_out_for_errors() {
        assert_eq!(
            negotiate(
                "application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml",
                Allowed::Nothing
            ),
            Ok((true, false, None))
        );
    }
}
