//! Studies: several runs of one scenario, changed step by step, and what
//! they say together. Pure, like the engine: no egui, no printing, no
//! threads; the command line (`archsim ramp`) and the app only present.
//!
//! - [`ramp`]: a load ramp — every client's rate multiplied step by step,
//!   each step run to steady state, the load at which each node saturates
//!   and the first thing that breaks (the knee).

pub mod ramp;

pub use ramp::{
    DEFAULT_ERROR_LIMIT, DEFAULT_THRESHOLD, Knee, KneeCause, NodeLoad, RampError, RampResult, RampSpec, RampStep,
    STEP_SLICE_EVENTS, Saturation, check_steps, factor_label, run_ramp, run_step, run_step_while, scaled_scenario,
    summarise,
};
