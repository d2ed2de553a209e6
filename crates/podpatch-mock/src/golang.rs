//! What Go's libraries do that Rust's do differently, as kube-apiserver's
//! messages and outputs show it: `fmt`/`strconv` texts, `encoding/json`
//! syntax, decoding into Go structs and encoding, YAML in (go-yaml v2) and
//! out, resource quantities and durations. Text and value conversion only:
//! nothing here decides what is valid Kubernetes.

pub(crate) mod duration;
pub(crate) mod format;
pub(crate) mod json;
pub(crate) mod json_encode;
pub(crate) mod quantity;
pub(crate) mod unmarshal;
pub(crate) mod yaml_decode;
pub(crate) mod yaml_encode;
