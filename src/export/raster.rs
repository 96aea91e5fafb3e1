//! A small drawing surface over `tiny-skia` (paths, strokes, fills) with
//! text from `ab_glyph`, in the font the app itself uses (Ubuntu Light,
//! embedded from `epaint_default_fonts`): no system font, no fontconfig, so
//! a headless CI machine with no fonts draws the same pixels as a laptop.
//!
//! Coordinates are pixels, origin top left. Every drawing call is
//! deterministic: the same calls give the same bytes.

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _, point};
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Rect, Stroke, StrokeDash, Transform};

use super::ExportError;

/// Largest picture side, pixels: beyond any slide, a bound on memory.
pub const MAX_SIDE: u32 = 8_192;
/// Smallest picture side, pixels: below it nothing is readable.
pub const MIN_SIDE: u32 = 64;

/// An opaque colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// This colour mixed with `other`, `t` of the way towards it.
    pub fn mix(self, other: Rgb, t: f32) -> Rgb {
        let t = t.clamp(0.0, 1.0);
        let m = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    fn paint(self) -> Paint<'static> {
        let mut paint = Paint::default();
        paint.set_color_rgba8(self.0, self.1, self.2, 255);
        paint.anti_alias = true;
        paint
    }
}

/// Where a line of text sits relative to the point given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// A picture being drawn.
pub struct Raster {
    pixmap: Pixmap,
    font: FontRef<'static>,
}

impl Raster {
    /// A `width` × `height` picture filled with `background`.
    pub fn new(width: u32, height: u32, background: Rgb) -> Result<Raster, ExportError> {
        check_size(width, height)?;
        let mut pixmap = Pixmap::new(width, height).ok_or(ExportError::Size { width, height })?;
        pixmap.fill(tiny_skia::Color::from_rgba8(background.0, background.1, background.2, 255));
        let font = FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).map_err(|_| ExportError::Font)?;
        Ok(Raster { pixmap, font })
    }

    pub fn width(&self) -> f32 {
        self.pixmap.width() as f32
    }

    pub fn height(&self) -> f32 {
        self.pixmap.height() as f32
    }

    /// A filled rectangle.
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
            self.pixmap.fill_rect(rect, &color.paint(), Transform::identity(), None);
        }
    }

    /// A rectangle with rounded corners, filled and optionally outlined
    /// (`stroke`: colour and width).
    pub fn rounded_rect(&mut self, rect: [f32; 4], radius: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)>) {
        let [x, y, w, h] = rect;
        let r = radius.min(w / 2.0).min(h / 2.0).max(0.0);
        let mut pb = PathBuilder::new();
        pb.move_to(x + r, y);
        pb.line_to(x + w - r, y);
        pb.quad_to(x + w, y, x + w, y + r);
        pb.line_to(x + w, y + h - r);
        pb.quad_to(x + w, y + h, x + w - r, y + h);
        pb.line_to(x + r, y + h);
        pb.quad_to(x, y + h, x, y + h - r);
        pb.line_to(x, y + r);
        pb.quad_to(x, y, x + r, y);
        pb.close();
        let Some(path) = pb.finish() else { return };
        if let Some(fill) = fill {
            self.pixmap.fill_path(&path, &fill.paint(), FillRule::Winding, Transform::identity(), None);
        }
        if let Some((color, width)) = stroke {
            let stroke = Stroke { width, line_join: LineJoin::Round, ..Stroke::default() };
            self.pixmap.stroke_path(&path, &color.paint(), &stroke, Transform::identity(), None);
        }
    }

    /// A polyline; `dash` draws it dashed. Points that are not finite are skipped.
    pub fn polyline(&mut self, points: &[(f32, f32)], color: Rgb, width: f32, dash: bool) {
        let mut pb = PathBuilder::new();
        let mut started = false;
        for &(x, y) in points {
            if !(x.is_finite() && y.is_finite()) {
                started = false;
                continue;
            }
            if started {
                pb.line_to(x, y);
            } else {
                pb.move_to(x, y);
                started = true;
            }
        }
        let Some(path) = pb.finish() else { return };
        let mut stroke = Stroke { width, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Stroke::default() };
        if dash {
            stroke.dash = StrokeDash::new(vec![width * 3.0, width * 3.0], 0.0);
            stroke.line_cap = LineCap::Butt;
        }
        self.pixmap.stroke_path(&path, &color.paint(), &stroke, Transform::identity(), None);
    }

    /// A straight line with an arrow head at `to`.
    pub fn arrow(&mut self, from: (f32, f32), to: (f32, f32), color: Rgb, width: f32) {
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            return;
        }
        let (ux, uy) = (dx / len, dy / len);
        let head = (width * 4.0).clamp(7.0, 16.0).min(len * 0.6);
        let base = (to.0 - ux * head, to.1 - uy * head);
        self.polyline(&[from, base], color, width, false);
        let half = head * 0.5;
        let mut pb = PathBuilder::new();
        pb.move_to(to.0, to.1);
        pb.line_to(base.0 - uy * half, base.1 + ux * half);
        pb.line_to(base.0 + uy * half, base.1 - ux * half);
        pb.close();
        if let Some(path) = pb.finish() {
            self.pixmap.fill_path(&path, &color.paint(), FillRule::Winding, Transform::identity(), None);
        }
    }

    /// The width of `text` at `size` pixels.
    pub fn text_width(&self, text: &str, size: f32) -> f32 {
        let font = self.font.as_scaled(PxScale::from(size));
        let mut width = 0.0;
        let mut previous = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                width += font.kern(p, id);
            }
            width += font.h_advance(id);
            previous = Some(id);
        }
        width
    }

    /// One line of text at `size` pixels, its baseline at `y`, placed
    /// against `x` by `align`; `bold` draws it twice, a third of a pixel
    /// apart (the embedded font has one weight).
    #[expect(
        clippy::too_many_arguments,
        reason = "a line of text is where, how large, what colour, what and how placed, as egui's painter takes it"
    )]
    pub fn text(&mut self, x: f32, y: f32, size: f32, color: Rgb, text: &str, align: Align, bold: bool) {
        let left = match align {
            Align::Left => x,
            Align::Centre => x - self.text_width(text, size) / 2.0,
            Align::Right => x - self.text_width(text, size),
        };
        self.glyphs(left, y, size, color, text);
        if bold {
            self.glyphs(left + size.max(12.0) / 36.0, y, size, color, text);
        }
    }

    /// Text cut with "…" to fit `max_width` pixels.
    pub fn fitted(&self, text: &str, size: f32, max_width: f32) -> String {
        if self.text_width(text, size) <= max_width {
            return text.to_string();
        }
        let mut cut: String = text.to_string();
        while !cut.is_empty() {
            cut.pop();
            let candidate = format!("{}…", cut.trim_end());
            if self.text_width(&candidate, size) <= max_width {
                return candidate;
            }
        }
        String::new()
    }

    fn glyphs(&mut self, left: f32, baseline: f32, size: f32, color: Rgb, text: &str) {
        let scale = PxScale::from(size);
        let scaled = self.font.as_scaled(scale);
        let (w, h) = (self.pixmap.width() as i32, self.pixmap.height() as i32);
        let stride = self.pixmap.width() as usize;
        let mut caret = left;
        let mut previous = None;
        let mut glyphs = Vec::new();
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                caret += scaled.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(caret, baseline)));
            caret += scaled.h_advance(id);
            previous = Some(id);
        }
        let data = self.pixmap.data_mut();
        for glyph in glyphs {
            let Some(outline) = self.font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i32 + gx as i32;
                let py = bounds.min.y as i32 + gy as i32;
                if px < 0 || py < 0 || px >= w || py >= h {
                    return;
                }
                let a = coverage.clamp(0.0, 1.0);
                let at = (py as usize * stride + px as usize) * 4;
                // Every pixel is opaque (the picture starts filled), so
                // premultiplied and straight colours are the same.
                for (k, c) in [color.0, color.1, color.2].into_iter().enumerate() {
                    let dst = f32::from(data[at + k]);
                    data[at + k] = (dst + (f32::from(c) - dst) * a).round() as u8;
                }
            });
        }
    }

    /// The picture as a PNG (8-bit RGB, no alpha: it is opaque).
    pub fn to_png(&self) -> Result<Vec<u8>, ExportError> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, self.pixmap.width(), self.pixmap.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.rgb())?;
        writer.finish()?;
        Ok(bytes)
    }

    /// The pixels as RGBA, for the GIF encoder.
    pub fn rgba(&self) -> Vec<u8> {
        self.pixmap.data().to_vec()
    }

    fn rgb(&self) -> Vec<u8> {
        self.pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
    }
}

/// Refuses a picture too small to read or too large to hold.
pub fn check_size(width: u32, height: u32) -> Result<(), ExportError> {
    if (MIN_SIDE..=MAX_SIDE).contains(&width) && (MIN_SIDE..=MAX_SIDE).contains(&height) {
        Ok(())
    } else {
        Err(ExportError::Size { width, height })
    }
}

/// Round steps for an axis from `min` to `max`: 1, 2 or 5 times a power of
/// ten, about `wanted` of them.
pub fn nice_ticks(min: f64, max: f64, wanted: usize) -> Vec<f64> {
    let span = max - min;
    if !(span.is_finite() && span > 0.0) {
        return vec![min];
    }
    let rough = span / wanted.max(1) as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(10.0 * power);
    let first = (min / step).ceil() as i64;
    let last = (max / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A number for a tick label: short, no needless decimals ("0.5", "20", "1.5k").
pub fn tick_label(value: f64, step: f64) -> String {
    if value.abs() >= 10_000.0 {
        let k = value / 1_000.0;
        return if (k - k.round()).abs() < 1e-9 { format!("{k:.0}k") } else { format!("{k:.1}k") };
    }
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside_the_span() {
        assert_eq!(nice_ticks(0.0, 100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.5, 1.0]);
        assert_eq!(nice_ticks(3.0, 3.0, 4), vec![3.0]);
        assert_eq!(tick_label(0.5, 0.5), "0.5");
        assert_eq!(tick_label(20.0, 20.0), "20");
        assert_eq!(tick_label(15_000.0, 5_000.0), "15k");
    }

    #[test]
    fn text_is_drawn_and_measured() {
        let mut r = Raster::new(200, 64, Rgb(255, 255, 255)).expect("size in range");
        assert!(r.text_width("archsim", 16.0) > 30.0);
        r.text(10.0, 40.0, 16.0, Rgb(0, 0, 0), "archsim", Align::Left, true);
        assert!(r.rgb().chunks_exact(3).any(|p| p[0] < 100), "some pixels are dark");
        assert!(r.fitted("a very long name indeed", 16.0, 60.0).ends_with('…'));
        assert!(Raster::new(10, 10, Rgb(0, 0, 0)).is_err());
    }
}
