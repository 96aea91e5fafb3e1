//! `archsim list`: the bundled scenarios, so a learner can start without
//! writing a file.

use crate::scenario::BUNDLED;

use super::CliError;
use super::output::Stdout;
use super::table::{Align, Table};

/// Prints each bundled scenario: the name to pass to `archsim run`, its
/// topic (the app's library groups them by it), its title and the first
/// sentence of its description.
pub fn list_command() -> Result<(), CliError> {
    let mut table = Table::new(&[("NAME", Align::Left), ("TOPIC", Align::Left), ("TITLE", Align::Left)]);
    let mut summaries = Vec::new();
    for entry in BUNDLED {
        let name = entry.file_name.trim_end_matches(".ron");
        // The test suite proves every bundled file loads; should one not,
        // list it anyway and say so rather than hide it.
        let (title, summary) = match entry.load() {
            Ok(s) => (s.name.clone(), first_sentence(&s.description).to_string()),
            Err(e) => ("(does not load)".to_string(), e.diagnostics().join("; ")),
        };
        table.row(vec![name.to_string(), entry.topic.label().to_string(), title]);
        summaries.push(summary);
    }
    let rendered = table.render();
    let mut lines = rendered.lines();
    let mut text = String::new();
    if let Some(header) = lines.next() {
        text.push_str(&format!("{header}\n"));
    }
    for (line, summary) in lines.zip(&summaries) {
        text.push_str(&format!("{line}\n"));
        if !summary.is_empty() {
            text.push_str(&format!("    {summary}\n"));
        }
    }
    text.push_str("\nRun one with `archsim run NAME`.\n");
    Stdout::new().write(&text)
}

/// The text up to and including the first full stop that ends a sentence
/// (followed by a space or the end), or all of it.
pub fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            let rest = &text[i + c.len_utf8()..];
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return &text[..i + c.len_utf8()];
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_stops_at_a_sentence_end_not_a_decimal_point() {
        assert_eq!(first_sentence("It takes 2.5 ms. Then more."), "It takes 2.5 ms.");
        assert_eq!(first_sentence("  No stop at all "), "No stop at all");
        assert_eq!(first_sentence(""), "");
    }
}
