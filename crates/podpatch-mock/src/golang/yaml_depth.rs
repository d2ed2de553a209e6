//! The nesting limits of go-yaml v2's scanner (`scannerc.go`:
//! `max_flow_level` in `yaml_parser_increase_flow_level`, `max_indents` in
//! `yaml_parser_roll_indent`, both 10000, failing with `exceeded max depth
//! of 10000`), measured in one linear pass before any YAML parser runs.
//!
//! libyaml, under serde_yaml_ng, rescans its whole simple-key stack for
//! every token, so a deeply nested flow collection costs the square of its
//! depth; and serde_yaml_ng refuses any value nested past 128 levels
//! anyway. So a body nested past 10000 levels gets go-yaml's answer, and
//! one whose flow collections nest past serde_yaml_ng's limit gets that
//! limit's answer, without libyaml reading either. It only counts levels:
//! it must not decide anything else about the text.

/// go-yaml v2's `max_flow_level` and `max_indents`.
const MAX_DEPTH: usize = 10_000;

/// serde_yaml_ng's recursion limit: a flow collection nested deeper than
/// this always fails its deserialisation.
const SERDE_LIMIT: usize = 128;

/// Why a text is refused before parsing, as the error text the parser
/// would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooDeep {
    /// go-yaml's scanner error: more than 10000 flow levels or block
    /// indents; `line` is the 0-based line of the token that went past.
    Go { line: usize },
    /// Flow collections nested past serde_yaml_ng's recursion limit; the
    /// 0-based line and byte column of the collection that went past.
    Serde { line: usize, column: usize },
}

impl TooDeep {
    /// The message as serde_yaml_ng would word it, for `yaml_read`'s
    /// `yaml_error` to turn into go-yaml's:
    /// go-yaml names the line of a scanner error only when it is not the
    /// first (`decode.go`, `parser.fail`).
    pub fn message(&self) -> String {
        match self {
            TooDeep::Go { line: 0 } => format!("exceeded max depth of {MAX_DEPTH}"),
            TooDeep::Go { line } => format!(
                "exceeded max depth of {MAX_DEPTH} at line {} column 1, while scanning",
                line + 1
            ),
            TooDeep::Serde { line, column } => format!(
                "recursion limit exceeded at line {} column {}",
                line + 1,
                column + 1
            ),
        }
    }
}

/// Refuses the YAML text `text` (one document) when it nests too deep for
/// go-yaml or for serde_yaml_ng, with the error the parser would give.
pub fn check(text: &str) -> Result<(), serde_yaml_ng::Error> {
    measure(text).map_err(|deep| <serde_yaml_ng::Error as serde::de::Error>::custom(deep.message()))
}

/// Measures the nesting of the YAML text `text` (one document).
pub fn measure(text: &str) -> Result<(), TooDeep> {
    let mut scan = Scan::default();
    let mut deepest_flow = 0;
    for (line, content) in text.split('\n').enumerate() {
        scan.line(content, line)?;
        deepest_flow = deepest_flow.max(scan.deepest_flow);
    }
    if deepest_flow > SERDE_LIMIT
        && let Some((line, column)) = scan.serde_at
    {
        return Err(TooDeep::Serde { line, column });
    }
    Ok(())
}

#[derive(Default)]
struct Scan {
    /// Open flow collections (`[`, `{`).
    flow: usize,
    deepest_flow: usize,
    /// Where the collections, block and flow, first nest past
    /// serde_yaml_ng's limit.
    serde_at: Option<(usize, usize)>,
    /// Columns of the open block collections (go-yaml's `indents` plus
    /// its current `indent`).
    indents: Vec<usize>,
    /// The quote of a quoted scalar still open at the end of a line.
    quote: Option<u8>,
    /// Set inside a block scalar: its lines are those indented past this.
    block_scalar: Option<Option<usize>>,
}

impl Scan {
    fn line(&mut self, content: &str, line: usize) -> Result<(), TooDeep> {
        let bytes = content.trim_end_matches('\r').as_bytes();
        let first = bytes.iter().position(|b| *b != b' ');
        if let Some(parent) = self.block_scalar {
            match first {
                Some(col) if parent.is_none_or(|p| col <= p) => self.block_scalar = None,
                _ => return Ok(()),
            }
        }
        let Some(first) = first else {
            return Ok(());
        };
        let mut i = 0;
        if self.quote.is_none() && self.flow == 0 {
            if bytes[first] == b'#' {
                return Ok(());
            }
            // A line less indented closes the block collections past it.
            while self.indents.last().is_some_and(|c| *c > first) {
                self.indents.pop();
            }
            i = self.block_entries(bytes, first, line)?;
        }
        self.rest(bytes, i, line)
    }

    /// Reads the block indicators (`- `, `? `), a document start and a
    /// simple key (`key:`) from column `i`; returns where the value starts.
    fn block_entries(&mut self, b: &[u8], mut i: usize, line: usize) -> Result<usize, TooDeep> {
        if b[i..].starts_with(b"---") && b.get(i + 3).is_none_or(|c| *c == b' ') {
            i += 3;
        }
        loop {
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
            match (b.get(i), b.get(i + 1)) {
                (Some(b'-' | b'?'), None | Some(b' ')) => {
                    self.roll(i, line)?;
                    i += 1;
                }
                _ => break,
            }
        }
        if let Some(colon) = key_end(&b[i..]) {
            self.roll(i, line)?;
            i += colon + 1;
        }
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        // Anchors and tags come before the value.
        while matches!(b.get(i), Some(b'&' | b'!')) {
            while b.get(i).is_some_and(|c| *c != b' ') {
                i += 1;
            }
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
        }
        match b.get(i) {
            Some(b'|' | b'>') => {
                self.block_scalar = Some(self.indents.last().copied());
                Ok(b.len())
            }
            Some(b'[' | b'{' | b'"' | b'\'' | b'#') => Ok(i),
            // A plain scalar: nothing nests in it.
            _ => Ok(b.len()),
        }
    }

    /// Reads flow indicators, quoted scalars and comments from `i`.
    fn rest(&mut self, b: &[u8], mut i: usize, line: usize) -> Result<(), TooDeep> {
        while i < b.len() {
            let c = b[i];
            match self.quote {
                Some(b'"') if c == b'\\' => i += 1,
                Some(q) if c == q => {
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else {
                        self.quote = None;
                    }
                }
                Some(_) => {}
                None => match c {
                    b'"' | b'\'' => self.quote = Some(c),
                    b'#' if i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t' => return Ok(()),
                    b'[' | b'{' => {
                        self.flow += 1;
                        self.deepest_flow = self.deepest_flow.max(self.flow);
                        if self.serde_at.is_none() && self.indents.len() + self.flow > SERDE_LIMIT {
                            self.serde_at = Some((line, i));
                        }
                        if self.flow > MAX_DEPTH {
                            return Err(TooDeep::Go { line });
                        }
                    }
                    b']' | b'}' => {
                        self.flow = self.flow.saturating_sub(1);
                        if self.flow == 0 {
                            // Block context again: nothing nests later on
                            // this line.
                            return Ok(());
                        }
                    }
                    _ if self.flow == 0 => return Ok(()),
                    _ => {}
                },
            }
            i += 1;
        }
        Ok(())
    }

    /// go-yaml's `yaml_parser_roll_indent` for a block collection at
    /// `column`.
    fn roll(&mut self, column: usize, line: usize) -> Result<(), TooDeep> {
        if self.indents.last().is_none_or(|c| *c < column) {
            self.indents.push(column);
            if self.indents.len() > MAX_DEPTH {
                return Err(TooDeep::Go { line });
            }
        }
        Ok(())
    }
}

/// Where the `:` of a simple key starting `b` stands, if `b` starts one.
fn key_end(b: &[u8]) -> Option<usize> {
    match b.first()? {
        b'[' | b'{' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' => None,
        q @ (b'"' | b'\'') => {
            let close = b[1..].iter().position(|c| c == q)? + 1;
            (b.get(close + 1) == Some(&b':')).then_some(close + 1)
        }
        _ => (0..b.len())
            .find(|&i| {
                b[i] == b':' && b.get(i + 1).is_none_or(|c| *c == b' ')
                    || (b[i] == b' ' && b.get(i + 1) == Some(&b'#'))
            })
            .filter(|&i| b[i] == b':'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::time::{Duration, Instant};

    #[rstest]
    #[case("a: 1\nb: [1, {c: d}]\n", Ok(()))]
    #[case(&"[".repeat(10_000), Err(TooDeep::Serde { line: 0, column: 128 }))]
    #[case(&format!("a:\n  b: {}", "[".repeat(200)), Err(TooDeep::Serde { line: 1, column: 131 }))]
    #[case(&"[".repeat(10_001), Err(TooDeep::Go { line: 0 }))]
    #[case(&format!("x: {}", "{".repeat(10_001)), Err(TooDeep::Go { line: 0 }))]
    #[case(&format!("a: 1\nb:\n  {}", "[".repeat(10_001)), Err(TooDeep::Go { line: 2 }))]
    #[case(&"- ".repeat(10_000), Ok(()))]
    #[case(&"- ".repeat(10_001), Err(TooDeep::Go { line: 0 }))]
    #[case(&format!("{}{}", "[".repeat(128), "]".repeat(128)), Ok(()))]
    #[case(&format!("{}{}", "[".repeat(129), "]".repeat(129)), Err(TooDeep::Serde { line: 0, column: 128 }))]
    #[case(&format!("a: '{}'\nb: \"{}\"\n# {}\nc: |\n  {}\n", "[".repeat(20_000), "{".repeat(20_000), "[".repeat(20_000), "[".repeat(20_000)), Ok(()))]
    #[case(&format!("cmd: echo {}\n", "[".repeat(20_000)), Ok(()))]
    fn depth(#[case] text: &str, #[case] want: Result<(), TooDeep>) {
        assert_eq!(measure(text), want);
    }

    #[test]
    fn messages_name_the_line_past_the_first() {
        assert_eq!(
            TooDeep::Go { line: 0 }.message(),
            "exceeded max depth of 10000"
        );
        assert_eq!(
            TooDeep::Go { line: 2 }.message(),
            "exceeded max depth of 10000 at line 3 column 1, while scanning"
        );
    }

    #[test]
    fn serde_yaml_ng_refuses_what_the_limit_refuses() {
        // The short cut answers what serde_yaml_ng would: past 128 flow
        // levels it always fails, at 128 it reads.
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(serde_yaml_ng::from_str::<serde_json::Value>(&nested(128)).is_ok());
        for text in [nested(129), format!("a:\n  b: {}", nested(200))] {
            let err = serde_yaml_ng::from_str::<serde_json::Value>(&text).expect_err("deep");
            let deep = measure(&text).expect_err("deep");
            assert_eq!(err.to_string(), deep.message());
        }
    }

    #[test]
    fn linear_in_the_body() {
        // 3 MiB of nesting within and past the limit, and of wide flow.
        let bodies = [
            format!("{}{}", "[".repeat(10_000), "1,".repeat(1_500_000)),
            "[".repeat(3 << 20),
            "- ".repeat(1 << 20),
            format!("[{}]", "{a: 1}, ".repeat(400_000)),
        ];
        for body in &bodies {
            let start = Instant::now();
            let _ = measure(body);
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "{:?}",
                start.elapsed()
            );
        }
    }
}
