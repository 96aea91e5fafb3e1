//! Frame timing: how long between frames, and how much of it the engine and
//! the UI took. The toolbar readout shows the last second or so; with
//! `ARCHSIM_FRAME_LOG=path` a summary of the whole session is written on exit.

use std::collections::VecDeque;

/// Frames kept for the readout.
const RECENT: usize = 120;
/// Frames kept for the session summary.
const SESSION: usize = 200_000;

#[derive(Debug, Clone, Default)]
pub struct FrameStats {
    recent_interval_ms: VecDeque<f32>,
    recent_sim_ms: VecDeque<f32>,
    recent_ui_ms: VecDeque<f32>,
    session_interval_ms: Vec<f32>,
    session_sim_ms: Vec<f32>,
    session_ui_ms: Vec<f32>,
    session_events: u64,
    /// The engine runs on a thread of its own: "engine" is then the time
    /// the frame spent taking the simulation back and reading it.
    pub engine_thread: bool,
}

/// Percentiles of one measure.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub mean: f32,
    pub p50: f32,
    pub p95: f32,
    pub p99: f32,
    pub max: f32,
}

fn summary(values: impl Iterator<Item = f32>) -> Summary {
    let mut v: Vec<f32> = values.collect();
    if v.is_empty() {
        return Summary::default();
    }
    v.sort_by(f32::total_cmp);
    let at = |q: f32| v[(((v.len() - 1) as f32) * q).round() as usize];
    Summary { mean: v.iter().sum::<f32>() / v.len() as f32, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1.0) }
}

fn push(q: &mut VecDeque<f32>, v: f32) {
    if q.len() == RECENT {
        q.pop_front();
    }
    q.push_back(v);
}

impl FrameStats {
    /// Records one frame: time since the previous one, engine and UI work.
    pub fn record(&mut self, interval_ms: f32, sim_ms: f32, ui_ms: f32, events: u64) {
        push(&mut self.recent_interval_ms, interval_ms);
        push(&mut self.recent_sim_ms, sim_ms);
        push(&mut self.recent_ui_ms, ui_ms);
        if self.session_interval_ms.len() < SESSION {
            self.session_interval_ms.push(interval_ms);
            self.session_sim_ms.push(sim_ms);
            self.session_ui_ms.push(ui_ms);
        }
        self.session_events += events;
    }

    /// One line for the toolbar.
    pub fn readout(&self) -> String {
        let i = summary(self.recent_interval_ms.iter().copied());
        let s = summary(self.recent_sim_ms.iter().copied());
        let u = summary(self.recent_ui_ms.iter().copied());
        let fps = if i.mean > 0.0 { 1000.0 / i.mean } else { 0.0 };
        format!("{fps:.0} fps · {:.0} ms · engine {:.1} · ui {:.1} ms", i.mean, s.mean, u.mean)
    }

    /// The details behind the readout, for its tooltip.
    pub fn details(&self) -> String {
        let i = summary(self.recent_interval_ms.iter().copied());
        let engine = if self.engine_thread {
            "engine = taking the simulation back from its thread and reading it \
             (it runs on its own core while the frame is drawn)"
        } else {
            "engine = simulation work in the frame (budget 8 ms)"
        };
        format!(
            "Last {} frames: mean {:.1} ms, p95 {:.1} ms, max {:.1} ms between frames.\n\
             {engine}; ui = building the widgets.\n\
             The rest is drawing.",
            self.recent_interval_ms.len(),
            i.mean,
            i.p95,
            i.max
        )
    }

    /// The session summary, as text for a file.
    pub fn session_report(&self) -> String {
        let i = summary(self.session_interval_ms.iter().copied());
        let s = summary(self.session_sim_ms.iter().copied());
        let u = summary(self.session_ui_ms.iter().copied());
        let line = |name: &str, x: Summary| {
            format!(
                "{name:<16} mean {:6.2}  p50 {:6.2}  p95 {:6.2}  p99 {:6.2}  max {:7.2} ms\n",
                x.mean, x.p50, x.p95, x.p99, x.max
            )
        };
        let wall_s: f64 = self.session_interval_ms.iter().map(|&ms| f64::from(ms) / 1000.0).sum();
        let per_s = if wall_s > 0.0 { self.session_events as f64 / wall_s } else { 0.0 };
        let fps = if i.mean > 0.0 { 1000.0 / i.mean } else { 0.0 };
        format!(
            "frames {}\nengine events {}\n{}{}{}engine events per second {per_s:.0}\nframes per second {fps:.1}\nengine thread {}\n",
            self.session_interval_ms.len(),
            self.session_events,
            line("frame interval", i),
            line("engine work", s),
            line("ui build", u),
            if self.engine_thread { "yes" } else { "no" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_recorded_frames() {
        let mut f = FrameStats::default();
        for k in 0..100 {
            f.record(if k == 99 { 100.0 } else { 16.0 }, 2.0, 3.0, 10);
        }
        let report = f.session_report();
        assert!(report.contains("frames 100"), "{report}");
        assert!(report.contains("max  100.00"), "{report}");
        assert!(f.readout().contains("engine 2.0 · ui 3.0 ms"), "{}", f.readout());
        assert!(f.details().contains("max 100.0 ms"), "{}", f.details());
        // 100 frames, 1,000 events over 1.684 s of frames.
        assert!(report.contains("engine events per second 594\n"), "{report}");
        assert!(report.contains("engine thread no"), "{report}");
    }
}
