//! Exports open in real tools: the PNGs decode with the `image` crate to
//! the size asked for and are not blank, the GIF decodes with the number
//! of frames asked for, the same run gives the same bytes, and
//! `archsim export` writes the files (exit 0) or explains a bad scenario
//! or path (exit 2).

use std::collections::HashSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use archsim::export::{CanvasOptions, GifOptions, PlotOptions, canvas_png, plots_png, record_run};
use archsim::scenario::{Scenario, bundled};
use archsim::sim::{SimTime, Simulation};
use image::{AnimationDecoder, ImageFormat};

fn scenario(name: &str) -> Scenario {
    bundled(name).expect("bundled").load().expect("valid")
}

fn run(name: &str, secs: f64) -> Simulation {
    let mut sim = Simulation::new(&scenario(name)).expect("builds");
    sim.run_until(SimTime::from_secs(secs));
    sim
}

/// The decoded picture's size and how many distinct colours it has.
fn decode_png(bytes: &[u8]) -> (u32, u32, usize) {
    let picture = image::load_from_memory_with_format(bytes, ImageFormat::Png).expect("a PNG").to_rgb8();
    let colours: HashSet<[u8; 3]> = picture.pixels().map(|p| p.0).collect();
    (picture.width(), picture.height(), colours.len())
}

fn gif_frames(bytes: &[u8]) -> Vec<image::Frame> {
    let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).expect("a GIF");
    decoder.into_frames().collect_frames().expect("frames decode")
}

#[test]
fn the_plots_png_decodes_to_its_size_and_is_not_blank() {
    let sim = run("retry-storm", 60.0);
    let options = PlotOptions { width: 1000, height: 700 };
    let png = plots_png(&sim, &options).expect("drawn");
    let (w, h, colours) = decode_png(&png);
    assert_eq!((w, h), (1000, 700));
    assert!(colours > 20, "lines, text and markers in several colours ({colours})");
    assert_eq!(png, plots_png(&sim, &options).expect("drawn again"), "the same run, the same bytes");
}

#[test]
fn the_canvas_png_decodes_to_its_size_and_is_not_blank() {
    let sim = run("three-replicas-one-zone-or-three", 40.0);
    let options = CanvasOptions::default();
    let png = canvas_png(&sim, &options).expect("drawn");
    let (w, h, colours) = decode_png(&png);
    assert_eq!((w, h), (1200, 675));
    assert!(colours > 20, "nodes, tints, zones and text ({colours})");
    assert_eq!(png, canvas_png(&sim, &options).expect("drawn again"));
}

#[test]
fn a_design_without_positions_is_laid_out() {
    let mut s = scenario("three-tier-web");
    for n in &mut s.nodes {
        n.pos = (0.0, 0.0);
    }
    let mut sim = Simulation::new(&s).expect("builds");
    sim.run_until(SimTime::from_secs(5.0));
    let (_, _, colours) = decode_png(&canvas_png(&sim, &CanvasOptions { width: 640, height: 360 }).expect("drawn"));
    assert!(colours > 10);
}

#[test]
fn nothing_to_plot_before_a_window_closes() {
    let sim = run("three-tier-web", 0.5);
    let error = plots_png(&sim, &PlotOptions::default()).expect_err("no window yet");
    assert!(error.to_string().contains("no window"), "{error}");
    assert!(plots_png(&sim, &PlotOptions { width: 10, height: 10_000 }).is_err());
}

#[test]
fn the_gif_has_the_frames_asked_for_and_is_deterministic() {
    let s = scenario("three-replicas-one-zone-or-three");
    let options = GifOptions { width: 480, height: 270, every_s: Some(5.0), frame_ms: 100 };
    let gif = record_run(&s, 40.0, &options, &|| true).expect("filmed");
    let frames = gif_frames(&gif);
    assert_eq!(frames.len(), 8, "one frame every 5 s over 40 s");
    assert!(frames.iter().all(|f| f.buffer().dimensions() == (480, 270)));
    // The zone outage at 30 s turns nodes red: the last frame differs from the first.
    assert_ne!(frames[0].buffer().as_raw(), frames[7].buffer().as_raw());
    assert_eq!(gif, record_run(&s, 40.0, &options, &|| true).expect("filmed again"));
    let stopped = record_run(&s, 40.0, &options, &|| false).expect("an empty film");
    assert!(gif_frames(&stopped).is_empty());
}

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim")).args(args).output().expect("the archsim binary starts")
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("archsim-exports-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

#[test]
fn archsim_export_writes_the_three_files() {
    let dir = scratch("three");
    let (plots, canvas, gif) = (dir.join("plots.png"), dir.join("canvas.png"), dir.join("run.gif"));
    let out = archsim(&[
        "export",
        "retry-storm",
        "--duration",
        "20",
        "--plots",
        arg(&plots),
        "--canvas",
        arg(&canvas),
        "--gif",
        arg(&gif),
        "--every",
        "2",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("wrote the plots"), "{stderr}");
    let (w, h, _) = decode_png(&std::fs::read(&plots).expect("plots written"));
    assert_eq!((w, h), (1200, 900));
    let (w, h, _) = decode_png(&std::fs::read(&canvas).expect("canvas written"));
    assert_eq!((w, h), (1200, 675));
    assert_eq!(gif_frames(&std::fs::read(&gif).expect("gif written")).len(), 10);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn archsim_export_refuses_a_bad_scenario_or_path_with_exit_2() {
    let dir = scratch("bad");
    let missing = dir.join("no-such-dir").join("plots.png");
    let out = archsim(&["export", "three-tier-web", "--plots", arg(&missing)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!missing.exists());

    let out = archsim(&["export", "three-tier-web", "--plots", arg(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));

    let out = archsim(&["export", "no-such-design", "--plots", arg(&dir.join("p.png"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither a file nor a bundled scenario"));

    let out = archsim(&["export", "three-tier-web"]);
    assert_eq!(out.status.code(), Some(2), "at least one picture is asked for");

    let out = archsim(&["export", "three-tier-web", "--duration", "0.5", "--plots", arg(&dir.join("p.png"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no window"));
    let _ = std::fs::remove_dir_all(&dir);
}
