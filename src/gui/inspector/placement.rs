//! Where a node runs: its availability zone (and so its region), or only a
//! region for a client (where its users are) or a regional service. The
//! choice is a document edit; the zones themselves are declared in the
//! scenario's `regions`, and "+ region" adds one with three zones.

use eframe::egui::{self, RichText, Ui};

use super::super::command::Command;
use super::InspectorInput;
use crate::scenario::limits::MAX_REGIONS;
use crate::scenario::{NodeKind, NodeSpec};

/// Region names a learner recognises, used in turn by "+ region".
const REGION_NAMES: [&str; 5] = ["us-east-1", "eu-west-1", "ap-southeast-1", "us-west-2", "sa-east-1"];

/// A choice of the placement menu: `(zone, region)` as the node stores them.
type Choice = (Option<String>, Option<String>);

/// The placement row of node `index`, and the button to add a region.
pub fn placement_ui(
    ui: &mut Ui,
    input: &InspectorInput<'_>,
    index: usize,
    node: &NodeSpec,
    commands: &mut Vec<Command>,
) {
    ui.add_space(6.0);
    let header = ui.label(RichText::new("Placement").strong()).on_hover_text(
        "Where it runs. A zone outage takes down every node placed in that zone; an edge between zones or \
         regions adds their network latency (unless it sets its own) and transfer costs.",
    );
    let s = input.scenario;
    let is_client = matches!(node.kind, NodeKind::Client(_));
    ui.horizontal_wrapped(|ui| {
        if s.regions.is_empty() {
            ui.weak("no regions yet");
        } else {
            let current: Choice = (node.zone.clone(), node.region.clone());
            let mut choices: Vec<(String, Choice)> = vec![("nowhere in particular".into(), (None, None))];
            for r in &s.regions {
                let regional = if is_client { "users in" } else { "regional," };
                choices.push((format!("{regional} {}", r.name), (None, Some(r.name.clone()))));
                if !is_client {
                    choices.extend(r.zones.iter().map(|z| (format!("zone {z}"), (Some(z.clone()), None))));
                }
            }
            let selected = choices.iter().find(|(_, c)| *c == current).map_or_else(
                || current.0.clone().or(current.1.clone()).unwrap_or_default(),
                |(label, _)| label.clone(),
            );
            let mut chosen = current.clone();
            egui::ComboBox::from_id_salt(("placement", index))
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    for (label, choice) in &choices {
                        ui.selectable_value(&mut chosen, choice.clone(), label);
                    }
                })
                .response
                .labelled_by(header.id);
            if chosen != current {
                commands.push(Command::SetPlacement { index, zone: chosen.0, region: chosen.1 });
            }
        }
        let next = next_region_name(s.regions.iter().map(|r| r.name.as_str()));
        if ui
            .small_button("+ region")
            .on_hover_text(format!("Declare region {next} with three availability zones ({next}a, {next}b, {next}c)"))
            .clicked()
        {
            commands.push(Command::AddRegion(next));
        }
    });
}

/// The first well-known region name not taken, else `region-N`.
pub fn next_region_name<'a>(taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let is_free = |name: &str| !taken.clone().any(|t| t == name);
    REGION_NAMES
        .iter()
        .find(|n| is_free(n))
        .map(ToString::to_string)
        // At most `MAX_REGIONS` are taken, so one of the first beyond is free.
        .or_else(|| (1..=MAX_REGIONS + 1).map(|k| format!("region-{k}")).find(|n| is_free(n)))
        .unwrap_or_default()
}
