//! Draws a [`ChartSpec`] onto an RGB buffer with plotters: shaded firing periods, dashed
//! threshold lines, one line per series broken at gaps, a legend, and local time labels.

use crate::axis::{self, DATE_LABELS_AFTER_MS};
use crate::font::FAMILY;
use crate::prepare::{self, Segment};
use crate::{ChartError, ChartSpec, RenderOptions};
use plotters::backend::RGBPixel;
use plotters::coord::combinators::{BindKeyPoints, WithKeyPoints};
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const TITLE_PX: u32 = 30;
const LABEL_PX: u32 = 22;
const NO_DATA_PX: u32 = 44;
const LINE_WIDTH: u32 = 3;
/// Pixels per time label, so labels never collide.
const PX_PER_TIME_LABEL: u32 = 140;
/// Shortest time axis, for charts of a single instant.
const MIN_SPAN_MS: i64 = 60_000;
const THRESHOLD_COLOR: RGBColor = RGBColor(214, 39, 40);
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(23, 190, 207),
];

type Root<'a> = DrawingArea<BitMapBackend<'a, RGBPixel>, plotters::coord::Shift>;
type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b, RGBPixel>,
    Cartesian2d<WithKeyPoints<RangedCoordi64>, RangedCoordf64>,
>;

/// The drawn area: time span and value span.
#[derive(Debug, Clone, Copy)]
struct Extent {
    start: i64,
    end: i64,
    low: f64,
    high: f64,
}

/// Draws `spec` into `rgb` (8-bit RGB, `spec.width` × `spec.height`).
pub(crate) fn draw(
    spec: &ChartSpec,
    options: RenderOptions,
    rgb: &mut [u8],
) -> Result<(), ChartError> {
    let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(rgb, (spec.width, spec.height))
        .map_err(draw_error)?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(draw_error)?;
    match extent(spec) {
        Some(extent) => plot(&root, spec, options, extent)?,
        None => no_data(&root, spec)?,
    }
    root.present().map_err(draw_error)
}

fn plot(
    root: &Root<'_>,
    spec: &ChartSpec,
    options: RenderOptions,
    extent: Extent,
) -> Result<(), ChartError> {
    let max_ticks = i64::from((spec.width / PX_PER_TIME_LABEL).max(2));
    let ticks = axis::time_ticks(extent.start, extent.end, spec.utc_offset_minutes, max_ticks);
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, title_font())
        .margin(14)
        .x_label_area_size(72)
        .y_label_area_size(120)
        .build_cartesian_2d(
            (extent.start..extent.end).with_key_points(ticks),
            extent.low..extent.high,
        )
        .map_err(draw_error)?;
    draw_mesh(&mut chart, spec, &extent)?;
    shade_firing(&mut chart, spec, &extent)?;
    draw_thresholds(&mut chart, spec, &extent)?;
    draw_lines(&mut chart, spec, options, &extent)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FAMILY, LABEL_PX))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .margin(10)
        .draw()
        .map_err(draw_error)
}

fn draw_mesh(
    chart: &mut Chart<'_, '_>,
    spec: &ChartSpec,
    extent: &Extent,
) -> Result<(), ChartError> {
    let offset = spec.utc_offset_minutes;
    let dates = extent.end - extent.start > DATE_LABELS_AFTER_MS;
    let time_label = move |ms: &i64| axis::time_label(*ms, offset, dates);
    let value_label = |value: &f64| axis::value_label(*value, &spec.unit);
    chart
        .configure_mesh()
        .x_label_formatter(&time_label)
        .y_labels(6)
        .y_label_formatter(&value_label)
        .label_style((FAMILY, LABEL_PX))
        .axis_desc_style((FAMILY, LABEL_PX))
        .x_desc(format!("local time ({})", axis::offset_label(offset)))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(draw_error)
}

fn shade_firing(
    chart: &mut Chart<'_, '_>,
    spec: &ChartSpec,
    extent: &Extent,
) -> Result<(), ChartError> {
    let style = THRESHOLD_COLOR.mix(0.15).filled();
    let periods: Vec<Rectangle<(i64, f64)>> = spec
        .firing
        .iter()
        .map(|&(from, to)| (from.max(extent.start), to.min(extent.end)))
        .filter(|(from, to)| from < to)
        .map(|(from, to)| Rectangle::new([(from, extent.low), (to, extent.high)], style))
        .collect();
    if periods.is_empty() {
        return Ok(());
    }
    chart
        .draw_series(periods)
        .map_err(draw_error)?
        .label("alert firing")
        .legend(move |(x, y)| Rectangle::new([(x, y - 9), (x + 30, y + 9)], style));
    Ok(())
}

fn draw_thresholds(
    chart: &mut Chart<'_, '_>,
    spec: &ChartSpec,
    extent: &Extent,
) -> Result<(), ChartError> {
    let style = THRESHOLD_COLOR.stroke_width(LINE_WIDTH);
    for (name, value) in spec.thresholds.iter().filter(|(_, v)| v.is_finite()) {
        let line = vec![(extent.start, *value), (extent.end, *value)];
        let label = format!("{name} {}", axis::value_label(*value, &spec.unit));
        chart
            .draw_series(DashedLineSeries::new(line, 14, 10, style))
            .map_err(draw_error)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], style));
    }
    Ok(())
}

fn draw_lines(
    chart: &mut Chart<'_, '_>,
    spec: &ChartSpec,
    options: RenderOptions,
    extent: &Extent,
) -> Result<(), ChartError> {
    let columns = spec.width as usize;
    for (index, series) in spec.series.iter().enumerate() {
        let style = PALETTE[index % PALETTE.len()].stroke_width(LINE_WIDTH);
        let mut runs: Vec<Segment> = prepare::segments(&series.points);
        if options.downsample {
            let span = (extent.start, extent.end);
            runs = runs
                .iter()
                .map(|run| prepare::downsample(run, span, columns))
                .collect();
        }
        for (number, run) in runs.iter().enumerate() {
            let anno = if run.len() == 1 {
                let dot = Circle::new(run[0], LINE_WIDTH, style.filled());
                chart.draw_series(std::iter::once(dot))
            } else {
                // One path per step: plotters joins thick polylines with miters, which
                // shoot far out of the plot at the sharp turns of min/max data.
                let steps = run
                    .windows(2)
                    .map(|pair| PathElement::new(pair.to_vec(), style));
                chart.draw_series(steps)
            }
            .map_err(draw_error)?;
            if number == 0 {
                anno.label(series.name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], style));
            }
        }
    }
    Ok(())
}

/// The time span (the asked range, else the data's) and value span with headroom; `None`
/// when no series has a finite value.
fn extent(spec: &ChartSpec) -> Option<Extent> {
    let values = || {
        spec.series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|(_, v)| v.is_finite())
    };
    let first = values().map(|&(ts, _)| ts).min()?;
    let last = values().map(|&(ts, _)| ts).max()?;
    let (start, end) = spec.time_range.unwrap_or((first, last));
    let end = end.max(start + MIN_SPAN_MS);
    let thresholds = spec
        .thresholds
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite());
    let all = values().map(|&(_, v)| v).chain(thresholds);
    let (low, high) = all.fold((0.0f64, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let high = if spec.unit == "%" && high <= 100.0 {
        (high * 1.1).clamp(10.0, 100.0)
    } else if high > low {
        high + (high - low) * 0.1
    } else {
        low + 1.0
    };
    Some(Extent {
        start,
        end,
        low,
        high,
    })
}

fn no_data(root: &Root<'_>, spec: &ChartSpec) -> Result<(), ChartError> {
    let area = root.titled(&spec.title, title_font()).map_err(draw_error)?;
    let (width, height) = area.dim_in_pixel();
    let style = TextStyle::from((FAMILY, NO_DATA_PX).into_font())
        .color(&RGBColor(90, 90, 90))
        .pos(Pos::new(HPos::Center, VPos::Center));
    let center = ((width / 2) as i32, (height / 2) as i32);
    area.draw_text("no data", &style, center)
        .map_err(draw_error)
}

fn title_font() -> FontDesc<'static> {
    (FAMILY, TITLE_PX).into_font().style(FontStyle::Bold)
}

fn draw_error(error: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(error.to_string())
}
