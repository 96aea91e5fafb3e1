//! `archsim grade`: evaluate many designs against their challenges, as an
//! instructor grades a class's files, and the CHALLENGE section that
//! `archsim run` prints for a challenge.

use std::fmt::Write as _;

use serde::Serialize;

use crate::challenge::{ChallengeError, Evaluation, evaluate};

use super::output::Stdout;
use super::source::{load_named_scenario, stdin_at_most_once};
use super::table::{Align, Table};
use super::{CliError, GradeArgs};

/// One graded file, for `--json`.
#[derive(Serialize)]
struct Graded<'a> {
    file: &'a str,
    evaluation: &'a Evaluation,
}

/// Grades every file; a file that cannot be graded (invalid, or with no
/// challenge) is reported after the others and makes the exit code 2.
pub fn grade_command(args: &GradeArgs) -> Result<(), CliError> {
    stdin_at_most_once(args.files.iter().map(String::as_str))?;
    let mut graded: Vec<(&str, Evaluation)> = Vec::new();
    let mut problems = Vec::new();
    for file in &args.files {
        let design = match load_named_scenario(file) {
            Ok(d) => d,
            Err(CliError::Diagnostics(lines)) => {
                problems.extend(lines);
                continue;
            }
            Err(CliError::BadInput(message)) => {
                problems.push(message);
                continue;
            }
            Err(other) => return Err(other),
        };
        match evaluate(&design, &mut |_| true) {
            Ok(e) => graded.push((file, e)),
            Err(ChallengeError::NotAChallenge) => {
                problems.push(format!("{file}: has no `challenge` section: nothing to grade"));
            }
            Err(e) => problems.push(format!("{file}: {e}")),
        }
    }
    let text = if args.json {
        let list: Vec<Graded> = graded.iter().map(|(file, evaluation)| Graded { file, evaluation }).collect();
        super::output::json_document(&list, "the grades")?
    } else {
        grades_table(&graded)
    };
    Stdout::new().write(&text)?;
    if problems.is_empty() { Ok(()) } else { Err(CliError::Diagnostics(problems)) }
}

/// One row per file: its challenge, the score, the goals met, and the first
/// goal missed with what was measured.
fn grades_table(graded: &[(&str, Evaluation)]) -> String {
    let mut table = Table::new(&[
        ("file", Align::Left),
        ("challenge", Align::Left),
        ("score", Align::Right),
        ("goals met", Align::Right),
        ("first goal missed", Align::Left),
    ]);
    for (file, e) in graded {
        let met = e.goals.iter().filter(|g| g.passed).count();
        let missed = e
            .goals
            .iter()
            .find(|g| !g.passed)
            .map_or_else(|| "—".to_string(), |g| format!("{}: {}", g.goal, g.measured_text));
        table.row(vec![
            (*file).to_string(),
            e.challenge.clone(),
            e.score.to_string(),
            format!("{met}/{}", e.goals.len()),
            missed,
        ]);
    }
    table.render()
}

/// The CHALLENGE section of `archsim run`'s summary: each goal with what
/// was measured, the score, where it broke first, and the hints.
pub fn render_challenge(e: &Evaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {} ({}): {}, score {}/100",
        e.challenge,
        e.level.label(),
        if e.passed { "PASSED" } else { "NOT PASSED" },
        e.score
    );
    if !e.load.is_empty() {
        let _ = writeln!(out, "  load: {}", e.load.join("; "));
    }
    if !e.script.is_empty() {
        let _ = writeln!(out, "  script: {}", e.script.join("; "));
    }
    for g in &e.goals {
        let _ = writeln!(out, "  {} {}: {}", if g.passed { "pass" } else { "FAIL" }, g.goal, g.measured_text);
    }
    if let Some(b) = &e.broke_first {
        let _ = writeln!(out, "  broke first: {} ({})", b.what, b.goal);
    }
    for note in &e.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    for (i, hint) in e.hints.iter().enumerate() {
        let _ = writeln!(out, "  hint {}: {hint}", i + 1);
    }
    out
}
