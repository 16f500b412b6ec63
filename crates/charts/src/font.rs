//! Registers the embedded DejaVu Sans font with plotters, once per process.

use crate::ChartError;
use plotters::style::{FontStyle, register_font};
use std::sync::OnceLock;

/// The font family name every text of a chart uses.
pub(crate) const FAMILY: &str = "sans-serif";

static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers DejaVu Sans (regular and bold) as [`FAMILY`]; later calls are free.
pub(crate) fn ensure_registered() -> Result<(), ChartError> {
    REGISTERED
        .get_or_init(register_all)
        .clone()
        .map_err(ChartError::Font)
}

fn register_all() -> Result<(), String> {
    register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "DejaVu Sans regular is not a valid font".to_string())?;
    register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold())
        .map_err(|_| "DejaVu Sans bold is not a valid font".to_string())
}
