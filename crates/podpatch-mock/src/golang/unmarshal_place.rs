//! Where the decoder of [`crate::golang::unmarshal`] stands in a document:
//! its JSON pointer, user-facing path and Go error path, kept in buffers
//! that grow on the way down and are cut back on the way up, so that a
//! decoded value costs no string of its own. Text only: it must not decode.

use std::fmt::Write as _;

use crate::golang::json_pointer::push_escaped;

/// The place of the value being decoded.
#[derive(Debug, Default)]
pub(crate) struct Place {
    /// Its JSON pointer.
    pub(crate) pointer: String,
    /// Its user-facing path with indices (`spec.containers[0].image`).
    pub(crate) path: String,
    /// Its Go error path: dotted JSON names without indices.
    pub(crate) go_path: String,
}

/// The lengths of a [`Place`]'s buffers before a step down.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pointer: usize,
    path: usize,
    go_path: usize,
}

impl Place {
    fn mark(&self) -> Mark {
        Mark {
            pointer: self.pointer.len(),
            path: self.path.len(),
            go_path: self.go_path.len(),
        }
    }

    /// Goes back up to where [`Place::enter_key`] (or its siblings) stood.
    pub(crate) fn leave(&mut self, mark: Mark) {
        self.pointer.truncate(mark.pointer);
        self.path.truncate(mark.path);
        self.go_path.truncate(mark.go_path);
    }

    /// Steps into map entry `key` (shown as `[key]`).
    pub(crate) fn enter_key(&mut self, key: &str) -> Mark {
        let mark = self.mark();
        self.pointer.push('/');
        push_escaped(&mut self.pointer, key);
        self.path.push('[');
        self.path.push_str(key);
        self.path.push(']');
        mark
    }

    /// Steps into list item `index` (shown as `[index]`).
    pub(crate) fn enter_index(&mut self, index: usize) -> Mark {
        let mark = self.mark();
        // Writing into a String cannot fail.
        let _ = write!(self.pointer, "/{index}");
        let _ = write!(self.path, "[{index}]");
        mark
    }

    /// Steps into struct field `key`; `go_embedded` names the embedded
    /// struct holding it where Go's error path names it.
    pub(crate) fn enter_field(&mut self, key: &str, go_embedded: Option<&str>) -> Mark {
        let mark = self.mark();
        self.pointer.push('/');
        push_escaped(&mut self.pointer, key);
        push_dotted(&mut self.path, key);
        if let Some(embedded) = go_embedded {
            push_dotted(&mut self.go_path, embedded);
        }
        push_dotted(&mut self.go_path, key);
        mark
    }

    /// The user-facing path of field `key` of the value here.
    pub(crate) fn field_path(&self, key: &str) -> String {
        let mut path = self.path.clone();
        push_dotted(&mut path, key);
        path
    }
}

/// Appends `.key` to a dotted path (just `key` to an empty one).
fn push_dotted(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_down_and_back() {
        let mut place = Place::default();
        let top = place.enter_field("spec", None);
        let list = place.enter_field("containers", None);
        let item = place.enter_index(0);
        let field = place.enter_field("a/b~c", Some("Inline"));
        assert_eq!(place.pointer, "/spec/containers/0/a~1b~0c");
        assert_eq!(place.path, "spec.containers[0].a/b~c");
        assert_eq!(place.go_path, "spec.containers.Inline.a/b~c");
        place.leave(field);
        assert_eq!(place.field_path("x"), "spec.containers[0].x");
        place.leave(item);
        let key = place.enter_key("k/1");
        assert_eq!(
            (place.pointer.as_str(), place.path.as_str()),
            ("/spec/containers/k~11", "spec.containers[k/1]")
        );
        place.leave(key);
        place.leave(list);
        place.leave(top);
        assert_eq!(place.pointer, "");
        assert_eq!(place.field_path("x"), "x");
    }
}
