//! Chart rendering for hostpulse: time series in, PNG line charts out. Pure (no I/O), with an
//! embedded DejaVu Sans font so charts look the same on every host.

mod axis;
mod draw;
mod encode;
mod font;
mod prepare;

/// Default chart width, pixels: readable on a phone without zooming.
pub const DEFAULT_WIDTH: u32 = 1000;
/// Default chart height, pixels.
pub const DEFAULT_HEIGHT: u32 = 560;
/// Smallest accepted width or height, pixels.
pub const MIN_SIDE: u32 = 200;
/// Largest accepted width or height, pixels.
pub const MAX_SIDE: u32 = 4000;

/// One line of a chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Legend entry, e.g. `cpu` or `/var`.
    pub name: String,
    /// `(Unix epoch milliseconds, value)`, oldest first; non-finite values are gaps.
    pub points: Vec<(i64, f64)>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    /// Shown above the plot.
    pub title: String,
    /// Unit of the values: `%`, `bytes`, `bytes/s` get friendly axis labels; anything else is shown as is.
    pub unit: String,
    /// The lines to draw, each in its own colour with a legend entry.
    pub series: Vec<Series>,
    /// Horizontal threshold lines `(label, value)`, drawn dashed in red.
    pub thresholds: Vec<(String, f64)>,
    /// Periods `(start ms, end ms)` when an alert was firing, drawn shaded.
    pub firing: Vec<(i64, i64)>,
    /// Time axis `(start ms, end ms)`; `None` spans the data.
    pub time_range: Option<(i64, i64)>,
    /// Time axis labels are local time at this offset from UTC.
    pub utc_offset_minutes: i32,
    /// Image width in pixels, within [`MIN_SIDE`]..=[`MAX_SIDE`].
    pub width: u32,
    /// Image height in pixels, within [`MIN_SIDE`]..=[`MAX_SIDE`].
    pub height: u32,
}

impl ChartSpec {
    /// An empty chart of the default size, UTC time labels.
    pub fn new(title: impl Into<String>, unit: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            unit: unit.into(),
            series: Vec::new(),
            thresholds: Vec::new(),
            firing: Vec::new(),
            time_range: None,
            utc_offset_minutes: 0,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
        }
    }
}

/// How to render; the defaults are the fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Reduce each series to the minimum and maximum per pixel column before drawing, so
    /// spikes survive while long ranges draw fast.
    pub downsample: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self { downsample: true }
    }
}

/// Why a chart was not rendered.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Width or height outside [`MIN_SIDE`]..=[`MAX_SIDE`].
    #[error("chart size {width}x{height} is outside {MIN_SIDE}..={MAX_SIDE} pixels")]
    Size {
        /// The requested width in pixels.
        width: u32,
        /// The requested height in pixels.
        height: u32,
    },
    /// The embedded font could not be loaded.
    #[error("chart font: {0}")]
    Font(String),
    /// The plotting library failed.
    #[error("chart drawing: {0}")]
    Draw(String),
    /// PNG encoding failed.
    #[error("chart png encoding: {0}")]
    Encode(String),
}

/// Renders `spec` as a PNG image, downsampled to the pixel width.
pub fn render_png(spec: &ChartSpec) -> Result<Vec<u8>, ChartError> {
    render_png_with(spec, RenderOptions::default())
}

/// Renders `spec` as a PNG image with explicit `options`.
pub fn render_png_with(spec: &ChartSpec, options: RenderOptions) -> Result<Vec<u8>, ChartError> {
    let sides = MIN_SIDE..=MAX_SIDE;
    if !sides.contains(&spec.width) || !sides.contains(&spec.height) {
        return Err(ChartError::Size {
            width: spec.width,
            height: spec.height,
        });
    }
    font::ensure_registered()?;
    let mut rgb = vec![255u8; spec.width as usize * spec.height as usize * 3];
    draw::draw(spec, options, &mut rgb)?;
    encode::png_rgb(&rgb, spec.width, spec.height)
}
