//! Plots of a run: the spike raster (`raster.png`) and the per-population
//! rate bar chart (`rates.png`).
//!
//! Both are drawn with plotters' chart API on its bitmap backend; text is
//! rendered by plotters' `ttf` font backend from the system's sans-serif font
//! (found through fontconfig). Every drawing, font or encoding failure becomes
//! a [`CliError::Plot`].

use std::error::Error;
use std::fmt::Display;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use spikefab_sim::quant::PopParams;

use crate::error::CliError;
use crate::rates::PopRate;

/// At most this many neuron rows in a raster.
pub const MAX_ROWS: u32 = 2000;
/// Width of the raster plot area in pixels (and its most time columns).
const PLOT_W: u32 = 1400;
/// Fewest rows a subsampled population keeps (so that small ones stay visible).
const MIN_ROWS_PER_POP: u32 = 12;
/// Runs longer than this (ms) show only their last [`WINDOW_MS`] in the raster,
/// which would otherwise be solid ink.
const LONG_RUN_MS: f64 = 2000.0;
/// Raster window of long runs (ms).
const WINDOW_MS: f64 = 1000.0;

/// Font family of all text (resolved by fontconfig).
const FONT: &str = "sans-serif";
const TITLE_PT: f64 = 26.0;
const TEXT_PT: f64 = 20.0;

const TEXT: RGBColor = RGBColor(30, 30, 30);
const MUTED: RGBColor = RGBColor(90, 90, 90);
const GRID: RGBColor = RGBColor(200, 200, 200);
const SHADE: RGBColor = RGBColor(244, 244, 247);

/// Population colours.
const PALETTE: [RGBColor; 10] = [
    RGBColor(33, 102, 172),
    RGBColor(202, 52, 52),
    RGBColor(52, 150, 70),
    RGBColor(230, 140, 20),
    RGBColor(120, 80, 170),
    RGBColor(20, 150, 160),
    RGBColor(170, 100, 50),
    RGBColor(200, 70, 150),
    RGBColor(100, 100, 100),
    RGBColor(150, 150, 30),
];

/// Colour of population `i`.
pub fn pop_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// One population's rows in the raster.
#[derive(Debug, Clone)]
pub struct Band {
    pub name: String,
    pub first_row: u32,
    pub rows: u32,
}

/// The raster, accumulated during the run at plot resolution: one bit per
/// (time column, neuron row). Memory is bounded by `PLOT_W * MAX_ROWS` bits.
#[derive(Debug, Clone)]
pub struct RasterGrid {
    pub cols: u32,
    pub rows: u32,
    /// First step shown.
    pub first_step: u64,
    pub steps: u64,
    pub dt_ms: f64,
    pub total_neurons: u64,
    pub bands: Vec<Band>,
    /// Shown neurons (global ids, ascending); row `i` is `neurons[i]`.
    neurons: Vec<u32>,
    bits: Vec<u64>,
}

impl RasterGrid {
    /// Choose the shown neurons: all of them when there are at most
    /// [`MAX_ROWS`], else evenly spaced neurons of each population, in
    /// proportion to its size but at least [`MIN_ROWS_PER_POP`].
    pub fn new(pops: &[PopParams], steps: u64, dt_ms: f64) -> RasterGrid {
        let total: u64 = pops.iter().map(|p| p.size as u64).sum();
        let mut neurons = Vec::new();
        let mut bands = Vec::new();
        for p in pops {
            let rows = if total <= MAX_ROWS as u64 {
                p.size
            } else {
                let share = (p.size as f64 * MAX_ROWS as f64 / total as f64).round() as u32;
                share.max(MIN_ROWS_PER_POP).min(p.size)
            };
            bands.push(Band {
                name: p.name.clone(),
                first_row: neurons.len() as u32,
                rows,
            });
            for i in 0..rows as u64 {
                neurons.push(p.start + (i * p.size as u64 / rows as u64) as u32);
            }
        }
        let rows = neurons.len() as u32;
        let first_step = if steps as f64 * dt_ms > LONG_RUN_MS {
            steps.saturating_sub((WINDOW_MS / dt_ms).round() as u64)
        } else {
            0
        };
        let cols = (steps - first_step).clamp(1, PLOT_W as u64) as u32;
        let words = (cols as usize * rows as usize).div_ceil(64);
        RasterGrid {
            cols,
            rows,
            first_step,
            steps,
            dt_ms,
            total_neurons: total,
            bands,
            neurons,
            bits: vec![0; words],
        }
    }

    /// Record the spikes of step `t` (neurons ascending).
    pub fn record(&mut self, t: u64, spikes: &[u32]) {
        if spikes.is_empty() || t < self.first_step || t >= self.steps {
            return;
        }
        let shown = (self.steps - self.first_step) as u128;
        let col = ((t - self.first_step) as u128 * self.cols as u128 / shown) as usize;
        let all = self.rows as u64 == self.total_neurons;
        for &n in spikes {
            let row = if all {
                n as usize
            } else {
                match self.neurons.binary_search(&n) {
                    Ok(r) => r,
                    Err(_) => continue,
                }
            };
            if row >= self.rows as usize {
                continue;
            }
            let i = row * self.cols as usize + col;
            self.bits[i / 64] |= 1 << (i % 64);
        }
    }

    fn get(&self, col: u32, row: u32) -> bool {
        let i = row as usize * self.cols as usize + col as usize;
        self.bits[i / 64] >> (i % 64) & 1 == 1
    }

    /// Number of marked cells.
    pub fn marked(&self) -> u64 {
        self.bits.iter().map(|w| w.count_ones() as u64).sum()
    }
}

/// The plot error of `path` for any drawing, font or encoding failure.
fn plot_err(path: &Path, e: impl Display) -> CliError {
    CliError::Plot {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn text_style(pt: f64, color: RGBColor) -> TextStyle<'static> {
    (FONT, pt).into_font().color(&color)
}

/// Pixel width of `text` in the plot font.
fn text_width(
    root: &DrawingArea<BitMapBackend, Shift>,
    text: &str,
    pt: f64,
) -> Result<u32, String> {
    root.estimate_text_size(text, &text_style(pt, TEXT))
        .map(|(w, _)| w)
        .map_err(|e| {
            format!(
                "{e} (plots need a {FONT} font found by fontconfig; scripts/setup.sh installs one)"
            )
        })
}

/// Tick label without trailing zeros ("200", "0.5", "12.25").
fn tick_label(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// Draw the spike raster.
pub fn raster(path: &Path, g: &RasterGrid, title: &str) -> Result<(), CliError> {
    draw_raster(path, g, title).map_err(|e| plot_err(path, e))
}

fn draw_raster(path: &Path, g: &RasterGrid, title: &str) -> Result<(), Box<dyn Error>> {
    let rows = g.rows.max(1);
    let row_px: u32 = match rows {
        0..=100 => 6,
        101..=250 => 3,
        251..=600 => 2,
        _ => 1,
    };
    let plot_h = (rows * row_px).max(240);
    let header = 88u32;
    let x_area = 72u32;
    let right = 24u32;

    // The left label area holds the population names and the axis caption;
    // it is sized from the names, so measure them on a scratch drawing area.
    let mut scratch = [0u8; 3];
    let probe = BitMapBackend::with_buffer(&mut scratch, (1, 1)).into_drawing_area();
    let mut label_w = 0;
    for b in &g.bands {
        label_w = label_w.max(text_width(&probe, &b.name, TEXT_PT)?);
    }
    drop(probe);
    let y_area = (label_w + 56).max(96);

    let w = y_area + PLOT_W + right;
    let h = header + plot_h + x_area;
    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    root.fill(&WHITE)?;

    // Title and what is shown.
    let shown = if (g.rows as u64) < g.total_neurons {
        format!(
            "showing {} of {} neurons (evenly spaced within each population)",
            g.rows, g.total_neurons
        )
    } else {
        format!("all {} neurons", g.total_neurons)
    };
    let shown = if g.first_step > 0 {
        format!(
            "{shown}; last {} ms of {} ms",
            tick_label((g.steps - g.first_step) as f64 * g.dt_ms),
            tick_label(g.steps as f64 * g.dt_ms)
        )
    } else {
        shown
    };
    let x0 = y_area as i32;
    root.draw_text(
        &format!("spike raster: {title}"),
        &text_style(TITLE_PT, TEXT),
        (x0, 10),
    )?;
    root.draw_text(&shown, &text_style(TEXT_PT, MUTED), (x0, 48))?;

    // Time (x) in ms; rows (y) run from the top: row r covers y in [rows-r-1, rows-r].
    let t0 = g.first_step as f64 * g.dt_ms;
    let span = ((g.steps - g.first_step) as f64 * g.dt_ms).max(f64::MIN_POSITIVE);
    let rows_f = rows as f64;
    let mut chart = ChartBuilder::on(&root)
        .margin_top(header)
        .margin_right(right)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(t0..t0 + span, 0.0..rows_f)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(12)
        .x_label_formatter(&|v| tick_label(*v))
        .y_labels(0)
        .x_desc("time (ms)")
        .y_desc("neurons")
        .label_style(text_style(TEXT_PT, TEXT))
        .axis_desc_style(text_style(TEXT_PT, MUTED))
        .draw()?;

    // Population bands: shading of every other one, separators.
    let band_y = |b: &Band| {
        (
            rows_f - (b.first_row + b.rows) as f64,
            rows_f - b.first_row as f64,
        )
    };
    chart.draw_series(
        g.bands
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, b)| {
                let (y0, y1) = band_y(b);
                Rectangle::new([(t0, y0), (t0 + span, y1)], SHADE.filled())
            }),
    )?;
    chart.draw_series(g.bands.iter().skip(1).map(|b| {
        let y = rows_f - b.first_row as f64;
        PathElement::new(vec![(t0, y), (t0 + span, y)], GRID)
    }))?;

    // Spikes: one mark per marked cell, anchored at the cell's top-left
    // corner and sized in pixels. Sparse rasters get bigger dots, so that
    // they stay visible.
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let col_px = pw as f64 / g.cols as f64;
    let row_h = ph as f64 / rows_f;
    let density = g.marked() as f64 / (g.cols as f64 * rows_f);
    let dot: i32 = if density > 0.03 {
        1
    } else if density > 0.005 {
        2
    } else {
        3
    };
    let gap = |px: f64| if px >= 3.0 { px - 1.0 } else { px };
    // Tall rows get marks at least 2 px wide.
    let min_w = if row_h >= 4.0 { 2 } else { dot };
    let mark_w = (gap(col_px).round() as i32).max(min_w);
    let mark_h = (gap(row_h).round() as i32).max(dot).max(1);
    let col_ms = span / g.cols as f64;
    for (i, b) in g.bands.iter().enumerate() {
        let style = pop_color(i).filled();
        let marks = (b.first_row..b.first_row + b.rows).flat_map(|r| {
            (0..g.cols).filter(move |&c| g.get(c, r)).map(move |c| {
                EmptyElement::at((t0 + c as f64 * col_ms, rows_f - r as f64))
                    + Rectangle::new([(0, 0), (mark_w, mark_h)], style)
            })
        });
        chart.draw_series(marks)?;
    }

    // Population names, in their colours, beside their bands.
    for (i, b) in g.bands.iter().enumerate() {
        let (y0, y1) = band_y(b);
        let (x, y) = chart.backend_coord(&(t0, (y0 + y1) / 2.0));
        let band_px = b.rows as f64 * row_h;
        let pt = TEXT_PT.min(band_px.max(9.0));
        let style = text_style(pt, pop_color(i)).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(b.name.clone(), (x - 10, y), style))?;
    }

    root.present()?;
    Ok(())
}

/// The x range of a bar chart of `n` bars: bar i is centred on x = i.
fn bar_range(n: usize) -> std::ops::Range<f64> {
    -0.5..n.max(1) as f64 - 0.5
}

/// Draw the per-population rate bar chart (rates after the warm-up when the
/// run is long enough, else over the whole run).
pub fn rates(path: &Path, rates: &[PopRate], model: &str) -> Result<(), CliError> {
    draw_rates(path, rates, model).map_err(|e| plot_err(path, e))
}

fn draw_rates(path: &Path, rates: &[PopRate], model: &str) -> Result<(), Box<dyn Error>> {
    let late = rates.iter().all(|p| p.rate_late_hz.is_some()) && !rates.is_empty();
    let vals: Vec<f64> = rates
        .iter()
        .map(|p| {
            if late {
                p.rate_late_hz.unwrap_or(p.rate_hz)
            } else {
                p.rate_hz
            }
        })
        .collect();
    let title = format!("firing rate per population: {model}");
    let sub = if late {
        "mean rate in Hz, excluding the first 500 ms"
    } else {
        "mean rate in Hz over the whole run"
    };

    // Size the picture from its text.
    let mut scratch = [0u8; 3];
    let probe = BitMapBackend::with_buffer(&mut scratch, (1, 1)).into_drawing_area();
    let mut names_w = 0;
    for p in rates {
        names_w = names_w.max(text_width(&probe, &p.name, TEXT_PT)?);
    }
    let text_w = text_width(&probe, &title, TITLE_PT)?.max(text_width(&probe, sub, TEXT_PT)?);
    drop(probe);
    let (left, right, header, x_area) = (100u32, 30u32, 92u32, 64u32);
    let slot = (names_w + 24).max(90);
    let n = rates.len().max(1) as u32;
    let plot_w = (slot * n)
        .max(480)
        .max((text_w + 32).saturating_sub(left + right));
    let plot_h = 380u32;
    let (w, h) = (left + plot_w + right, header + plot_h + x_area);

    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    root.fill(&WHITE)?;
    root.draw_text(&title, &text_style(TITLE_PT, TEXT), (16, 10))?;
    root.draw_text(sub, &text_style(TEXT_PT, MUTED), (16, 48))?;

    let vmax = vals
        .iter()
        .cloned()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    // Headroom above the tallest bar for its value label.
    let ymax = if vmax > 0.0 { vmax * 1.15 } else { 1.0 };
    // Population i sits at x = i, its bar filling the middle of [i-0.5, i+0.5].
    let mut chart = ChartBuilder::on(&root)
        .margin_top(header)
        .margin_right(right)
        .x_label_area_size(x_area)
        .y_label_area_size(left)
        .build_cartesian_2d(bar_range(rates.len()), 0.0..ymax)?;
    let name_of = |x: &f64| {
        let i = x.round();
        match rates.get(i as usize) {
            Some(p) if i >= 0.0 && (x - i).abs() < 1e-6 => p.name.clone(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_max_light_lines(0)
        .bold_line_style(GRID)
        .x_labels(rates.len().max(1))
        .y_labels(8)
        .x_label_formatter(&name_of)
        .y_label_formatter(&|v| tick_label(*v))
        .x_desc("population")
        .y_desc("rate (Hz)")
        .label_style(text_style(TEXT_PT, TEXT))
        .axis_desc_style(text_style(TEXT_PT, MUTED))
        .draw()?;

    let half = 0.3;
    chart.draw_series(vals.iter().enumerate().map(|(i, v)| {
        let x = i as f64;
        Rectangle::new([(x - half, 0.0), (x + half, *v)], pop_color(i).filled())
    }))?;
    chart.draw_series(vals.iter().enumerate().map(|(i, v)| {
        EmptyElement::at((i as f64, *v))
            + Text::new(
                format!("{v:.2}"),
                (0, -6),
                text_style(TEXT_PT, TEXT).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
    }))?;

    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use spikefab_sim::quant::VInitQ;

    fn pop(name: &str, start: u32, size: u32) -> PopParams {
        PopParams {
            name: name.into(),
            start,
            size,
            p22: 0,
            p11_ex: 0,
            p11_in: 0,
            p21_ex: 0,
            p21_in: 0,
            dc_term: 0,
            theta: 0,
            v_reset: 0,
            ref_steps: 0,
            poisson: None,
            v_init: VInitQ::Constant(0.0),
            input: false,
        }
    }

    #[test]
    fn big_networks_are_subsampled_and_small_populations_stay_visible() {
        let pops = vec![pop("A", 0, 100_000), pop("B", 100_000, 50)];
        let g = RasterGrid::new(&pops, 10_000, 0.1);
        assert!(g.rows <= MAX_ROWS + MIN_ROWS_PER_POP);
        assert_eq!(g.bands[1].rows, MIN_ROWS_PER_POP);
        assert!(g.neurons.windows(2).all(|w| w[0] < w[1]));
        assert!(g.neurons.iter().all(|&n| n < 100_050));
    }

    #[test]
    fn grid_marks_spikes_of_shown_neurons_only() {
        let pops = vec![pop("A", 0, 10)];
        let mut g = RasterGrid::new(&pops, 100, 0.1);
        g.record(0, &[1, 5]);
        g.record(99, &[9]);
        g.record(99, &[9]);
        assert_eq!(g.marked(), 3);
        assert!(g.get(0, 1) && g.get(0, 5) && g.get(g.cols - 1, 9));
    }

    #[test]
    fn long_runs_show_their_last_second() {
        let pops = vec![pop("A", 0, 10)];
        let mut g = RasterGrid::new(&pops, 50_000, 0.1);
        assert_eq!(g.first_step, 40_000);
        g.record(39_999, &[1]);
        assert_eq!(g.marked(), 0);
        g.record(40_000, &[1]);
        g.record(49_999, &[2]);
        assert!(g.get(0, 1) && g.get(g.cols - 1, 2));
        let short = RasterGrid::new(&pops, 20_000, 0.1);
        assert_eq!(short.first_step, 0);
    }

    #[test]
    fn every_bar_gets_exactly_one_label() {
        use plotters::coord::ranged1d::Ranged;
        use plotters::coord::types::RangedCoordf64;
        for n in 1..=64 {
            let keys = RangedCoordf64::from(bar_range(n)).key_points(n);
            let want: Vec<f64> = (0..n).map(|i| i as f64).collect();
            assert_eq!(keys, want, "{n} bars");
        }
    }

    #[test]
    fn tick_labels_have_no_trailing_zeros() {
        assert_eq!(tick_label(200.0), "200");
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(12.25), "12.25");
        assert_eq!(tick_label(0.0), "0");
    }
}
