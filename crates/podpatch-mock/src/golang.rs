//! What Go's libraries do that Rust's do differently, as kube-apiserver's
//! messages and outputs show it: `fmt`/`strconv` texts, `encoding/json`
//! syntax, decoding into Go structs and encoding, YAML in (go-yaml v2) and
//! out, resource quantities and durations. Text and value conversion only:
//! nothing here decides what is valid Kubernetes.

pub(crate) mod duration;
pub(crate) mod format;
pub(crate) mod go_value;
pub(crate) mod ip;
pub(crate) mod json_encode;
pub(crate) mod json_number;
pub(crate) mod json_pointer;
pub(crate) mod json_raw;
pub(crate) mod json_scanner;
pub(crate) mod json_value;
pub(crate) mod quantity;
pub(crate) mod quantity_states;
pub(crate) mod scaled_value;
pub(crate) mod semantic;
pub(crate) mod stack;
pub(crate) mod time;
pub(crate) mod unmarshal;
pub(crate) mod unmarshal_errors;
pub(crate) mod unmarshal_place;
pub(crate) mod unmarshalers;
pub(crate) mod yaml_decode;
pub(crate) mod yaml_depth;
pub(crate) mod yaml_duplicates;
pub(crate) mod yaml_encode;
pub(crate) mod yaml_read;
pub(crate) mod zero;
