//! Where the decoder of [`crate::golang::unmarshal`] stands in a document:
//! its JSON pointer, kept in one buffer that grows on the way down and is
//! cut back on the way up, with how each step was taken, so that a decoded
//! value costs no string of its own. The user-facing path and the Go error
//! path are built from them only when asked for (an error, an unknown field,
//! a quantity): most values need neither. Text only: it must not decode.

use std::fmt::Write as _;

use crate::golang::json_pointer::{push_escaped, unescape_pointer};

/// The place of the value being decoded.
#[derive(Debug, Default)]
pub(crate) struct Place {
    /// Its JSON pointer.
    pub(crate) pointer: String,
    /// The steps down to it, in order.
    steps: Vec<Step>,
}

/// One step down: where its reference token starts in the pointer (after
/// the `/`) and what it stepped into.
#[derive(Debug, Clone, Copy)]
struct Step {
    token: usize,
    into: Into,
}

#[derive(Debug, Clone, Copy)]
enum Into {
    /// A struct field, with the embedded struct Go's error path names.
    Field(Option<&'static str>),
    /// A list item.
    Index,
    /// A map entry.
    Key,
}

/// A [`Place`] before a step down.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pointer: usize,
    steps: usize,
}

impl Place {
    fn step(&mut self, into: Into) -> Mark {
        let mark = Mark {
            pointer: self.pointer.len(),
            steps: self.steps.len(),
        };
        self.pointer.push('/');
        self.steps.push(Step {
            token: self.pointer.len(),
            into,
        });
        mark
    }

    /// Goes back up to where [`Place::enter_key`] (or its siblings) stood.
    pub(crate) fn leave(&mut self, mark: Mark) {
        self.pointer.truncate(mark.pointer);
        self.steps.truncate(mark.steps);
    }

    /// Steps into map entry `key` (shown as `[key]`).
    pub(crate) fn enter_key(&mut self, key: &str) -> Mark {
        let mark = self.step(Into::Key);
        push_escaped(&mut self.pointer, key);
        mark
    }

    /// Steps into list item `index` (shown as `[index]`).
    pub(crate) fn enter_index(&mut self, index: usize) -> Mark {
        let mark = self.step(Into::Index);
        match u8::try_from(index) {
            // Most lists are short: a digit pushed costs less than `write!`.
            Ok(digit @ 0..=9) => self.pointer.push(char::from(b'0' + digit)),
            // Writing into a String cannot fail.
            _ => {
                let _ = write!(self.pointer, "{index}");
            }
        }
        mark
    }

    /// Steps into struct field `name` (a schema field's, which needs no
    /// escaping); `go_embedded` names the embedded struct holding it where
    /// Go's error path names it.
    pub(crate) fn enter_field(&mut self, name: &str, go_embedded: Option<&'static str>) -> Mark {
        let mark = self.step(Into::Field(go_embedded));
        self.pointer.push_str(name);
        mark
    }

    /// Each step with its reference token, unescaped.
    fn tokens(&self) -> impl Iterator<Item = (Into, String)> + '_ {
        self.steps.iter().enumerate().map(|(i, step)| {
            let end = self
                .steps
                .get(i + 1)
                .map_or(self.pointer.len(), |next| next.token - 1);
            (step.into, unescape_pointer(&self.pointer[step.token..end]))
        })
    }

    /// Its user-facing path with indices (`spec.containers[0].image`).
    pub(crate) fn path(&self) -> String {
        let mut path = String::new();
        for (into, token) in self.tokens() {
            match into {
                Into::Field(_) => push_dotted(&mut path, &token),
                Into::Index | Into::Key => {
                    path.push('[');
                    path.push_str(&token);
                    path.push(']');
                }
            }
        }
        path
    }

    /// Its Go error path: dotted JSON names without indices.
    pub(crate) fn go_path(&self) -> String {
        let mut path = String::new();
        for (into, token) in self.tokens() {
            if let Into::Field(embedded) = into {
                if let Some(embedded) = embedded {
                    push_dotted(&mut path, embedded);
                }
                push_dotted(&mut path, &token);
            }
        }
        path
    }

    /// The user-facing path of field `key` of the value here.
    pub(crate) fn field_path(&self, key: &str) -> String {
        let mut path = self.path();
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
        let far = place.enter_index(12);
        assert_eq!(place.pointer, "/spec/containers/12");
        place.leave(far);
        let item = place.enter_index(0);
        let field = place.enter_field("image", Some("Inline"));
        assert_eq!(place.pointer, "/spec/containers/0/image");
        assert_eq!(place.path(), "spec.containers[0].image");
        assert_eq!(place.go_path(), "spec.containers.Inline.image");
        place.leave(field);
        assert_eq!(place.field_path("x"), "spec.containers[0].x");
        place.leave(item);
        let key = place.enter_key("k/1~");
        assert_eq!(
            (place.pointer.as_str(), place.path().as_str()),
            ("/spec/containers/k~11~0", "spec.containers[k/1~]")
        );
        place.leave(key);
        place.leave(list);
        place.leave(top);
        assert_eq!(place.pointer, "");
        assert_eq!(place.field_path("x"), "x");
    }
}
