//! Impersonation and authorization, as the real server's filters apply them
//! before any routing (`endpoints/filters/impersonation.go`
//! `WithImpersonation`, `endpoints/filters/authorization.go`
//! `WithAuthorization` over RBAC). The mock's own caller is a cluster admin, so only a
//! request that impersonates someone can be refused: the impersonated user
//! is allowed through the `system:masters` group (RBAC's bootstrap
//! `cluster-admin` binding) and refused otherwise. Bootstrap roles that
//! grant narrower rights to other system users are not modelled.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, Method};

use crate::api::status::Status;
use crate::golang::format::go_quote;
use crate::golang::go_value::GoValue;
use crate::http::headers::header_text;

const USER: &str = "impersonate-user";
const UID: &str = "impersonate-uid";
const GROUP: &str = "impersonate-group";
const EXTRA_PREFIX: &str = "impersonate-extra-";

/// The user the impersonation headers ask for (`processImpersonationHeaders`).
#[derive(Debug, Default)]
struct Wanted {
    name: String,
    uid: String,
    groups: Option<Vec<String>>,
    extra: Option<BTreeMap<String, Vec<String>>>,
}

impl Wanted {
    fn from_headers(headers: &HeaderMap) -> Self {
        let first = |name: &str| header_text(headers, name).to_string();
        let text = |v: &axum::http::HeaderValue| v.to_str().unwrap_or("").to_string();
        let groups: Vec<String> = headers.get_all(GROUP).iter().map(text).collect();
        let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in headers {
            if let Some(key) = name.as_str().strip_prefix(EXTRA_PREFIX) {
                let key = percent_encoding::percent_decode_str(key)
                    .decode_utf8_lossy()
                    .into_owned();
                extra.entry(key).or_default().push(text(value));
            }
        }
        Self {
            name: first(USER),
            uid: first(UID),
            groups: (!groups.is_empty()).then_some(groups),
            extra: (!extra.is_empty()).then_some(extra),
        }
    }

    /// Go's `%#v` of the `*user.DefaultInfo`.
    fn go_syntax(&self) -> String {
        let list = |items: Option<&[String]>| match items {
            None => GoValue::Nil("[]string".into()),
            Some(items) => GoValue::Slice(
                "[]string".into(),
                items.iter().map(|s| GoValue::Str(s.clone())).collect(),
            ),
        };
        let extra = match &self.extra {
            None => GoValue::Nil("map[string][]string".into()),
            Some(m) => GoValue::Map(
                "map[string][]string".into(),
                m.iter().map(|(k, v)| (k.clone(), list(Some(v)))).collect(),
            ),
        };
        let info = GoValue::Struct(
            "user.DefaultInfo".into(),
            vec![
                ("Name", GoValue::Str(self.name.clone())),
                ("UID", GoValue::Str(self.uid.clone())),
                ("Groups", list(self.groups.as_deref())),
                ("Extra", extra),
            ],
        );
        GoValue::Ptr("*user.DefaultInfo".into(), Box::new(info)).sharp_v()
    }
}

/// What `RequestInfoFactory.NewRequestInfo` reads from a request, as far
/// as the forbidden message needs it.
struct RequestInfo {
    verb: String,
    resource: Option<Resource>,
    path: String,
}

struct Resource {
    group: String,
    namespace: String,
    resource: String,
    subresource: String,
    name: String,
}

impl RequestInfo {
    fn new(method: &Method, path: &str) -> Self {
        let mut info = Self {
            verb: method.as_str().to_ascii_lowercase(),
            resource: None,
            path: path.to_string(),
        };
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (group, rest) = match parts.as_slice() {
            ["api", _, rest @ ..] if !rest.is_empty() => ("", &parts[2..]),
            ["apis", group, _, rest @ ..] if !rest.is_empty() => (*group, &parts[3..]),
            _ => return info,
        };
        let mut rest = rest;
        if matches!(rest.first(), Some(&("proxy" | "watch"))) {
            info.verb = rest[0].to_string();
            rest = &rest[1..];
        } else {
            info.verb = match *method {
                Method::POST => "create",
                Method::GET | Method::HEAD => "get",
                Method::PUT => "update",
                Method::PATCH => "patch",
                Method::DELETE => "delete",
                _ => "",
            }
            .to_string();
        }
        let mut namespace = "";
        if rest.first() == Some(&"namespaces") && rest.len() > 1 {
            namespace = rest[1];
            if rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
                rest = &rest[2..];
            }
        }
        let at = |i: usize| rest.get(i).copied().unwrap_or("").to_string();
        let subresource = if rest.len() >= 3 && info.verb != "proxy" {
            at(2)
        } else {
            String::new()
        };
        let resource = Resource {
            group: group.to_string(),
            namespace: namespace.to_string(),
            resource: at(0),
            subresource,
            name: at(1),
        };
        if resource.name.is_empty() {
            match info.verb.as_str() {
                "get" => info.verb = "list".into(),
                "delete" => info.verb = "deletecollection".into(),
                _ => {}
            }
        }
        info.resource = Some(resource);
        info
    }

    /// `responsewriters.ForbiddenStatusError` for `user`.
    fn forbidden(&self, user: &str) -> Status {
        let user = go_quote(user);
        let Some(r) = &self.resource else {
            return Status::forbidden_resource(
                "",
                "",
                "",
                &format!(
                    "User {user} cannot {} path {}",
                    self.verb,
                    go_quote(&self.path)
                ),
            );
        };
        let mut resource = r.resource.clone();
        if !r.subresource.is_empty() {
            resource = format!("{resource}/{}", r.subresource);
        }
        let scope = if r.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace {}", go_quote(&r.namespace))
        };
        Status::forbidden_resource(
            &r.group,
            &r.resource,
            &r.name,
            &format!(
                "User {user} cannot {} resource {} in API group {} {scope}",
                self.verb,
                go_quote(&resource),
                go_quote(&r.group)
            ),
        )
    }
}

/// The impersonation filter and the authorizer for one request: `Err` is
/// the Status the real server answers instead of routing it.
pub fn check(method: &Method, path: &str, headers: &HeaderMap) -> Result<(), Status> {
    let wanted = Wanted::from_headers(headers);
    if wanted.name.is_empty() {
        if wanted.uid.is_empty() && wanted.groups.is_none() && wanted.extra.is_none() {
            return Ok(());
        }
        return Err(Status::bad_request(format!(
            "requested {} without impersonating a user name",
            wanted.go_syntax()
        )));
    }
    let admin = wanted
        .groups
        .iter()
        .flatten()
        .any(|g| g == "system:masters");
    if admin {
        Ok(())
    } else {
        Err(RequestInfo::new(method, path).forbidden(&wanted.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn no_impersonation_is_allowed() {
        assert!(check(&Method::PATCH, "/api/v1/namespaces/a/pods/b", &headers(&[])).is_ok());
    }

    #[test]
    fn masters_are_allowed() {
        let h = headers(&[(USER, "alice"), (GROUP, "dev"), (GROUP, "system:masters")]);
        assert!(check(&Method::PATCH, "/api/v1/namespaces/a/pods/b", &h).is_ok());
    }

    #[test]
    fn groups_without_a_user_are_a_bad_request() {
        let h = headers(&[
            (GROUP, "system:masters"),
            ("impersonate-extra-scopes", "view"),
        ]);
        let err = check(&Method::PATCH, "/x", &h).unwrap_err();
        assert_eq!(err.code, 400);
        assert_eq!(
            err.message,
            r#"requested &user.DefaultInfo{Name:"", UID:"", Groups:[]string{"system:masters"}, Extra:map[string][]string{"scopes":[]string{"view"}}} without impersonating a user name"#
        );
    }

    #[rstest]
    #[case(
        "/api/v1/namespaces/ns/pods/web/status",
        r#"pods "web" is forbidden: User "alice" cannot patch resource "pods/status" in API group "" in the namespace "ns""#
    )]
    #[case(
        "/api/v1/namespaces/ns/pods",
        r#"pods is forbidden: User "alice" cannot patch resource "pods" in API group "" in the namespace "ns""#
    )]
    #[case(
        "/apis/apps/v1/namespaces/ns/deployments/d",
        r#"deployments.apps "d" is forbidden: User "alice" cannot patch resource "deployments" in API group "apps" in the namespace "ns""#
    )]
    #[case(
        "/api/v1/watch/pods",
        r#"pods is forbidden: User "alice" cannot watch resource "pods" in API group "" at the cluster scope"#
    )]
    #[case("/healthz", r#"forbidden: User "alice" cannot patch path "/healthz""#)]
    fn others_are_forbidden(#[case] path: &str, #[case] message: &str) {
        let err = check(&Method::PATCH, path, &headers(&[(USER, "alice")])).unwrap_err();
        assert_eq!((err.code, err.message.as_str()), (403, message));
    }
}
