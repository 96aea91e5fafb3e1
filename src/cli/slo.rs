//! The run summary's SLO section: each objective, what was measured, the
//! error budget spent, and when each alert fired.

use std::fmt::Write as _;

use crate::sim::SloReport;

/// Firing spans listed per alert; the count says how many there were.
const SPANS_SHOWN: usize = 5;

/// The section's lines (empty without SLOs).
pub fn render_slos(slos: &[SloReport]) -> String {
    let mut out = String::new();
    for s in slos {
        let whose = s.node.as_deref().map_or_else(|| "end to end".to_string(), |n| format!("at {n}"));
        let _ = writeln!(out, "  {} ({whose}): {}", s.name, s.objective.describe());
        let verdict = if s.met { "met" } else { "missed" };
        let _ = writeln!(
            out,
            "    measured {:.2} % of {} events ({verdict}) · burn rate {:.2}× · error budget {:.0} % used \
             ({:.0} s of a {:.0} s period)",
            s.measured_percent, s.valid, s.burn_rate, s.budget_used_percent, s.measured_s, s.period_s
        );
        for a in &s.alerts {
            let _ = write!(out, "    alert {} ({}): ", a.name, a.rule.describe());
            if a.fired == 0 {
                out.push_str("never fired\n");
                continue;
            }
            let times = if a.fired == 1 { "once".to_string() } else { format!("{} times", a.fired) };
            let spans: Vec<String> = a
                .spans
                .iter()
                .take(SPANS_SHOWN)
                .map(|span| match span.to_s {
                    Some(to) => format!("{:.0}–{to:.0} s", span.from_s),
                    None => format!("from {:.0} s", span.from_s),
                })
                .collect();
            let more = if a.fired as usize > SPANS_SHOWN { ", …" } else { "" };
            let _ = writeln!(out, "fired {times}, {:.0} s in all: {}{more}", a.firing_s, spans.join(", "));
        }
    }
    out
}
