//! The integration tests, in one binary: each test binary links the whole
//! app (eframe, wgpu), so one binary instead of eight saves most of the
//! link time of `cargo test`. Run one group with
//! `cargo test --test integration fidelity::`.

mod challenges;
mod cli;
mod common;
mod compare;
mod designs;
mod diagnosis;
mod engine_behaviour;
mod exports;
mod fidelity;
mod golden;
mod gui;
mod gui_challenge;
mod gui_compare;
mod gui_cues;
mod gui_degraded;
mod gui_engine;
mod gui_exports;
mod gui_files;
mod gui_inspector;
mod gui_layout;
mod gui_policies;
mod gui_present;
mod gui_ramp;
mod gui_rewind;
mod gui_slo;
mod gui_sweep;
mod gui_tour;
mod gui_traces;
mod gui_verdict;
mod memory;
mod prometheus;
mod ramp;
mod replica_autoscaling;
mod replications;
mod rewind;
mod scenario_errors;
mod scenario_fuzz;
mod scenarios;
mod slo;
mod sweep;
mod sweep_shards;
mod traces;
mod zones;
