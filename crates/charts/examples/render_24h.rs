//! Renders 24 h of 5-second data (17,280 points) × 2 series and prints the mean render time
//! and PNG size, with and without downsampling to the pixel width.
//!
//! `cargo run --release -p hostpulse-charts --example render_24h [runs] [out.png]`

use hostpulse_charts::{ChartSpec, RenderOptions, Series, render_png_with};
use std::time::Instant;

const STEP_MS: i64 = 5_000;
const POINTS: i64 = 24 * 3600 * 1000 / STEP_MS;
const START_MS: i64 = 1_795_460_700_000;

fn series(name: &str, base: f64, swing: f64, period: f64) -> Series {
    let points = (0..POINTS)
        .map(|i| {
            let x = i as f64;
            let spike = if i % 4_000 == 1_234 { 35.0 } else { 0.0 };
            let noise = ((x * 12.9898).sin() * 43_758.547).fract() * 4.0;
            let value = base + swing * (x / period).sin() + noise + spike;
            (START_MS + i * STEP_MS, value.clamp(0.0, 100.0))
        })
        .collect();
    Series {
        name: name.into(),
        points,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let runs: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
    let out = args.next();
    let mut spec = ChartSpec::new("web-1 (10.0.0.5) — last 24 h", "%");
    spec.series = vec![
        series("cpu", 35.0, 20.0, 2_000.0),
        series("memory", 60.0, 8.0, 7_000.0),
    ];
    spec.thresholds = vec![("cpu warning".into(), 90.0)];
    spec.firing = vec![(START_MS + 6 * 3_600_000, START_MS + 7 * 3_600_000)];
    spec.utc_offset_minutes = 60;
    for downsample in [true, false] {
        let options = RenderOptions { downsample };
        let started = Instant::now();
        let mut png = Vec::new();
        for _ in 0..runs {
            png = render_png_with(&spec, options)?;
        }
        let mean_ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(runs.max(1));
        println!(
            "downsample={downsample}: {} points x 2 series, mean render {mean_ms:.1} ms over {runs} runs, png {:.1} KiB",
            POINTS,
            png.len() as f64 / 1024.0
        );
        if let (Some(path), true) = (&out, downsample) {
            std::fs::write(path, &png)?;
        }
    }
    Ok(())
}
