//! The rows of a link's payloads: how big a request and an answer are, and
//! how fast the link is. Off by default: most lessons are about time, not
//! bytes, and a link without sizes costs nothing.

use eframe::egui::Ui;

use super::fields::{Choice, Edit, Row};
use crate::scenario::EdgeSpec;
use crate::scenario::PathSegment::Key;
use crate::scenario::SizeSpec;
use crate::scenario::limits::{MAX_BANDWIDTH_MBPS, MAX_PAYLOAD_KB, MIN_BANDWIDTH_MBPS};

const SIZE_HELP: &str = "How big each payload is, in KB (1,000 bytes): a JSON order is a few KB, the same in \
                         Protocol Buffers a third of it, a page of search results tens of KB. Counted in the \
                         report's bytes; with a bandwidth it takes time to send. Off = not counted.";

/// The request size, answer size and bandwidth rows of `spec`.
pub fn payload_rows(ui: &mut Ui, edit: &mut Edit, spec: &mut EdgeSpec) {
    let had_sizes = spec.request_kb.is_some() || spec.response_kb.is_some();
    size_rows(ui, edit, ("request size", "request_kb"), &mut spec.request_kb);
    size_rows(ui, edit, ("answer size", "response_kb"), &mut spec.response_kb);
    if spec.request_kb.is_some() || spec.response_kb.is_some() || spec.bandwidth_mbps.is_some() {
        Row::new("bandwidth", "bandwidth_mbps")
            .unit(" Mbit/s")
            .help(
                "How fast the link sends, each way. Payloads are sent one after another, so a link near its \
                 bandwidth queues them and every call waits longer; a smaller encoding or compression frees it. \
                 Off = unlimited. Applies at once.",
            )
            .optional_number(
                ui,
                edit,
                &mut spec.bandwidth_mbps,
                (100.0, "unlimited"),
                MIN_BANDWIDTH_MBPS..=MAX_BANDWIDTH_MBPS,
            );
    }
    if had_sizes && spec.request_kb.is_none() && spec.response_kb.is_none() && spec.bandwidth_mbps.is_some() {
        // The last size turned off: nothing to send, no bandwidth to limit it.
        spec.bandwidth_mbps = None;
        edit.changed = true;
    }
}

/// One payload size: off, or a family with its parameters.
fn size_rows(ui: &mut Ui, edit: &mut Edit, (name, field): (&str, &'static str), slot: &mut Option<SizeSpec>) {
    let current = match slot {
        None => 0,
        Some(SizeSpec::Constant { .. }) => 1,
        Some(SizeSpec::Exponential { .. }) => 2,
        Some(SizeSpec::LogNormal { .. }) => 3,
        Some(SizeSpec::Uniform { .. }) => 4,
    };
    let options = [
        Choice::new("off"),
        Choice::new("fixed"),
        Choice::new("exponential"),
        Choice::new("log-normal"),
        Choice::new("uniform"),
    ];
    let mut chosen = current;
    Row::new(name, field).help(SIZE_HELP).choice(ui, edit, &mut chosen, &options);
    if chosen != current {
        let mean = slot.as_ref().map_or(2.0, SizeSpec::mean_kb);
        *slot = match chosen {
            1 => Some(SizeSpec::Constant { kb: mean }),
            2 => Some(SizeSpec::Exponential { mean_kb: mean }),
            3 => Some(SizeSpec::LogNormal { mean_kb: mean, stddev_kb: mean }),
            4 => Some(SizeSpec::Uniform { min_kb: mean / 2.0, max_kb: mean * 1.5 }),
            _ => None,
        };
    }
    let Some(size) = slot else { return };
    let range = 0.0..=MAX_PAYLOAD_KB;
    edit.within(&[Key(field)], |edit| match size {
        SizeSpec::Constant { kb } => {
            Row::new("  size", "kb")
                .unit(" KB")
                .speed(0.1)
                .help("Every payload is this big.")
                .number(ui, edit, kb, range);
        }
        SizeSpec::Exponential { mean_kb } => {
            Row::new("  mean", "mean_kb")
                .unit(" KB")
                .speed(0.1)
                .help("Many small, a few large.")
                .number(ui, edit, mean_kb, range);
        }
        SizeSpec::LogNormal { mean_kb, stddev_kb } => {
            Row::new("  mean", "mean_kb").unit(" KB").speed(0.1).help("The average size.").number(
                ui,
                edit,
                mean_kb,
                range.clone(),
            );
            Row::new("  std dev", "stddev_kb")
                .unit(" KB")
                .speed(0.1)
                .help("How much sizes vary: a long tail of large payloads.")
                .number(ui, edit, stddev_kb, range);
        }
        SizeSpec::Uniform { min_kb, max_kb } => {
            Row::new("  min", "min_kb").unit(" KB").speed(0.1).help("The smallest payload.").number(
                ui,
                edit,
                min_kb,
                range.clone(),
            );
            Row::new("  max", "max_kb")
                .unit(" KB")
                .speed(0.1)
                .help("The largest payload.")
                .number(ui, edit, max_kb, range);
        }
    });
}
