//! The vocabulary of the schema tables: `Ty`, `Struct`, `Field`, `List` and
//! their constructors, mirroring what Go's struct tags say (`json:",omitempty"`,
//! `patchStrategy`, `patchMergeKey`, `listType`/`listMapKeys`) so one table
//! drives output order, `omitempty`, decoding, strategic merge and apply. It
//! holds no table of a Kubernetes type and no request logic.

use crate::version::Version;

/// A field or value type, as the Go decoder sees it.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// A Go `string`.
    Str,
    /// A Go `int64`.
    Int,
    /// A Go `int32` (named in decode errors, range-checked).
    Int32,
    /// A Go `bool`.
    Bool,
    /// A `resource.Quantity`: a string, or a number that is re-rendered as one.
    Quantity,
    /// A `metav1.Time`, serialised as an RFC 3339 string.
    Time,
    /// An `intstr.IntOrString`: a string, or a number that must fit an
    /// `int32`, decoded by its own `UnmarshalJSON`.
    IntOrString,
    /// A Go struct with ordered fields.
    Struct(&'static Struct),
    /// A Go slice.
    List(&'static List),
    /// A Go `map[string]T`, keys sorted on output.
    Map(&'static Ty),
    /// A `map[string]T` marked `+mapType=atomic` (`nodeSelector`): owned and
    /// applied as one value.
    AtomicMap(&'static Ty),
    /// Not modelled: any JSON value is accepted and kept.
    Any,
    /// A `+structType=atomic` value: the inner type everywhere, but owned
    /// and tracked as one leaf by the field manager.
    Atomic(&'static Ty),
}

/// A Go struct: its name (used in Go decode error texts) and ordered fields.
#[derive(Debug)]
pub struct Struct {
    /// Go type name, e.g. `Container`.
    pub name: &'static str,
    /// Fields in declaration order (the order Go serialises them in).
    pub fields: &'static [Field],
}

/// How a field behaves when it is absent or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// `omitempty` on a non-struct value: dropped when zero, empty or null.
    Omit,
    /// A pointer: dropped only when absent or null; zero values are kept.
    Ptr,
    /// No `omitempty`, or a struct held by value: always emitted, the Go zero
    /// value when absent.
    Always,
}

/// One struct field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// JSON name: plain text that neither a JSON pointer nor Go's JSON
    /// encoding escapes (checked where the tables are built, see
    /// [`plain`]), so that walks write it as it is.
    pub name: &'static str,
    /// Value type.
    pub ty: Ty,
    /// Empty-value behaviour.
    pub presence: Presence,
    /// The embedded Go struct the field is promoted from (`VolumeSource`):
    /// Go's decode errors put its name in the field path.
    pub embedded: Option<&'static str>,
    /// The Go type when the JSON type does not tell it (`v1.PullPolicy`;
    /// for a list or map, of its items): decode errors name it.
    pub go_type: Option<&'static str>,
}

impl Field {
    /// The field as promoted from the embedded struct `name`.
    pub(super) const fn embedded(self, name: &'static str) -> Field {
        Field {
            embedded: Some(name),
            ..self
        }
    }

    /// The field with its Go type spelled out.
    pub(super) const fn go(self, go_type: &'static str) -> Field {
        Field {
            go_type: Some(go_type),
            ..self
        }
    }
}

/// How strategic merge patch and server-side apply treat a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Replaced wholesale (`+listType=atomic`, no patch strategy).
    Atomic,
    /// Merged by a key field (`patchStrategy:"merge" patchMergeKey:"<key>"`).
    Merge(&'static str),
    /// A set of primitives merged by value (`patchStrategy:"merge"` on `[]string`).
    Set,
}

/// A Go slice and its merge behaviour.
#[derive(Debug)]
pub struct List {
    /// Element type.
    pub item: Ty,
    /// Strategic-merge behaviour.
    pub kind: ListKind,
    /// Server-side-apply `listMapKey`s (empty for atomic lists and sets).
    pub ssa_keys: &'static [&'static str],
}

impl List {
    /// How server-side apply and managedFields see the list. It differs from
    /// the strategic kind for a `+listType=atomic` list that still has a
    /// `patchMergeKey` (`status.hostIPs`).
    pub fn ssa_kind(&self) -> ListKind {
        match (self.kind, self.ssa_keys.first()) {
            (ListKind::Set, _) => ListKind::Set,
            (_, Some(key)) => ListKind::Merge(key),
            (_, None) => ListKind::Atomic,
        }
    }
}

/// `name`, which must hold only the bytes a JSON pointer token and Go's
/// HTML-safe JSON encoding leave alone (the tables are constants: a name
/// that breaks this fails the build).
const fn plain(name: &'static str) -> &'static str {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        assert!(
            b >= 0x20 && b < 0x80 && !matches!(b, b'~' | b'/' | b'"' | b'\\' | b'<' | b'>' | b'&'),
            "a field name that would be escaped"
        );
        i += 1;
    }
    name
}

/// A field Go omits when empty (`omitempty`).
pub(crate) const fn f(name: &'static str, ty: Ty) -> Field {
    Field {
        name: plain(name),
        ty,
        presence: Presence::Omit,
        embedded: None,
        go_type: None,
    }
}

/// A pointer field: omitted only when nil.
pub(crate) const fn p(name: &'static str, ty: Ty) -> Field {
    Field {
        name: plain(name),
        ty,
        presence: Presence::Ptr,
        embedded: None,
        go_type: None,
    }
}

/// A field Go always writes, even when empty.
pub(crate) const fn a(name: &'static str, ty: Ty) -> Field {
    Field {
        name: plain(name),
        ty,
        presence: Presence::Always,
        embedded: None,
        go_type: None,
    }
}

/// The fields of a struct that embeds another (`EphemeralContainer`'s
/// `EphemeralContainerCommon`): `fields` promoted from `embedded`, then
/// `last`, its own field. `M` must be one more than `N`.
pub(crate) const fn promoted<const N: usize, const M: usize>(
    fields: &[Field; N],
    embedded: &'static str,
    last: Field,
) -> [Field; M] {
    assert!(M == N + 1, "one own field follows the promoted ones");
    let mut out = [last; M];
    let mut i = 0;
    while i < N {
        out[i] = fields[i].embedded(embedded);
        i += 1;
    }
    out
}

pub(crate) const fn atomic(item: Ty) -> List {
    List {
        item,
        kind: ListKind::Atomic,
        ssa_keys: &[],
    }
}

pub(crate) const fn keyed(item: Ty, key: &'static str, ssa_keys: &'static [&'static str]) -> List {
    List {
        item,
        kind: ListKind::Merge(key),
        ssa_keys,
    }
}

pub(crate) static STR_LIST: List = atomic(Ty::Str);

impl Struct {
    /// The field called `name`, if the struct declares it (in the version
    /// answered as).
    pub fn field(&self, name: &str) -> Option<&'static Field>
    where
        Self: 'static,
    {
        let fields: &'static [Field] = self.fields;
        let field = &fields[self.position(name)?];
        self.in_version(field).then_some(field)
    }

    /// Where the struct declares the field `name` in any version: its rank
    /// in Go's output order.
    #[inline]
    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|field| field.name == name)
    }

    /// Whether the version answered as has `field`, one of this struct's.
    pub fn in_version(&self, field: &Field) -> bool {
        self.in_version_of(Version::current(), field)
    }

    /// Whether `version` has `field`, one of this struct's: for a walk that
    /// reads the version once rather than for every member.
    #[inline]
    pub fn in_version_of(&self, version: Version, field: &Field) -> bool {
        version.has_field(self.name, field.name)
    }

    /// How `field` behaves when empty in the version answered as: one that
    /// is `omitzero` now (a pointer here) was always emitted before.
    pub fn presence(&self, field: &Field) -> Presence {
        if field.presence == Presence::Ptr && !Version::current().omits_zero(self.name, field.name)
        {
            Presence::Always
        } else {
            field.presence
        }
    }
}

impl Ty {
    /// The type itself, with an `Atomic` wrapper removed.
    pub fn resolved(&'static self) -> &'static Ty {
        match self {
            Ty::Atomic(inner) => inner.resolved(),
            other => other,
        }
    }

    /// The type of the member `key` of a value of this type: a struct field,
    /// a map value, or `Any` for unmodelled sub-trees. `None` when a struct
    /// does not declare the field.
    pub fn member(&'static self, key: &str) -> Option<&'static Ty> {
        match self.resolved() {
            Ty::Struct(s) => s.field(key).map(|field| &field.ty),
            Ty::Map(value) | Ty::AtomicMap(value) => Some(value),
            Ty::Any => Some(&Ty::Any),
            _ => None,
        }
    }

    /// The list description, when this is a list.
    pub fn as_list(&'static self) -> Option<&'static List> {
        match self.resolved() {
            Ty::List(list) => Some(list),
            _ => None,
        }
    }
}
