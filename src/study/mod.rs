//! Studies: several runs of one scenario, changed step by step, and what
//! they say together. Pure, like the engine: no egui, no printing, and
//! no threads but the replications' and the sweeps' pools; the command line (`archsim ramp`) and the app only present.
//!
//! - [`ramp`]: a load ramp — every client's rate multiplied step by step,
//!   each step run to steady state, the load at which each node saturates
//!   and the first thing that breaks (the knee).
//! - [`replications`]: independent replications of one scenario, each with
//!   a seed of its own, and every key figure as a mean with a 95 %
//!   confidence interval. The one study that runs on several threads (a
//!   rayon pool; each replication is a single-threaded engine run).
//! - [`sweep`]: a parameter sweep — named fields of the scenario set over
//!   lists of values, every combination (or the lists zipped) run with
//!   replications on the same kind of pool, a row of figures per point.
//! - [`knee`]: the latency-vs-load knee's theory curve — whether a design
//!   is an M/M/c queue (one Poisson client, one station, nothing else on
//!   the way) and, if so, its mean, p50, p99 and utilisation against the
//!   offered load; if not, why not.
//! - [`shard`]: a sweep cut into shards run as separate processes (a
//!   cluster's job array), each writing its jobs' runs, and the merge that
//!   checks they make one whole sweep and summarises it as one process would.
//! - [`compare`]: two designs on common random numbers, B − A with paired
//!   intervals.
//! - [`stats`]: Student's t quantile, MSER-5 and the small statistics the
//!   studies share.

pub mod compare;
pub mod knee;
pub mod ramp;
pub mod replications;
pub mod shard;
pub mod stats;
pub mod sweep;

pub use ramp::{
    DEFAULT_ERROR_LIMIT, DEFAULT_THRESHOLD, Knee, KneeCause, NodeLoad, RampError, RampResult, RampSpec, RampStep,
    STEP_SLICE_EVENTS, Saturation, check_steps, factor_label, run_ramp, run_step, run_step_while, scaled_scenario,
    summarise,
};
