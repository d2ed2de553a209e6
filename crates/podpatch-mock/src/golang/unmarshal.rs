//! Decodes a JSON value into the shape a Go struct would hold after
//! `encoding/json`'s `Unmarshal` (decode.go) or, for strategic merge
//! patches, `runtime.DefaultUnstructuredConverter.FromUnstructured`, then
//! re-marshal: unknown fields dropped (and reported with
//! their `spec.containers[0].foo` paths for `fieldValidation`), `null` meaning
//! "unset", `omitempty` zero values dropped, non-`omitempty` fields filled with
//! their zero value, numbers for quantities rendered as strings, and type
//! mismatches reported with Go's `json: cannot unmarshal …` text.
//!
//! It knows types only ([`crate::schema`]); it must not apply defaults or
//! validation rules.

use serde_json::{Map, Value};

use crate::golang::json_number::Literals;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;
use crate::golang::unmarshal_errors::{named_type, type_error, unstructured_error};
use crate::golang::unmarshal_place::Place;
use crate::golang::unmarshalers::{self, Refusal};
use crate::golang::zero::{is_empty, zero};
use crate::schema::{Presence, Struct, Ty};
use crate::version::Version;

/// A Go `*json.UnmarshalTypeError` (or a field's own decode error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TypeError(pub String);

/// The decoded value and the unknown fields that were dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The canonical value.
    pub value: Value,
    /// Paths of dropped unknown fields, in document order.
    pub unknown: Vec<String>,
    /// JSON pointers of empty lists `omitempty` dropped: Go holds them as
    /// non-nil slices, which some validation tells from nil (see
    /// [`restore_empty_lists`]).
    pub empty_lists: Vec<String>,
    /// JSON pointers of empty maps `omitempty` dropped: Go holds them as
    /// non-nil maps, which admission tells from nil (a pod `overhead: {}`
    /// without a RuntimeClass is refused).
    pub empty_maps: Vec<String>,
    /// Every quantity as Go's parser left it, which its canonical text in
    /// `value` does not tell.
    pub quantities: QuantityStates,
}

/// Which Go decoder's error texts to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `encoding/json` (`json: cannot unmarshal …`): create bodies, JSON
    /// and merge patches.
    Json,
    /// `runtime.DefaultUnstructuredConverter` (`cannot convert int64 to
    /// string`): strategic merge patches.
    Unstructured,
}

/// Decodes `value` as the struct type `ty` with `encoding/json` texts.
pub fn decode(value: Value, ty: &'static Ty) -> Result<Decoded, TypeError> {
    decode_with(value, ty, Style::Json, &Literals::new())
}

/// Decodes `value` as the struct type `ty` with the texts of `style`;
/// `literals` are numbers `encoding/json` reads as the sender wrote them.
pub fn decode_with(
    value: Value,
    ty: &'static Ty,
    style: Style,
    literals: &Literals,
) -> Result<Decoded, TypeError> {
    let mut ctx = Ctx {
        unknown: Vec::new(),
        at: Place::default(),
        empty_lists: Vec::new(),
        empty_maps: Vec::new(),
        quantities: QuantityStates::default(),
        style,
        literals,
        saved: None,
        version: Version::current(),
    };
    let value = ctx.value(value, ty, "", None)?;
    if let Some(saved) = ctx.saved {
        return Err(saved);
    }
    Ok(Decoded {
        value: value.unwrap_or(Value::Null),
        unknown: ctx.unknown,
        empty_lists: ctx.empty_lists,
        empty_maps: ctx.empty_maps,
        quantities: ctx.quantities,
    })
}

/// Puts back, in `value`, the empty lists of `pointers` where their parent
/// object still stands and the key is absent: the view Go's validation has
/// of a decoded object.
pub fn restore_empty_lists(value: &mut Value, pointers: &[String]) {
    restore_empty(value, pointers, || Value::Array(Vec::new()));
}

/// Puts back the empty maps of `pointers` like [`restore_empty_lists`].
pub fn restore_empty_maps(value: &mut Value, pointers: &[String]) {
    restore_empty(value, pointers, || Value::Object(Map::new()));
}

fn restore_empty(value: &mut Value, pointers: &[String], empty: fn() -> Value) {
    for pointer in pointers {
        let Some((parent, key)) = pointer.rsplit_once('/') else {
            continue;
        };
        let key = crate::golang::json_pointer::unescape_pointer(key);
        if let Some(Value::Object(map)) = value.at_mut(parent) {
            map.entry(key).or_insert_with(empty);
        }
    }
}

/// What decoding a struct's members found besides their values.
#[derive(Default)]
struct Members {
    /// `omitempty` fields dropped as empty: (field index, value).
    emptied: Vec<(usize, Value)>,
    /// The fields kept, a bit per index: the fill of the fields Go always
    /// writes asks it rather than the map (past bit 127, the map).
    held: u128,
}

impl Members {
    fn bit(at: usize) -> Option<u128> {
        u32::try_from(at).ok().and_then(|at| 1u128.checked_shl(at))
    }

    fn hold(&mut self, at: usize) {
        self.held |= Self::bit(at).unwrap_or(0);
    }

    /// Whether field `at`, named `name`, was kept in `map`.
    fn holds(&self, at: usize, map: &Map<String, Value>, name: &str) -> bool {
        match Self::bit(at) {
            Some(bit) => self.held & bit != 0,
            None => map.contains_key(name),
        }
    }
}

struct Ctx<'a> {
    unknown: Vec<String>,
    /// Where the value being decoded sits (read only for an error, an
    /// unknown field, a dropped empty value or a number's literal).
    at: Place,
    empty_lists: Vec<String>,
    empty_maps: Vec<String>,
    quantities: QuantityStates,
    style: Style,
    literals: &'a Literals,
    /// `encoding/json`'s saved error: the first type mismatch, which does
    /// not stop decoding (a later self-decoding value's failure wins).
    saved: Option<TypeError>,
    /// The version answered as, read once: reading it costs more than
    /// decoding most members.
    version: Version,
}

/// Why decoding one value failed: a plain type mismatch (which
/// `encoding/json` saves and decodes on) or a failure that stops it.
enum Fail {
    Mismatch(TypeError),
    Stop(TypeError),
}

impl From<TypeError> for Fail {
    fn from(e: TypeError) -> Self {
        Fail::Stop(e)
    }
}

/// The int64 the unstructured converter makes of a patched number: integers
/// beyond int64 arrive as float64, and Go's conversion of an out-of-range
/// float64 gives the smallest int64 (on amd64). Fractions do not convert.
fn unstructured_int(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    if f.fract() != 0.0 {
        return None;
    }
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    Some(if (-LIMIT..LIMIT).contains(&f) {
        f as i64
    } else {
        i64::MIN
    })
}

impl Ctx<'_> {
    /// Decodes one value at the current place. `go_struct` is the Go
    /// error context's innermost struct name. `None` means "unset".
    fn value(
        &mut self,
        value: Value,
        ty: &'static Ty,
        go_struct: &'static str,
        go_type: Option<&'static str>,
    ) -> Result<Option<Value>, TypeError> {
        match self.typed(value, ty, go_struct, go_type) {
            Ok(v) => Ok(v),
            Err(Fail::Stop(e)) => Err(e),
            Err(Fail::Mismatch(e)) => {
                self.saved.get_or_insert(e);
                Ok(None)
            }
        }
    }

    /// A self-decoding value's failure: under `encoding/json` the outer
    /// decoder names the struct field of an inner type error.
    fn refused(&self, refusal: Refusal, go_struct: &str) -> Fail {
        let go_path = self.at.go_path();
        Fail::Stop(TypeError(match refusal {
            Refusal::Text(text) => text,
            Refusal::Type { what, go_type }
                if self.style == Style::Json && !go_struct.is_empty() =>
            {
                format!(
                    "json: cannot unmarshal {what} into Go struct field {go_struct}.{go_path} of type {go_type}"
                )
            }
            Refusal::Type { what, go_type } => {
                format!("json: cannot unmarshal {what} into Go value of type {go_type}")
            }
        }))
    }

    /// `value` does not fit `ty`: `encoding/json` saves the mismatch and
    /// decodes on; the unstructured converter stops at the first.
    fn mismatch(
        &self,
        value: &Value,
        ty: &'static Ty,
        go_struct: &str,
        go_type: Option<&'static str>,
        literal: Option<&str>,
    ) -> Result<Option<Value>, Fail> {
        match self.style {
            Style::Json => Err(Fail::Mismatch(TypeError(type_error(
                value,
                literal,
                go_struct,
                &self.at.go_path(),
                &named_type(ty, go_type),
            )))),
            Style::Unstructured => Err(Fail::Stop(TypeError(unstructured_error(
                value, ty, go_type,
            )))),
        }
    }

    /// [`Ctx::value`] before a mismatch is saved.
    fn typed(
        &mut self,
        value: Value,
        ty: &'static Ty,
        go_struct: &'static str,
        go_type: Option<&'static str>,
    ) -> Result<Option<Value>, Fail> {
        if value.is_null() {
            return Ok(None);
        }
        let style = self.style;
        let ty = ty.resolved();
        let literals = self.literals;
        let literal = literals.get(self.at.pointer.as_str()).map(String::as_str);
        // `encoding/json` hands a self-decoding type the sender's text.
        let json_text = |value: &Value| {
            (style == Style::Json)
                .then(|| literal.map_or_else(|| value.to_string(), str::to_string))
        };
        match ty {
            Ty::Atomic(inner) => Ok(self.value(value, inner, go_struct, go_type)?),
            Ty::Any => Ok(Some(value)),
            Ty::Str => match value {
                Value::String(_) => Ok(Some(value)),
                other => self.mismatch(&other, ty, go_struct, go_type, literal),
            },
            Ty::Time => unmarshalers::time(value).map_err(|r| self.refused(r, go_struct)),
            Ty::IntOrString => unmarshalers::int_or_string(&value, json_text(&value).as_deref())
                .map_err(|r| self.refused(r, go_struct)),
            Ty::Bool => match value {
                Value::Bool(_) => Ok(Some(value)),
                other => self.mismatch(&other, ty, go_struct, go_type, literal),
            },
            Ty::Int32 | Ty::Int => match &value {
                // `encoding/json` parses the sender's text: `-0` is an
                // integer, `1E2` is not.
                Value::Number(_) if style == Style::Json && literal.is_some() => {
                    match literal.and_then(|text| text.parse::<i64>().ok()) {
                        Some(i) if matches!(ty, Ty::Int) || i32::try_from(i).is_ok() => {
                            Ok(Some(Value::from(i)))
                        }
                        _ => self.mismatch(&value, ty, go_struct, go_type, literal),
                    }
                }
                Value::Number(n) if style == Style::Json => match n.as_i64() {
                    Some(i) if matches!(ty, Ty::Int) || i32::try_from(i).is_ok() => Ok(Some(value)),
                    _ => self.mismatch(&value, ty, go_struct, go_type, literal),
                },
                Value::Number(n) => match unstructured_int(n) {
                    // `reflect.Value.Convert` keeps an int32's low bits.
                    Some(i) if matches!(ty, Ty::Int32) => Ok(Some(Value::from(i as i32))),
                    Some(i) => Ok(Some(Value::from(i))),
                    None => self.mismatch(&value, ty, go_struct, go_type, literal),
                },
                other => self.mismatch(other, ty, go_struct, go_type, literal),
            },
            Ty::Quantity => {
                let state = unmarshalers::quantity(&value, json_text(&value).as_deref())
                    .map_err(|r| self.refused(r, go_struct))?;
                let text = state.render();
                self.quantities.record(self.at.path(), state);
                Ok(Some(Value::String(text)))
            }
            // Maps and lists are decoded in place: rebuilding them cost an
            // allocation per entry on every patch.
            Ty::Map(item_ty) | Ty::AtomicMap(item_ty) => match value {
                Value::Object(mut map) => {
                    for (key, v) in &mut map {
                        let mark = self.at.enter_key(key);
                        let decoded = self.value(std::mem::take(v), item_ty, go_struct, go_type)?;
                        self.at.leave(mark);
                        // A null map value decodes to the zero value.
                        *v = decoded.unwrap_or_else(|| zero(item_ty));
                    }
                    Ok(Some(Value::Object(map)))
                }
                other => self.mismatch(&other, ty, go_struct, go_type, literal),
            },
            Ty::List(list) => match value {
                Value::Array(mut items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        let mark = self.at.enter_index(i);
                        let decoded =
                            self.value(std::mem::take(item), &list.item, go_struct, go_type)?;
                        self.at.leave(mark);
                        *item = decoded.unwrap_or_else(|| zero(&list.item));
                    }
                    Ok(Some(Value::Array(items)))
                }
                other => self.mismatch(&other, ty, go_struct, go_type, literal),
            },
            Ty::Struct(st) => match value {
                Value::Object(map) => Ok(Some(self.decode_struct(map, st)?)),
                other => self.mismatch(&other, ty, go_struct, go_type, literal),
            },
        }
    }

    /// Decodes a struct's members in place (`encoding/json` reads them in
    /// document order, the maps' sorted order here) or, for the
    /// unstructured converter, in the Go struct's declaration order; then
    /// fills the fields Go always writes.
    fn decode_struct(
        &mut self,
        mut map: Map<String, Value>,
        st: &'static Struct,
    ) -> Result<Value, TypeError> {
        let mut found = Members::default();
        if self.style == Style::Unstructured {
            // The converter walks the Go struct's fields in declaration
            // order, so the first failing field in that order wins.
            let mut members: Vec<(String, Value)> = map.into_iter().collect();
            members.sort_by_key(|(key, _)| st.position(key).unwrap_or(usize::MAX));
            map = Map::new();
            for (key, v) in members {
                if let Some(v) = self.member(st, &key, v, &mut found)? {
                    map.insert(key, v);
                }
            }
        } else {
            // In place, the members left out removed after: `Map::retain`
            // moved every member out and back.
            let mut left_out = Vec::new();
            for (key, v) in &mut map {
                match self.member(st, key, std::mem::take(v), &mut found)? {
                    Some(decoded) => *v = decoded,
                    None => left_out.push(key.clone()),
                }
            }
            for key in &left_out {
                map.remove(key);
            }
        }
        found.emptied.sort_unstable_by_key(|(at, _)| *at);
        for (at, dropped) in std::mem::take(&mut found.emptied) {
            let pointer = format!("{}/{}", self.at.pointer, st.fields[at].name);
            match dropped {
                Value::Array(_) => self.empty_lists.push(pointer),
                Value::Object(_) => self.empty_maps.push(pointer),
                _ => {}
            }
        }
        // Only fields that are not `omitempty` can be missing a value Go
        // writes (held ones are asked first: `Struct::presence` reads the
        // version, which costs more).
        for (at, field) in st.fields.iter().enumerate() {
            if field.presence != Presence::Omit
                && !found.holds(at, &map, field.name)
                && st.presence(field) == Presence::Always
            {
                map.insert(field.name.to_string(), zero(&field.ty));
            }
        }
        Ok(Value::Object(map))
    }

    /// Decodes member `key` of a struct: `None` when it is left out (an
    /// unknown field, recorded; an unset value; an `omitempty` zero value,
    /// put in `found`, which marks a kept field held).
    fn member(
        &mut self,
        st: &'static Struct,
        key: &str,
        v: Value,
        found: &mut Members,
    ) -> Result<Option<Value>, TypeError> {
        // `Struct::field` with the field's index, the version read once.
        let Some((at, field)) = st
            .position(key)
            .map(|at| (at, &st.fields[at]))
            .filter(|(_, field)| st.in_version_of(self.version, field))
        else {
            self.unknown.push(self.at.field_path(key));
            return Ok(None);
        };
        // Go's error path names an embedded struct from some version on.
        let embedded = field
            .embedded
            .filter(|_| self.version.names_embedded_structs());
        let mark = self.at.enter_field(field.name, embedded);
        let sent = !v.is_null();
        let decoded = self.value(v, &field.ty, st.name, field.go_type)?;
        self.at.leave(mark);
        let kept = match decoded {
            Some(v) if field.presence == Presence::Omit && is_empty(&v) => {
                found.emptied.push((at, v));
                None
            }
            Some(v) => Some(v),
            // A `*metav1.Time` given the zero time is a set pointer in
            // Go (which marshals it as `null`): kept as an explicit
            // null, which validation tells from an unset field.
            None if sent
                && field.presence == Presence::Ptr
                && matches!(field.ty.resolved(), Ty::Time) =>
            {
                Some(Value::Null)
            }
            None => None,
        };
        if kept.is_some() {
            found.hold(at);
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_numbers_decode_by_their_text() {
        let pod = |v: Value| json!({"spec": {"activeDeadlineSeconds": v}});
        let lit = |t: &str| -> Literals {
            [("/spec/activeDeadlineSeconds".to_string(), t.to_string())].into()
        };
        let ok = decode_with(pod(json!(-0.0)), &POD_TY, Style::Json, &lit("-0")).unwrap();
        assert_eq!(ok.value["spec"]["activeDeadlineSeconds"], json!(0));
        let err = decode_with(pod(json!(100.0)), &POD_TY, Style::Json, &lit("1E2")).unwrap_err();
        assert!(
            err.0
                .contains("cannot unmarshal number 1E2 into Go struct field"),
            "{}",
            err.0
        );
    }
    use crate::schema::POD_TY;
    use serde_json::json;

    #[test]
    fn a_zero_time_pointer_stays_set() {
        let meta = |t: &str| {
            let pod = json!({"metadata": {"deletionTimestamp": t, "creationTimestamp": t}});
            decode(pod, &POD_TY).expect("decodes").value["metadata"].clone()
        };
        let zero = meta("0001-01-01T00:00:00Z");
        assert_eq!(zero.get("deletionTimestamp"), Some(&Value::Null));
        assert_eq!(zero.get("creationTimestamp"), Some(&Value::Null));
        let set = meta("2030-01-01T00:00:00Z");
        assert_eq!(set["deletionTimestamp"], json!("2030-01-01T00:00:00Z"));
        let unset = decode(json!({"metadata": {"deletionTimestamp": null}}), &POD_TY).unwrap();
        assert_eq!(unset.value["metadata"].get("deletionTimestamp"), None);
    }

    #[test]
    fn drops_unknown_and_empty_fills_required() {
        let got = decode(
            json!({"metadata": {"name": "web", "labels": {}}, "spec": {"foo": 1, "hostNetwork": false,
                "containers": [{"name": "c", "image": "nginx", "bar": true}]}}),
            &POD_TY,
        )
        .expect("decodes");
        assert_eq!(got.unknown, vec!["spec.containers[0].bar", "spec.foo"]);
        assert_eq!(
            got.value,
            json!({"metadata": {"name": "web", "creationTimestamp": null},
                "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {}}]}, "status": {}})
        );
    }

    /// Decoding in place must give a typed pod back unchanged, members,
    /// map entries, list items and times alike, and keep the fields Go
    /// always writes that it holds.
    #[test]
    fn a_typed_pod_decodes_to_itself() {
        let pod = json!({
            "metadata": {"name": "web", "namespace": "b", "creationTimestamp": "2026-01-02T03:04:05Z",
                "labels": {"a": "1", "bench": "v7"}, "annotations": {"k/x": "y"},
                "managedFields": [{"manager": "m", "operation": "Update", "apiVersion": "v1",
                    "time": "2026-01-02T03:04:05Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}]},
            "spec": {"containers": [{"name": "c", "image": "nginx", "imagePullPolicy": "IfNotPresent",
                    "resources": {"limits": {"cpu": "500m"}, "requests": {"cpu": "500m"}}},
                    {"name": "d", "image": "nginx", "resources": {}}],
                "tolerations": [{"key": "k1", "operator": "Exists"}, {"key": "k2", "operator": "Exists",
                    "tolerationSeconds": 300}],
                "terminationGracePeriodSeconds": 30, "securityContext": {}, "enableServiceLinks": true},
            "status": {"phase": "Pending", "qosClass": "Burstable"}
        });
        let got = decode(pod.clone(), &POD_TY).expect("decodes");
        assert_eq!(got.value, pod);
        assert!(got.unknown.is_empty() && got.empty_lists.is_empty() && got.empty_maps.is_empty());
    }

    #[test]
    fn decodes_list_items_and_map_values_where_they_stand() {
        let got = decode(
            json!({"metadata": {"labels": {"a": null, "b": "2"}},
                "spec": {"containers": [null, {"name": "c", "foo": 1}]}}),
            &POD_TY,
        )
        .expect("decodes");
        assert_eq!(got.value["metadata"]["labels"], json!({"a": "", "b": "2"}));
        assert_eq!(
            got.value["spec"]["containers"],
            json!([{"name": "", "resources": {}}, {"name": "c", "resources": {}}])
        );
        assert_eq!(got.unknown, vec!["spec.containers[1].foo"]);
    }

    #[test]
    fn reports_dropped_empty_lists() {
        let got = decode(
            json!({"spec": {"securityContext": {"supplementalGroups": []},
                "containers": [{"name": "c", "env": []}]}}),
            &POD_TY,
        )
        .expect("decodes");
        assert_eq!(
            got.empty_lists,
            vec![
                "/spec/containers/0/env",
                "/spec/securityContext/supplementalGroups"
            ]
        );
        let mut view = got.value.clone();
        restore_empty_lists(&mut view, &got.empty_lists);
        assert_eq!(
            view["spec"]["securityContext"]["supplementalGroups"],
            json!([])
        );
    }

    #[test]
    fn reports_dropped_empty_maps() {
        let got = decode(
            json!({"spec": {"overhead": {}, "nodeSelector": {},
                "containers": [{"name": "c"}]}}),
            &POD_TY,
        )
        .expect("decodes");
        assert!(got.value["spec"].get("overhead").is_none());
        assert_eq!(got.empty_maps, vec!["/spec/nodeSelector", "/spec/overhead"]);
        assert!(got.empty_lists.is_empty());
        let mut view = got.value.clone();
        restore_empty_maps(&mut view, &got.empty_maps);
        assert_eq!(view["spec"]["overhead"], json!({}));
    }

    #[test]
    fn type_mismatch_text() {
        let err = decode(
            json!({"spec": {"containers": [{"name": "c", "image": 5}]}}),
            &POD_TY,
        )
        .expect_err("mismatch");
        assert_eq!(
            err.0,
            "json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string"
        );
        let err = decode(json!({"metadata": {"labels": {"a": 1}}}), &POD_TY).expect_err("label");
        assert_eq!(
            err.0,
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"
        );
    }
}
