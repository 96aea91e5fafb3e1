//! The run's key time-series as one PNG for a report: throughput (ok and
//! failed requests/s), latency percentiles (p50, p95, p99 in ms) and
//! failures by reason, over simulated time, one panel under the other with
//! a shared time axis, and the run's faults as vertical markers.
//!
//! The figures are the ones the app's live plots draw (`gui::plots`): one
//! point per closed window of `Simulation::series()`, at the window's end,
//! end to end as the clients saw them. Unlike the app's plots, which show
//! a sliding window, the picture spans every window the engine kept.

use crate::sim::{FailureReason, SimEventKind, Simulation};

use super::ExportError;
use super::raster::{Align, Raster, Rgb, nice_ticks, tick_label};

/// Points of one line: (simulated seconds, value).
pub type Points = Vec<(f64, f64)>;

/// How large the picture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotOptions {
    pub width: u32,
    pub height: u32,
}

impl Default for PlotOptions {
    /// 1200 × 900: sharp on a slide, readable pasted at half size.
    fn default() -> Self {
        PlotOptions { width: 1200, height: 900 }
    }
}

/// One line of a panel, with its legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub color: Rgb,
    pub points: Points,
}

/// A moment worth a vertical line: a crash, a restore, a spike, a fault.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotMarker {
    pub at_s: f64,
    pub label: String,
    pub color: Rgb,
}

/// Everything the picture draws, read from a simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSeries {
    /// The scenario's name.
    pub title: String,
    /// Seed, simulated time and window width.
    pub subtitle: String,
    pub throughput: Vec<Line>,
    pub latency: Vec<Line>,
    /// Failures per second by reason, only reasons that occurred.
    pub failures: Vec<Line>,
    pub markers: Vec<PlotMarker>,
    /// The time span drawn, simulated seconds.
    pub span: (f64, f64),
}

pub const OK: Rgb = Rgb(40, 120, 210);
pub const FAILED: Rgb = Rgb(215, 45, 35);
const P50: Rgb = Rgb(40, 150, 90);
const P95: Rgb = Rgb(215, 140, 20);
const P99: Rgb = Rgb(205, 50, 40);
const INK: Rgb = Rgb(25, 28, 35);
const SUBTLE: Rgb = Rgb(80, 85, 95);
const GRID: Rgb = Rgb(228, 230, 235);
const AXIS: Rgb = Rgb(150, 155, 165);
const BACKGROUND: Rgb = Rgb(255, 255, 255);
/// Colours for failure reasons, in the order the reasons are listed.
const REASONS: [Rgb; 6] =
    [Rgb(205, 50, 40), Rgb(215, 140, 20), Rgb(150, 80, 190), Rgb(40, 120, 210), Rgb(110, 110, 120), Rgb(20, 150, 140)];
/// Markers drawn with a label at most; more are drawn as lines only.
const MAX_MARKER_LABELS: usize = 16;

impl RunSeries {
    /// The series of every window the simulation kept.
    pub fn from_sim(sim: &Simulation) -> RunSeries {
        let scenario = sim.scenario();
        let frames = sim.series().frames();
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        let (mut p50, mut p95, mut p99) = (Vec::new(), Vec::new(), Vec::new());
        let mut by_reason: Vec<Points> = vec![Vec::new(); FailureReason::COUNT];
        for f in frames {
            let x = f.end_s;
            let e = &f.end_to_end;
            let secs = e.duration_s.max(1e-9);
            ok.push((x, e.throughput_rps));
            failed.push((x, e.failed as f64 / secs));
            if e.latency.count > 0 {
                p50.push((x, e.latency.p50_ms));
                p95.push((x, e.latency.p95_ms));
                p99.push((x, e.latency.p99_ms));
            }
            for r in FailureReason::ALL {
                by_reason[r.index()].push((x, e.failures.get(r) as f64 / secs));
            }
        }
        let failures = FailureReason::ALL
            .iter()
            .zip(by_reason)
            .filter(|(_, points)| points.iter().any(|p| p.1 > 0.0))
            .enumerate()
            .map(|(k, (r, points))| Line { label: r.label().to_string(), color: REASONS[k % REASONS.len()], points })
            .collect();
        let span = match (frames.front(), frames.back()) {
            (Some(first), Some(last)) => (first.start_s, last.end_s.max(first.start_s + 1.0)),
            _ => (0.0, sim.now().as_secs().max(1.0)),
        };
        let name = |node: Option<usize>| node.and_then(|i| scenario.nodes.get(i)).map(|n| n.id.as_str());
        let markers = sim
            .event_log()
            .iter()
            .filter(|e| (span.0..=span.1).contains(&e.at.as_secs()))
            .filter_map(|e| {
                let (word, color) = marker_look(e.kind)?;
                let label = match name(e.node) {
                    Some(id) => format!("{word} {id}"),
                    None => word.to_string(),
                };
                Some(PlotMarker { at_s: e.at.as_secs(), label, color })
            })
            .collect();
        RunSeries {
            title: scenario.name.clone(),
            subtitle: format!(
                "seed {} · {} simulated s · one point per {} s window, end to end",
                scenario.seed,
                tick_label(sim.now().as_secs(), 1.0),
                scenario.window_s
            ),
            throughput: vec![
                Line { label: "ok".into(), color: OK, points: ok },
                Line { label: "failed".into(), color: FAILED, points: failed },
            ],
            latency: vec![
                Line { label: "p50".into(), color: P50, points: p50 },
                Line { label: "p95".into(), color: P95, points: p95 },
                Line { label: "p99".into(), color: P99, points: p99 },
            ],
            failures,
            markers,
            span,
        }
    }

    /// Whether any window closed.
    pub fn has_points(&self) -> bool {
        self.throughput.iter().any(|l| !l.points.is_empty())
    }
}

/// The events drawn as markers, with their word and colour: where a fault
/// begins and ends, what a reader of a report looks for (scaling and
/// breaker moves would crowd the picture; the app shows them).
fn marker_look(kind: SimEventKind) -> Option<(&'static str, Rgb)> {
    match kind {
        SimEventKind::Crash | SimEventKind::AreaDown => Some(("crash", Rgb(205, 50, 40))),
        SimEventKind::Restore | SimEventKind::AreaRestored => Some(("restore", Rgb(40, 150, 90))),
        SimEventKind::SpikeStart => Some(("spike", Rgb(215, 140, 20))),
        SimEventKind::SlowdownStart => Some(("slowdown", Rgb(150, 80, 190))),
        SimEventKind::ErrorsStart => Some(("errors", Rgb(150, 80, 190))),
        SimEventKind::PartitionStart => Some(("partition", Rgb(150, 80, 190))),
        SimEventKind::LinkSlowStart => Some(("slow link", Rgb(150, 80, 190))),
        SimEventKind::Flush => Some(("flush", Rgb(150, 80, 190))),
        SimEventKind::PauseStart => Some(("pause", Rgb(150, 80, 190))),
        _ => None,
    }
}

/// The plots of the simulation's run so far as PNG bytes.
pub fn plots_png(sim: &Simulation, options: &PlotOptions) -> Result<Vec<u8>, ExportError> {
    render_plots(&RunSeries::from_sim(sim), options)?.to_png()
}

/// Draws the three panels.
pub fn render_plots(series: &RunSeries, options: &PlotOptions) -> Result<Raster, ExportError> {
    if !series.has_points() {
        return Err(ExportError::Empty(
            "no window of the run has closed yet; run it for at least one window (see `window_s`)".into(),
        ));
    }
    let mut r = Raster::new(options.width, options.height, BACKGROUND)?;
    // Everything scales with the picture, text never below 11 px.
    let k = (r.width() / 1200.0).min(r.height() / 900.0).max(0.45);
    let font = |size: f32| (size * k).max(11.0);
    let margin = 24.0 * k;
    r.text(margin, margin + font(26.0), font(26.0), INK, &series.title, Align::Left, true);
    r.text(margin, margin + font(26.0) + font(16.0) * 1.6, font(16.0), SUBTLE, &series.subtitle, Align::Left, false);
    let top = margin + font(26.0) + font(16.0) * 2.6;
    let bottom_axis = font(14.0) * 2.8;
    let panels: [(&str, &[Line], &str); 3] = [
        ("Throughput (requests/s)", &series.throughput, ""),
        ("Latency (ms)", &series.latency, ""),
        ("Failures by reason (requests/s)", &series.failures, "no request failed"),
    ];
    let gap = font(14.0) * 2.2;
    let panel_h = (r.height() - top - margin - bottom_axis - gap * 2.0) / 3.0;
    let left = margin + font(14.0) * 4.0;
    let right = r.width() - margin;
    for (i, (title, lines, empty)) in panels.into_iter().enumerate() {
        let y0 = top + i as f32 * (panel_h + gap);
        let frame = Frame { left, right, top: y0 + font(17.0) * 1.5, bottom: y0 + panel_h, span: series.span };
        r.text(left, y0 + font(17.0), font(17.0), INK, title, Align::Left, true);
        draw_panel(&mut r, &frame, lines, &series.markers, i == 0, k);
        legend(&mut r, &frame, lines, y0 + font(17.0), k);
        if lines.is_empty() {
            let mid = f32::midpoint(frame.top, frame.bottom);
            r.text(f32::midpoint(left, right), mid, font(15.0), SUBTLE, empty, Align::Centre, false);
        }
    }
    let last = top + 2.0 * (panel_h + gap) + panel_h;
    r.text(
        f32::midpoint(left, right),
        last + font(14.0) * 2.6,
        font(14.0),
        SUBTLE,
        "simulated time (s)",
        Align::Centre,
        false,
    );
    Ok(r)
}

/// Where a panel's plot area is, and the time span across it.
struct Frame {
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    span: (f64, f64),
}

impl Frame {
    fn x(&self, t: f64) -> f32 {
        let (a, b) = self.span;
        self.left + ((t - a) / (b - a)) as f32 * (self.right - self.left)
    }
}

fn draw_panel(r: &mut Raster, f: &Frame, lines: &[Line], markers: &[PlotMarker], label_markers: bool, k: f32) {
    let font = |size: f32| (size * k).max(11.0);
    let max = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let rough = nice_ticks(0.0, if max > 0.0 { max } else { 1.0 }, 4);
    let step = if rough.len() > 1 { rough[1] - rough[0] } else { 1.0 };
    // The top of the axis is the first tick at or above the highest point.
    let top_value = ((max / step).ceil() * step).max(step);
    let ticks: Vec<f64> = (0..=((top_value / step).round() as usize)).map(|i| i as f64 * step).collect();
    let y = |v: f64| f.bottom - (v / top_value) as f32 * (f.bottom - f.top);
    for &t in &ticks {
        let yy = y(t);
        r.polyline(&[(f.left, yy), (f.right, yy)], GRID, 1.0, false);
        r.text(f.left - 8.0 * k, yy + font(14.0) * 0.35, font(14.0), SUBTLE, &tick_label(t, step), Align::Right, false);
    }
    let time_ticks = nice_ticks(f.span.0, f.span.1, ((f.right - f.left) / (110.0 * k)).max(2.0) as usize);
    let time_step = if time_ticks.len() > 1 { time_ticks[1] - time_ticks[0] } else { 1.0 };
    for &t in &time_ticks {
        let xx = f.x(t);
        r.polyline(&[(xx, f.top), (xx, f.bottom)], GRID, 1.0, false);
        r.text(xx, f.bottom + font(14.0) * 1.4, font(14.0), SUBTLE, &tick_label(t, time_step), Align::Centre, false);
    }
    // Markers under the lines, labelled in the first panel in up to three
    // rows so that neighbours do not overwrite each other.
    let mut row_ends = [f32::NEG_INFINITY; 3];
    for (n, m) in markers.iter().enumerate() {
        let xx = f.x(m.at_s);
        r.polyline(&[(xx, f.top), (xx, f.bottom)], m.color, 1.5 * k.max(0.7), true);
        if label_markers && n < MAX_MARKER_LABELS {
            let text = r.fitted(&m.label, font(14.0), 180.0 * k);
            let w = r.text_width(&text, font(14.0));
            let x = (xx + 4.0).min(f.right - w);
            if let Some(row) = row_ends.iter().position(|end| *end + 6.0 < x) {
                row_ends[row] = x + w;
                let yy = f.top + font(14.0) * (1.2 + 1.25 * row as f32);
                r.fill_rect(x - 2.0, yy - font(14.0), w + 4.0, font(14.0) * 1.25, BACKGROUND);
                r.text(x, yy, font(14.0), m.color, &text, Align::Left, false);
            }
        }
    }
    for line in lines {
        let points: Vec<(f32, f32)> = line.points.iter().map(|&(t, v)| (f.x(t), y(v))).collect();
        r.polyline(&points, line.color, (2.0 * k).max(1.2), false);
    }
    r.polyline(&[(f.left, f.top), (f.left, f.bottom), (f.right, f.bottom)], AXIS, 1.0, false);
}

/// The legend at the top right of a panel, in a row: a swatch and the name of each line.
fn legend(r: &mut Raster, f: &Frame, lines: &[Line], baseline: f32, k: f32) {
    let size = (14.0 * k).max(11.0);
    let swatch = 18.0 * k.max(0.6);
    let mut x = f.right;
    for line in lines.iter().rev() {
        let w = r.text_width(&line.label, size);
        x -= w;
        r.text(x, baseline, size, INK, &line.label, Align::Left, false);
        x -= swatch + 6.0;
        let y = baseline - size * 0.35;
        r.polyline(&[(x, y), (x + swatch, y)], line.color, 3.0 * k.max(0.6), false);
        x -= 16.0 * k.max(0.6);
    }
}
