//! Finding where a value sits in a RON source, so validation errors (found
//! on the parsed data, which carries no positions) can still say line and
//! column.
//!
//! The scan understands strings, comments and brackets and nothing more: it
//! is a best-effort pointer for a human, falling back to the closest
//! enclosing thing it could find.

use std::collections::HashMap;

/// One step of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment<'a> {
    /// A field name, searched anywhere inside the current region.
    Key(&'a str),
    /// The n-th element of the list that starts in the current region.
    Index(usize),
}

/// Finds where the things at paths into one source are.
///
/// Problems in a big file share most of their paths (`nodes`, then the
/// n-th node, ...), and finding a top-level field means reading the whole
/// document (a shallower match may come later). Each step is remembered by
/// its region, and a list's elements are found in one pass, so locating k
/// problems costs one read of the document plus the small regions they
/// point into, not k reads of it.
pub struct Locator<'s, 'k> {
    bytes: &'s [u8],
    keys: HashMap<(Region, &'k str), Option<Region>>,
    /// The elements of the first list in a region (see [`list_elements`]).
    lists: HashMap<Region, Vec<Option<Region>>>,
}

/// A byte range of the source, start inclusive, end exclusive.
type Region = (usize, usize);

impl<'s, 'k> Locator<'s, 'k> {
    pub fn new(source: &'s str) -> Self {
        Locator { bytes: source.as_bytes(), keys: HashMap::new(), lists: HashMap::new() }
    }

    /// The byte offset of the thing at `path`, or of the deepest part of it found.
    pub fn locate(&mut self, path: &[PathSegment<'k>]) -> usize {
        let bytes = self.bytes;
        let mut region = (0, bytes.len());
        let mut found = 0;
        for segment in path {
            let next = match *segment {
                PathSegment::Key(key) => {
                    *self.keys.entry((region, key)).or_insert_with(|| find_key(bytes, region, key))
                }
                PathSegment::Index(index) => self
                    .lists
                    .entry(region)
                    .or_insert_with(|| list_elements(bytes, region))
                    .get(index)
                    .copied()
                    .flatten(),
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
}

/// 1-based line and column of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// [`line_column`] of many offsets at once, in one pass over the source
/// (sorting the offsets first): a file with thousands of problems, even
/// all on one long line, costs one read.
pub fn line_columns(source: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    let clamp = |o: usize| floor_char_boundary(source, o.min(source.len()));
    order.sort_by_key(|&k| clamp(offsets[k]));
    let mut out = vec![(1, 1); offsets.len()];
    // Position reached so far: byte offset, line, characters since the line started.
    let (mut at, mut line, mut column) = (0, 1, 0);
    for k in order {
        let target = clamp(offsets[k]);
        for c in source[at..target].chars() {
            if c == '\n' {
                line += 1;
                column = 0;
            } else {
                column += 1;
            }
        }
        at = target;
        out[k] = (line, column + 1);
    }
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// If a string or a comment starts at `i`, the index of its last byte.
fn skip_opaque(bytes: &[u8], i: usize, end: usize) -> Option<usize> {
    match bytes[i] {
        b'"' => {
            let mut j = i + 1;
            while j < end && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            Some(j.min(end.saturating_sub(1)).max(i))
        }
        b'/' if bytes.get(i + 1) == Some(&b'/') => {
            let mut j = i;
            while j + 1 < end && bytes[j + 1] != b'\n' {
                j += 1;
            }
            Some(j)
        }
        b'/' if bytes.get(i + 1) == Some(&b'*') => Some(block_comment_end(bytes, i, end).unwrap_or(end - 1)),
        _ => None,
    }
}

/// The index of the last byte (the `/`) of the block comment that opens at
/// `i`, or `None` if it is not closed before `end`. Block comments nest, as
/// in RON: `/* a /* b */ c */` is one comment.
pub fn block_comment_end(bytes: &[u8], i: usize, end: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    while j + 1 < end {
        match (bytes[j], bytes[j + 1]) {
            (b'/', b'*') => {
                depth += 1;
                j += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
                j += 2;
            }
            _ => j += 1,
        }
    }
    None
}

/// Where the first block comment that is never closed opens: the scan
/// skips strings and line comments, so a `/*` inside them does not count.
pub fn unclosed_block_comment(source: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            match block_comment_end(bytes, i, bytes.len()) {
                Some(last) => i = last + 1,
                None => return Some(i),
            }
        } else if let Some(last) = skip_opaque(bytes, i, bytes.len()) {
            i = last + 1;
        } else {
            i += 1;
        }
    }
    None
}

/// Visits every byte outside strings and comments, with its bracket depth
/// relative to the start, except closing brackets. Stops when `visit`
/// returns `Some`, or at a closing bracket that leaves the region's depth.
fn scan<T>(bytes: &[u8], (start, end): (usize, usize), mut visit: impl FnMut(usize, i32) -> Option<T>) -> Option<T> {
    let mut i = start;
    let mut depth = 0i32;
    while i < end {
        if let Some(last) = skip_opaque(bytes, i, end) {
            i = last + 1;
            continue;
        }
        match bytes[i] {
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

/// The region of the value of `key:` inside `region`.
///
/// The match nearest the top wins (the fewest brackets deep), then the
/// first in the file: a field of the struct itself is preferred over a
/// field of the same name nested inside one of its values, so the
/// top-level `duration_s` is found even when a traffic spike further down
/// also has a `duration_s`.
fn find_key(bytes: &[u8], region: (usize, usize), key: &str) -> Option<(usize, usize)> {
    let key = key.as_bytes();
    let mut best: Option<(i32, usize)> = None;
    scan(bytes, region, |i, depth| {
        let matches = bytes[i..].starts_with(key)
            && (i == 0 || !is_ident(bytes[i - 1]))
            && bytes.get(i + key.len()).is_some_and(|&b| !is_ident(b));
        if matches && best.is_none_or(|(d, _)| depth < d) {
            let mut j = i + key.len();
            while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            if bytes.get(j) == Some(&b':') {
                best = Some((depth, i));
            }
        }
        None::<()>
    });
    let (_, at) = best?;
    Some((at, value_end(bytes, at, region.1)))
}

/// The text of the field that starts at `offset` (`name: value`, with its
/// trailing comma if it has one), as a byte range. The loader blanks it out
/// to look past an unknown field for further problems.
pub fn field_extent(source: &str, offset: usize) -> Option<(usize, usize)> {
    let bytes = source.as_bytes();
    if offset >= bytes.len() {
        return None;
    }
    let end = scan(bytes, (offset, bytes.len()), |i, depth| (depth == 0 && bytes[i] == b',').then_some(i + 1))
        .or_else(|| enclosing_end(source, offset))?;
    Some((offset, end))
}

/// The offset of the bracket that closes the brackets enclosing `offset`.
pub fn enclosing_end(source: &str, offset: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut depth = 0i32;
    let mut i = offset;
    while i < bytes.len() {
        if let Some(last) = skip_opaque(bytes, i, bytes.len()) {
            i = last + 1;
            continue;
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The innermost bracket opened before `offset` and not closed by then.
fn innermost_open(source: &str, offset: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut open = Vec::new();
    let mut i = 0;
    while i < offset.min(bytes.len()) {
        if let Some(last) = skip_opaque(bytes, i, bytes.len()) {
            i = last + 1;
            continue;
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => open.push(i),
            b')' | b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.last().copied()
}

/// Where the group that the bracket at `close` ends begins: the name
/// before its opening bracket (`Service` in `Service(...)`), or the opening
/// bracket itself when it has no name. `None` when `close` closes nothing.
pub fn group_start(source: &str, close: usize) -> Option<usize> {
    let at = innermost_open(source, close)?;
    let name_start = source[..at].trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_').len();
    Some(if name_start < at { name_start } else { at })
}

/// Whether the group of fields around `offset` already has a field `name`
/// (directly, not inside one of its values).
pub fn group_has_field(source: &str, offset: usize, name: &str) -> bool {
    let Some(open) = innermost_open(source, offset) else { return false };
    let close = enclosing_end(source, offset).unwrap_or(source.len());
    find_key(source.as_bytes(), (open + 1, close), name).is_some_and(|(at, _)| {
        // Depth 0 inside the group: no unclosed bracket between it and the group's.
        innermost_open(source, at) == Some(open)
    })
}

/// The byte range of the last string literal (quotes included) that ends
/// before `offset`, if one does.
pub fn last_string_before(source: &str, offset: usize) -> Option<(usize, usize)> {
    let bytes = source.as_bytes();
    let mut last = None;
    let mut i = 0;
    while i < offset.min(bytes.len()) {
        match skip_opaque(bytes, i, bytes.len()) {
            Some(end) => {
                if bytes[i] == b'"' && end < offset {
                    last = Some((i, end + 1));
                }
                i = end + 1;
            }
            None => i += 1,
        }
    }
    last
}

/// Where the value that starts at `from` ends: the next `,` or closing
/// bracket at the same depth.
fn value_end(bytes: &[u8], from: usize, limit: usize) -> usize {
    scan(bytes, (from, limit), |i, depth| (depth == 0 && bytes[i] == b',').then_some(i)).unwrap_or(limit)
}

/// The regions of the elements of the first list in `region`, in order;
/// `None` for an element with nothing in it (after a trailing comma).
fn list_elements(bytes: &[u8], region: Region) -> Vec<Option<Region>> {
    let Some(open) = scan(bytes, region, |i, _| (bytes[i] == b'[').then_some(i)) else { return Vec::new() };
    let mut elements = Vec::new();
    let mut element_start = None;
    scan(bytes, (open + 1, region.1), |i, depth| {
        if depth == 0 && bytes[i] == b',' {
            elements.push(element_start.take().map(|start| (start, i)));
        } else if element_start.is_none() && !bytes[i].is_ascii_whitespace() {
            element_start = Some(i);
        }
        None::<()>
    });
    // The last element has no comma after it: it runs to the end of the region.
    if let Some(start) = element_start {
        elements.push(Some((start, region.1)));
    }
    elements
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "(\n  name: \"x\",\n  nodes: [\n    (id: \"a\", kind: Service(workers: 0)),\n    // a comment, with a comma\n    (id: \"b\", kind: Database(connections: 3)),\n  ],\n)";

    #[test]
    fn finds_a_field_of_the_second_list_element() {
        let at = Locator::new(SRC).locate(&[
            PathSegment::Key("nodes"),
            PathSegment::Index(1),
            PathSegment::Key("connections"),
        ]);
        assert_eq!(line_column(SRC, at), (6, 30));
    }

    #[test]
    fn a_remembered_step_finds_what_a_fresh_search_finds() {
        let mut shared = Locator::new(SRC);
        let paths: [&[PathSegment<'_>]; 5] = [
            &[PathSegment::Key("nodes"), PathSegment::Index(1), PathSegment::Key("connections")],
            &[PathSegment::Key("nodes"), PathSegment::Index(0), PathSegment::Key("workers")],
            &[PathSegment::Key("nodes"), PathSegment::Index(2), PathSegment::Key("id")],
            &[PathSegment::Key("name")],
            &[PathSegment::Key("nodes"), PathSegment::Index(1), PathSegment::Key("id")],
        ];
        for path in paths.iter().chain(paths.iter()) {
            assert_eq!(shared.locate(path), Locator::new(SRC).locate(path), "{path:?}");
        }
        // The third node does not exist: the list itself is the answer.
        assert_eq!(line_column(SRC, shared.locate(paths[2])), (3, 3));
    }

    #[test]
    fn many_offsets_get_the_positions_one_offset_gets() {
        let text = "ab\né€x\n\n  long line, ✓ here\n";
        let mut offsets: Vec<usize> = (0..=text.len() + 2).rev().collect();
        offsets.push(4);
        let expected: Vec<(usize, usize)> = offsets.iter().map(|&o| line_column(text, o)).collect();
        assert_eq!(line_columns(text, &offsets), expected);
    }

    #[test]
    fn block_comments_nest_and_the_unclosed_one_is_found_where_it_opens() {
        let closed = "( /* a /* b */ c */ x: \"/*\" // /*\n)";
        assert_eq!(unclosed_block_comment(closed), None);
        let open = "(\n  x: 1, /* a /* b */ c\n)";
        assert_eq!(unclosed_block_comment(open), open.find("/* a"));
        assert_eq!(block_comment_end(closed.as_bytes(), 2, closed.len()), closed.find("*/ x").map(|i| i + 1));
    }

    #[test]
    fn falls_back_to_the_deepest_part_found() {
        let at =
            Locator::new(SRC).locate(&[PathSegment::Key("nodes"), PathSegment::Index(0), PathSegment::Key("missing")]);
        assert_eq!(line_column(SRC, at), (4, 5));
    }
}
