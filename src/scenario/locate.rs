//! Finding where a value sits in a RON source, so validation errors (found
//! on the parsed data, which carries no positions) can still say line and
//! column.
//!
//! The scan understands strings, comments and brackets and nothing more: it
//! is a best-effort pointer for a human, falling back to the closest
//! enclosing thing it could find.

/// One step of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment<'a> {
    /// A field name, searched anywhere inside the current region.
    Key(&'a str),
    /// The n-th element of the list that starts in the current region.
    Index(usize),
}

/// The byte offset of the thing at `path`, or of the deepest part of it found.
pub fn locate(source: &str, path: &[PathSegment<'_>]) -> usize {
    let bytes = source.as_bytes();
    let mut region = (0, bytes.len());
    let mut found = 0;
    for segment in path {
        let next = match *segment {
            PathSegment::Key(key) => find_key(bytes, region, key),
            PathSegment::Index(index) => find_element(bytes, region, index),
        };
        match next {
            Some((start, end)) => {
                found = start;
                region = (start, end);
            }
            None => break,
        }
    }
    found
}

/// 1-based line and column of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Visits every byte outside strings and comments, with its bracket depth
/// relative to the start. Stops when `visit` returns `Some`.
fn scan<T>(bytes: &[u8], (start, end): (usize, usize), mut visit: impl FnMut(usize, i32) -> Option<T>) -> Option<T> {
    let mut i = start;
    let mut depth = 0i32;
    while i < end {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < end && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < end && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                if let Some(t) = visit(i, depth) {
                    return Some(t);
                }
                depth += 1;
            }
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {
                if let Some(t) = visit(i, depth) {
                    return Some(t);
                }
            }
        }
        i += 1;
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The region of the value of `key:` found anywhere in `region`.
fn find_key(bytes: &[u8], region: (usize, usize), key: &str) -> Option<(usize, usize)> {
    let key = key.as_bytes();
    let at = scan(bytes, region, |i, _| {
        let matches = bytes[i..].starts_with(key)
            && (i == 0 || !is_ident(bytes[i - 1]))
            && bytes.get(i + key.len()).is_some_and(|&b| !is_ident(b));
        if !matches {
            return None;
        }
        let mut j = i + key.len();
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        (bytes.get(j) == Some(&b':')).then_some(i)
    })?;
    Some((at, value_end(bytes, at, region.1)))
}

/// Where the value that starts at `from` ends: the next `,` or closing
/// bracket at the same depth.
fn value_end(bytes: &[u8], from: usize, limit: usize) -> usize {
    scan(bytes, (from, limit), |i, depth| (depth == 0 && bytes[i] == b',').then_some(i)).unwrap_or(limit)
}

/// The region of the `index`-th element of the first list in `region`.
fn find_element(bytes: &[u8], region: (usize, usize), index: usize) -> Option<(usize, usize)> {
    let open = scan(bytes, region, |i, _| (bytes[i] == b'[').then_some(i))?;
    let mut element = 0;
    let mut element_start = None;
    let found = scan(bytes, (open + 1, region.1), |i, depth| {
        if depth == 0 && bytes[i] == b',' {
            if element == index {
                return Some(i);
            }
            element += 1;
            element_start = None;
        } else if element_start.is_none() && !bytes[i].is_ascii_whitespace() {
            element_start = Some(i);
        }
        None
    });
    let start = element_start?;
    if element != index {
        return None;
    }
    Some((start, found.unwrap_or(region.1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "(\n  name: \"x\",\n  nodes: [\n    (id: \"a\", kind: Service(workers: 0)),\n    // a comment, with a comma\n    (id: \"b\", kind: Database(connections: 3)),\n  ],\n)";

    #[test]
    fn finds_a_field_of_the_second_list_element() {
        let at = locate(SRC, &[PathSegment::Key("nodes"), PathSegment::Index(1), PathSegment::Key("connections")]);
        assert_eq!(line_column(SRC, at), (6, 30));
    }

    #[test]
    fn falls_back_to_the_deepest_part_found() {
        let at = locate(SRC, &[PathSegment::Key("nodes"), PathSegment::Index(0), PathSegment::Key("missing")]);
        assert_eq!(line_column(SRC, at), (4, 5));
    }
}
