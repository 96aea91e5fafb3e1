//! Reading scenario files: RON parsing, then validation, each problem
//! turned into a [`Diagnostic`] with file, line and column.

use std::path::Path;

use ron::extensions::Extensions;

use super::locate::{
    Locator, enclosing_end, field_extent, group_has_field, group_start, last_string_before, line_column, line_columns,
    unclosed_block_comment,
};
use super::validate::edit_distance;
use super::{Diagnostic, LoadError, Scenario, validate};

/// The RON dialect scenario files use: `Some(...)` may be left out and a
/// component's parameters sit directly in its variant, `Service(workers: 4)`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Unknown fields the loader looks past before it stops: enough for any
/// real file, a bound for a mangled one.
const MAX_RECOVERIES: usize = 32;

/// Unknown fields read past when they are ignored: a newer version may
/// add a field to every node of a large design.
const MAX_IGNORED: usize = 256;

/// The text being parsed: the file with the edits made to read past its
/// problems, and the way back to positions in the file as written.
struct Working {
    text: String,
    /// (end of the new text, change in length) of each edit that changed
    /// the length, in `text`'s current offsets.
    shifts: Vec<(usize, isize)>,
    /// Where each skipped field's group closes, in `text`'s current
    /// offsets: a "missing field" error there is the skipped field's doing,
    /// already reported as unknown.
    skipped_groups: Vec<usize>,
}

impl Working {
    fn replace(&mut self, start: usize, end: usize, with: &str) {
        let delta = with.len() as isize - (end - start) as isize;
        self.text.replace_range(start..end, with);
        if delta != 0 {
            for at in self.shifts.iter_mut().map(|(at, _)| at).chain(self.skipped_groups.iter_mut()) {
                if *at >= end {
                    *at = at.saturating_add_signed(delta);
                }
            }
            self.shifts.push((start + with.len(), delta));
        }
    }

    /// Blanks a range with spaces (newlines kept): every later line and
    /// column stays where it was.
    fn blank(&mut self, start: usize, end: usize) {
        let spaces: String = self.text[start..end].chars().map(|c| if c == '\n' { c } else { ' ' }).collect();
        self.replace(start, end, &spaces);
    }

    /// The offset in the file as written of an offset in `text`.
    fn original(&self, offset: usize) -> usize {
        let shift: isize = self.shifts.iter().filter(|(end, _)| *end <= offset).map(|(_, delta)| delta).sum();
        offset.saturating_add_signed(-shift)
    }
}

/// Parses and validates scenario source. `file` names it in messages.
///
/// Returns the scenario, or every problem found, in reading order. A syntax
/// error stops the parse (nothing after it can be trusted), but an unknown
/// field does not: a near miss of a valid name (`workerz`) is read as that
/// name, anything else is skipped, and parsing goes on, so typos in several
/// fields and the semantic problems of the rest of the file come back
/// together.
pub fn parse_scenario(source: &str, file: &str) -> Result<Scenario, LoadError> {
    parse(source, file, UnknownFields::Refuse).map(|parsed| parsed.scenario)
}

/// What the loader does with a field this version does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownFields {
    /// A problem, like any other (files, the command line): a typo must not
    /// pass for a default.
    Refuse,
    /// Read past and listed in [`Parsed::ignored`]: a design pasted from a
    /// newer version opens, and the user is told what was left out.
    Ignore,
}

/// A scenario read with [`UnknownFields::Ignore`], and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub scenario: Scenario,
    /// One per field that was ignored, where it was written, in reading
    /// order; empty with [`UnknownFields::Refuse`].
    pub ignored: Vec<Diagnostic>,
}

/// Parses and validates scenario source like [`parse_scenario`], with a
/// choice of what an unknown field is. With [`UnknownFields::Ignore`] an
/// unknown field is blanked out whole (never renamed to a near name: a
/// newer version's `workers_max` is not a typo of `workers`) and the
/// design is returned when nothing else is wrong; unknown *names of kinds*
/// (a node kind this version lacks) still refuse it, since nothing sensible
/// can stand in for them.
pub fn parse_scenario_with(source: &str, file: &str, unknown: UnknownFields) -> Result<Parsed, LoadError> {
    parse(source, file, unknown)
}

fn parse(source: &str, file: &str, unknown: UnknownFields) -> Result<Parsed, LoadError> {
    // Editors on Windows may start a file with a byte-order mark. It is
    // not text: skipped, it does not count as a column either, as in the
    // editor that shows the file.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut work = Working { text: source.to_string(), shifts: Vec::new(), skipped_groups: Vec::new() };
    // (offset in `source`, message): turned into lines and columns at the
    // end, all in one pass over the file.
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut ignored: Vec<(usize, String)> = Vec::new();
    let diagnose = |found: &mut Vec<(usize, String)>, work: &Working, offset: usize, message: String| {
        found.push((work.original(offset), message));
    };
    let mut recoveries = 0;
    let scenario = loop {
        let error = match ron_options().from_str::<Scenario>(&work.text) {
            Ok(scenario) => break Some(scenario),
            Err(error) => error,
        };
        let text = &work.text;
        let mut offset = offset_of(text, error.span.start.line, error.span.start.col);
        // ron reports a value of the wrong type right after the colon;
        // point at the value itself.
        let gap = text[offset..].len() - text[offset..].trim_start().len();
        if gap > 0 && offset + gap < text.len() {
            offset += gap;
        }
        let mut consequence = false;
        if let ron::Error::IntegerOutOfBounds = error.code {
            // ron points into `-2` at the `2`: point at the whole number.
            offset = token_start(text, offset);
        }
        if let ron::Error::UnclosedBlockComment = error.code {
            // ron notices only at the end of the file, or wherever its
            // reading stopped; the learner needs the `/*` that opened it.
            offset = unclosed_block_comment(text).unwrap_or(offset);
        }
        if let ron::Error::MissingStructField { .. } = error.code {
            // ron's span ends at the group's closing bracket; point at its
            // name instead (`Service(`), where the learner adds the field.
            let close = offset_of(text, error.span.end.line, error.span.end.col);
            // Refusing, the skipped field was reported as unknown already;
            // ignoring, it was not, and the missing one is the problem.
            consequence = unknown == UnknownFields::Refuse && work.skipped_groups.contains(&close);
            offset = group_start(text, close).unwrap_or(close);
        }
        let ignore = unknown == UnknownFields::Ignore && matches!(error.code, ron::Error::NoSuchStructField { .. });
        if ignore {
            ignored.push((work.original(offset), ignored_message(&error.code)));
        } else if !consequence {
            let message = syntax_message(text, &error.code, offset);
            diagnose(&mut found, &work, offset, message);
        }
        recoveries += 1;
        let limit = match unknown {
            UnknownFields::Refuse => MAX_RECOVERIES,
            UnknownFields::Ignore => MAX_IGNORED,
        };
        if recoveries > limit || !recover(&mut work, &error.code, offset, !ignore) {
            if recoveries > limit && found.is_empty() {
                let message =
                    format!("more than {limit} fields this version does not know: is this an archsim design?");
                diagnose(&mut found, &work, offset, message);
            }
            break None;
        }
    };
    if let Some(scenario) = &scenario {
        let mut locator = Locator::new(&work.text);
        for p in validate(scenario) {
            diagnose(&mut found, &work, locator.locate(&p.path), p.message);
        }
    }
    if !found.is_empty() {
        // Refused after all: the fields left out are part of the story (a
        // required field may have been renamed by a newer version).
        found.append(&mut ignored);
    }
    let diagnostics = located(source, file, found);
    match scenario {
        Some(scenario) if diagnostics.is_empty() => Ok(Parsed { scenario, ignored: located(source, file, ignored) }),
        _ => Err(LoadError::Invalid(diagnostics)),
    }
}

/// Messages at offsets of `source` as diagnostics with lines and columns,
/// in reading order, whichever pass found them (stable: problems at one
/// place keep the order they were found in).
fn located(source: &str, file: &str, found: Vec<(usize, String)>) -> Vec<Diagnostic> {
    let offsets: Vec<usize> = found.iter().map(|(offset, _)| *offset).collect();
    let mut diagnostics: Vec<Diagnostic> = line_columns(source, &offsets)
        .into_iter()
        .zip(found)
        .map(|((line, column), (_, message))| Diagnostic { file: file.to_string(), line, column, message })
        .collect();
    diagnostics.sort_by_key(|d| (d.line, d.column));
    diagnostics
}

/// "`workers_max` in a node is not known to this version: ignored".
fn ignored_message(error: &ron::Error) -> String {
    match error {
        ron::Error::NoSuchStructField { found, outer, .. } => {
            let place = outer.as_deref().map(|o| format!(" in {}", friendly(o))).unwrap_or_default();
            format!("`{found}`{place} is not known to this version of archsim: ignored")
        }
        other => other.to_string(),
    }
}

/// Edits the text to read on past `error`, for errors that leave the rest
/// of the file readable: an unknown field is renamed to the valid name it
/// nearly is (unless the group has that field already) or blanked out; a
/// repeated field is blanked out. Returns whether it could. Without
/// `rename` an unknown field is always blanked out.
fn recover(work: &mut Working, error: &ron::Error, offset: usize, rename: bool) -> bool {
    let (name, expected): (&str, &[&str]) = match error {
        ron::Error::NoSuchStructField { found, expected, .. } => (found, expected),
        ron::Error::DuplicateStructField { field, .. } => (field, &[]),
        _ => return false,
    };
    let text = &work.text;
    let Some(rest) = text.get(offset..) else { return false };
    let raw = if rest.starts_with("r#") { 2 } else { 0 };
    if !rest[raw..].starts_with(name) {
        return false;
    }
    if let Some(valid) = closest(name, expected).filter(|valid| rename && !group_has_field(text, offset, valid)) {
        work.replace(offset, offset + raw + name.len(), valid);
        return true;
    }
    let Some((start, end)) = field_extent(text, offset) else { return false };
    work.blank(start, end);
    if let Some(close) = enclosing_end(&work.text, start) {
        work.skipped_groups.push(close);
    }
    true
}

/// Byte offset of a 1-based line and column (in characters), as ron reports them.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    line_text[..line_end].char_indices().nth(column.saturating_sub(1)).map_or(start + line_end, |(i, _)| start + i)
}

/// What a type is called in a learner's words, for parse messages.
fn friendly(type_name: &str) -> &str {
    match type_name {
        "Scenario" => "the scenario",
        "NodeSpec" => "a node",
        "EdgeSpec" => "an edge",
        "NodeKind" => "the node kind",
        "Arrivals" => "the arrival process",
        "DistributionSpec" => "the distribution",
        "ProfileShape" => "the traffic profile",
        "FaultSpec" => "the fault",
        "LbPolicy" => "the load-balancing policy",
        "CacheMode" => "the cache mode",
        "RetryPolicy" => "the retry policy",
        "KeySpec" => "the keys",
        other => other,
    }
}

/// "`a`, `b` or `c`".
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => "nothing".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The name in `names` closest to `found`, if it is a plausible typo.
fn closest<'a>(found: &str, names: &[&'a str]) -> Option<&'a str> {
    let best = names.iter().map(|n| (edit_distance(&n.to_lowercase(), &found.to_lowercase()), *n)).min()?;
    is_typo(found, best.1, best.0).then_some(best.1)
}

/// " (did you mean `x`?)" when `found` is a plausible typo of a name in `names`.
fn did_you_mean(found: &str, names: &[&str]) -> String {
    closest(found, names).map(|name| format!(" (did you mean `{name}`?)")).unwrap_or_default()
}

/// Whether `found` looks like a mistyped `name` that is `distance` edits
/// away: a few letters wrong, or a shortened or lengthened name
/// (`timeout` for `timeout_ms`).
pub(super) fn is_typo(found: &str, name: &str, distance: usize) -> bool {
    let (found, name) = (found.to_lowercase(), name.to_lowercase());
    let shorter = found.chars().count().min(name.chars().count());
    distance <= 1.max(found.chars().count() / 3)
        || (shorter >= 3 && (name.starts_with(&found) || found.starts_with(&name)))
}

/// The field whose value is being read at `offset`: the last `name:` on the
/// line before it. A hint for messages, not a parse.
fn field_before(text: &str, offset: usize) -> Option<&str> {
    let before = &text[text[..offset].rfind('\n').map_or(0, |i| i + 1)..offset];
    let colon = before.rfind(':')?;
    let name = before[..colon].trim_end();
    let start = name.len() - name.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').count();
    let name = &name[start..];
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Characters that end a value's token.
fn token_boundary(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ':' | '(' | ')' | '[' | ']' | '{' | '}')
}

/// Where the token around `offset` starts.
fn token_start(text: &str, offset: usize) -> usize {
    text[..offset].char_indices().rev().find(|(_, c)| token_boundary(*c)).map_or(0, |(i, c)| i + c.len_utf8())
}

/// The token at `offset`, widened to the left to the start of the value
/// (ron points into `-2` at the `2`).
fn token_at(text: &str, offset: usize) -> &str {
    let stop = token_boundary;
    let start = token_start(text, offset);
    let rest = &text[start..];
    let len = rest.find(stop).unwrap_or(rest.len());
    let token = &rest[..len];
    match token.char_indices().nth(40) {
        Some((cut, _)) => &token[..cut],
        None => token,
    }
}

/// A parse error in words a learner can act on, with a hint when a string
/// just before it runs over several lines: the usual sign of a missing `"`,
/// which makes the parser fail far from the real mistake.
fn syntax_message(text: &str, error: &ron::Error, offset: usize) -> String {
    let message = parse_error_message(text, error, offset);
    let runaway = last_string_before(text, offset)
        .filter(|&(start, end)| text[start..end].contains('\n') && !text[end..offset].contains([',', '(', ')']));
    match runaway {
        Some((start, _)) => {
            let (line, _) = line_column(text, start);
            format!(
                "{message} (the text in quotes that starts on line {line} runs over several lines: is its closing `\"` missing?)"
            )
        }
        None => message,
    }
}

/// A parse error in words a learner can act on.
fn parse_error_message(text: &str, error: &ron::Error, offset: usize) -> String {
    use ron::Error as E;
    let field = field_before(text, offset).map_or_else(|| "this field".to_string(), |f| format!("`{f}`"));
    let token = token_at(text, offset);
    let got = if token.is_empty() { String::new() } else { format!(", got `{token}`") };
    match error {
        E::NoSuchStructField { expected, found, outer } => {
            let place = outer.as_deref().map(|o| format!(" in {}", friendly(o))).unwrap_or_default();
            format!(
                "unknown field `{found}`{place}{}; expected {}",
                did_you_mean(found, expected),
                if expected.len() == 1 { one_of(expected) } else { format!("one of {}", one_of(expected)) }
            )
        }
        E::NoSuchEnumVariant { expected, found, outer } => {
            let place = outer.as_deref().map(|o| format!(" for {}", friendly(o))).unwrap_or_default();
            format!(
                "unknown name `{found}`{place}{}; expected one of {}",
                did_you_mean(found, expected),
                one_of(expected)
            )
        }
        E::MissingStructField { field, outer } => {
            let place = outer.as_deref().map_or("this part", friendly);
            format!("{place} needs the field `{field}`, which is missing")
        }
        E::DuplicateStructField { field, outer } => {
            let place = outer.as_deref().map(|o| format!(" in {}", friendly(o))).unwrap_or_default();
            format!("the field `{field}` is written twice{place}: keep one")
        }
        E::IntegerOutOfBounds if token.starts_with('-') => {
            format!("{field} cannot be negative: it takes a whole number, 0 or more{got}")
        }
        E::IntegerOutOfBounds => format!("the number `{token}` is too large for {field}"),
        E::ExpectedInteger => format!("{field} takes a whole number such as 8{got}"),
        E::ExpectedFloat => format!("{field} takes a number such as 2.5{got}"),
        E::ExpectedBoolean => format!("{field} takes `true` or `false`{got}"),
        E::ExpectedString => format!("{field} takes text in double quotes, such as \"api\"{got}"),
        E::ExpectedComma => {
            let whole_number =
                text[offset..].starts_with('.') && text[..offset].ends_with(|c: char| c.is_ascii_digit());
            if whole_number {
                format!("{field} takes a whole number, without a decimal part")
            } else {
                format!("expected a `,` before the next field or item, or a closing bracket{got}")
            }
        }
        E::ExpectedStructLike => format!("expected `(` to open a group of fields{got}"),
        E::ExpectedNamedStructLike(name) => format!("expected `(` to open {}{got}", friendly(name)),
        E::ExpectedArray => format!("{field} takes a list in square brackets, such as `[ ... ]`{got}"),
        E::ExpectedArrayEnd => format!("expected `]` to close the list, or a `,` before the next item{got}"),
        E::ExpectedStructLikeEnd | E::ExpectedOptionEnd => {
            format!("expected `)` to close the parenthesis, or a `,` before the next field{got}")
        }
        E::ExpectedMapColon => format!("expected `:` after the field name{got}"),
        E::ExpectedIdentifier if text[offset..].starts_with('(') && text[..offset].trim_end().ends_with('(') => {
            "one pair of parentheses is enough: write the fields straight inside, as in `Service(workers: 4, ...)`"
                .into()
        }
        E::ExpectedIdentifier => format!("expected a field name or a name such as `Service`{got}"),
        E::ExpectedStringEnd => "this text in quotes is never closed: add the closing `\"`".into(),
        E::Eof => "the file ends too early: a `(`, `[` or `\"` is not closed".into(),
        E::TrailingCharacters => {
            "unexpected text after the end of the scenario: the outer `( ... )` is already closed".into()
        }
        E::UnexpectedChar(c) => format!("unexpected character `{c}`"),
        E::UnclosedBlockComment => "this `/*` comment is never closed: add `*/` where it should end".into(),
        E::ExceededRecursionLimit => "brackets are nested too deeply".into(),
        E::InvalidValueForType { expected, found } => format!("expected {expected}, found {found}"),
        other => {
            // ron's own wording, with a lower-case start like the rest.
            let text = other.to_string();
            let mut chars = text.chars();
            chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or(text)
        }
    }
}

/// Reads, parses and validates a scenario file.
pub fn load_scenario(path: &Path) -> Result<Scenario, LoadError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: display.clone(), source })?;
    parse_scenario_bytes(&bytes, &display, UnknownFields::Refuse).map(|p| p.scenario)
}

/// Parses a scenario given as bytes (standard input, a pasted design),
/// exactly as [`load_scenario`] parses a file's; `file` names it in the
/// diagnostics (`<stdin>`).
pub fn parse_scenario_input(bytes: &[u8], file: &str) -> Result<Scenario, LoadError> {
    parse_scenario_bytes(bytes, file, UnknownFields::Refuse).map(|p| p.scenario)
}

/// [`parse_scenario_input`] with a choice of what an unknown field is (as
/// [`parse_scenario_with`]): `archsim run -` reads a piped design as the
/// app's Paste design reads the clipboard, after the same checks of its
/// encoding as a file's.
pub fn parse_scenario_input_with(bytes: &[u8], file: &str, unknown: UnknownFields) -> Result<Parsed, LoadError> {
    parse_scenario_bytes(bytes, file, unknown)
}

/// Parses a file as read from disk: UTF-8 text, with or without a
/// byte-order mark.
///
/// Text in another encoding is refused with one message that names it,
/// since nothing in it can be read. A UTF-8 file with a few bad bytes (a
/// name typed in Latin-1, say) is read on with the bad bytes replaced, so
/// the first of them is reported where it is, together with every other
/// problem of the file.
fn parse_scenario_bytes(bytes: &[u8], file: &str, unknown: UnknownFields) -> Result<Parsed, LoadError> {
    let diagnostic = |line, column, message| Diagnostic { file: file.to_string(), line, column, message };
    if let Some(encoding) = other_unicode_encoding(bytes) {
        let message = format!(
            "this file is saved as {encoding}; scenario files must be UTF-8: save it again as UTF-8 \
             (in most editors: Save as, then Encoding: UTF-8)"
        );
        return Err(LoadError::Invalid(vec![diagnostic(1, 1, message)]));
    }
    // A UTF-8 byte-order mark is skipped (as `parse_scenario` does), here
    // so that the positions of bad bytes do not count it either.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, bad) = match std::str::from_utf8(bytes) {
        Ok(source) => return parse(source, file, unknown),
        Err(_) => replace_invalid_utf8(bytes),
    };
    let offsets: Vec<usize> = bad.iter().map(|&(at, _)| at).collect();
    let places = line_columns(&text, &offsets);
    let (Some(&(_, first_byte)), Some(&(line, column))) = (bad.first(), places.first()) else {
        return parse(&text, file, unknown);
    };
    let more = match bad.len() {
        1 => String::new(),
        2 => " (and one more place like it further on)".to_string(),
        n => format!(" (and {} more places like it further on)", n - 1),
    };
    let mut list = vec![diagnostic(
        line,
        column,
        format!(
            "the file is not valid UTF-8 text: the byte 0x{first_byte:02X} here is not part of any character{more}; \
             save the file as UTF-8"
        ),
    )];
    // The rest of the file's problems, except the parser tripping over
    // the replaced bytes themselves: those are the problem above.
    if let Err(LoadError::Invalid(others)) = parse(&text, file, unknown) {
        let replaced: std::collections::HashSet<(usize, usize)> = places.iter().copied().collect();
        list.extend(others.into_iter().filter(|d| !replaced.contains(&(d.line, d.column))));
    }
    list.sort_by_key(|d| (d.line, d.column));
    Err(LoadError::Invalid(list))
}

/// The encoding a file's start shows it is in, when that is a Unicode
/// encoding other than UTF-8: a UTF-16 or UTF-32 byte-order mark, or (for
/// UTF-16 without one) a zero byte next to the first character, which an
/// ASCII character such as `(` or `/` becomes in UTF-16.
fn other_unicode_encoding(bytes: &[u8]) -> Option<&'static str> {
    // UTF-32 LE starts like UTF-16 LE: test it first.
    match bytes {
        [0xFF, 0xFE, 0x00, 0x00, ..] => Some("UTF-32 (little-endian)"),
        [0x00, 0x00, 0xFE, 0xFF, ..] => Some("UTF-32 (big-endian)"),
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian)"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian)"),
        [a, 0x00, ..] if *a != 0 => Some("UTF-16 (little-endian)"),
        [0x00, b, ..] if *b != 0 => Some("UTF-16 (big-endian)"),
        _ => None,
    }
}

/// The bytes as text with each invalid sequence replaced by U+FFFD (as
/// [`String::from_utf8_lossy`] does), and where each replacement sits in
/// that text with the first byte it replaced.
fn replace_invalid_utf8(mut bytes: &[u8]) -> (String, Vec<(usize, u8)>) {
    let mut text = String::with_capacity(bytes.len());
    let mut bad = Vec::new();
    while !bytes.is_empty() {
        match std::str::from_utf8(bytes) {
            Ok(rest) => {
                text.push_str(rest);
                break;
            }
            Err(error) => {
                let (valid, after) = bytes.split_at(error.valid_up_to());
                // `valid_up_to` bytes are UTF-8 by definition.
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                bad.push((text.len(), after.first().copied().unwrap_or_default()));
                text.push(char::REPLACEMENT_CHARACTER);
                // No length: the file ends in the middle of a character.
                bytes = &after[error.error_len().unwrap_or(after.len())..];
            }
        }
    }
    (text, bad)
}

/// Writes a scenario as RON in the same dialect the loader reads.
pub fn to_ron_string(scenario: &Scenario) -> String {
    let pretty = ron::ser::PrettyConfig::new()
        .depth_limit(6)
        .struct_names(false)
        .extensions(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    // Serialising plain data with derived impls cannot fail; fall back to an
    // unindented form rather than panic if it somehow does.
    ron_options().to_string_pretty(scenario, pretty).or_else(|_| ron_options().to_string(scenario)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"(
    name: "t",
    nodes: [
        (id: "c", kind: Client(arrivals: Poisson(rate: 10))),
        (id: "s", kind: Service(workers: 2, service_time: Exponential(mean_ms: 5))),
    ],
    edges: [(from: "c", to: "s")],
)"#;

    #[test]
    fn a_valid_file_loads_and_round_trips() {
        let s = parse_scenario(GOOD, "t.ron").expect("valid");
        let text = to_ron_string(&s);
        assert_eq!(parse_scenario(&text, "again.ron").expect("round trip"), s);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = GOOD
            .replace("workers: 2", "workers: 0")
            .replace("rate: 10", "rate: -3")
            .replace("to: \"s\"", "to: \"nowhere\"");
        let LoadError::Invalid(list) = parse_scenario(&bad, "bad.ron").expect_err("must be refused") else {
            panic!("expected diagnostics")
        };
        let text: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|t| t.contains("bad.ron:5:") && t.contains("workers")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("bad.ron:4:") && t.contains("rate")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("bad.ron:7:") && t.contains("nowhere")), "{text:?}");
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let bad = GOOD.replace("workers: 2,", "workers: 2,,");
        let LoadError::Invalid(list) = parse_scenario(&bad, "bad.ron").expect_err("must be refused") else {
            panic!("expected diagnostics")
        };
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].line, 5);
    }

    #[test]
    fn hints_are_taken_on_character_boundaries() {
        // A multi-byte character right before the token or the field name.
        let text = "x:\u{a0}-2";
        assert_eq!(token_at(text, text.len() - 1), "-2");
        let text = "éworkers: -1";
        assert_eq!(field_before(text, text.len() - 2), Some("workers"));
    }

    #[test]
    fn each_invalid_sequence_becomes_one_replacement_character_at_a_known_place() {
        // A lone byte, then a character cut short by the end of the file.
        let (text, bad) = replace_invalid_utf8(b"a\xffb\xe2\x82");
        assert_eq!(text, "a\u{fffd}b\u{fffd}");
        assert_eq!(bad, [(1, 0xFF), (5, 0xE2)]);
        assert_eq!(other_unicode_encoding(b"\xff\xfe\x00\x00("), Some("UTF-32 (little-endian)"));
        assert_eq!(other_unicode_encoding(b"(\x00n\x00"), Some("UTF-16 (little-endian)"));
        assert_eq!(other_unicode_encoding(b"\xef\xbb\xbf("), None);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let bad = GOOD.replace("workers: 2", "workerz: 2");
        let err = parse_scenario(&bad, "bad.ron").expect_err("must be refused").to_string();
        assert!(err.contains("workerz"), "{err}");
    }
}
