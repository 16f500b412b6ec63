//! Renders charts and decodes the PNG output.
#![allow(
    clippy::expect_used,
    reason = "test helpers: a broken PNG should fail the test loudly"
)]

use hostpulse_charts::{
    ChartError, ChartSpec, DEFAULT_HEIGHT, DEFAULT_WIDTH, RenderOptions, Series, render_png,
    render_png_with,
};

const START_MS: i64 = 1_795_460_700_000;

/// Width, height and RGB(A) pixels of a PNG.
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("png header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut pixels).expect("png frame");
    let channels = info.color_type.samples();
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels, channels)
}

/// Pixels clearly darker than white in the box `(x0, y0)..(x1, y1)`.
fn dark_pixels(png: &[u8], (x0, y0): (u32, u32), (x1, y1): (u32, u32)) -> usize {
    let (width, _, pixels, channels) = decode(png);
    let mut count = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let at = (y * width + x) as usize * channels;
            if pixels[at..at + 3].iter().all(|&c| c < 160) {
                count += 1;
            }
        }
    }
    count
}

fn wave(name: &str, points: usize, step_ms: i64) -> Series {
    Series {
        name: name.into(),
        points: (0..points)
            .map(|i| {
                (
                    START_MS + i as i64 * step_ms,
                    50.0 + 40.0 * (i as f64 / 30.0).sin(),
                )
            })
            .collect(),
    }
}

#[test]
fn chart_decodes_with_the_asked_size() {
    let mut spec = ChartSpec::new("web-1 — CPU", "%");
    spec.series = vec![wave("cpu", 720, 5_000), wave("memory", 720, 5_000)];
    spec.thresholds = vec![("warning".into(), 80.0)];
    spec.firing = vec![(START_MS + 600_000, START_MS + 900_000)];
    spec.utc_offset_minutes = 120;
    let png = render_png(&spec).expect("render");
    let (width, height, _, _) = decode(&png);
    assert_eq!((width, height), (DEFAULT_WIDTH, DEFAULT_HEIGHT));

    spec.width = 640;
    spec.height = 400;
    let (width, height, _, _) = decode(&render_png(&spec).expect("render"));
    assert_eq!((width, height), (640, 400));
}

#[test]
fn empty_chart_says_no_data() {
    let spec = ChartSpec::new("web-1 — CPU", "%");
    let png = render_png(&spec).expect("render");
    let (width, height, _, _) = decode(&png);
    assert_eq!((width, height), (DEFAULT_WIDTH, DEFAULT_HEIGHT));
    // The only thing below the title is the "no data" text in the middle.
    let middle = dark_pixels(&png, (350, 250), (650, 330));
    let elsewhere = dark_pixels(&png, (0, 360), (1000, 560));
    assert!(middle > 200, "no text in the middle: {middle}");
    assert_eq!(elsewhere, 0);

    let mut only_nan = ChartSpec::new("nothing", "%");
    only_nan.series = vec![Series {
        name: "cpu".into(),
        points: vec![(START_MS, f64::NAN), (START_MS + 5_000, f64::INFINITY)],
    }];
    let empty = ChartSpec::new("nothing", "%");
    assert_eq!(
        render_png(&only_nan).expect("render"),
        render_png(&empty).expect("render")
    );
}

#[test]
fn nan_and_gaps_do_not_panic_and_are_not_bridged() {
    let mut series = wave("cpu", 200, 5_000);
    series.points[50].1 = f64::NAN;
    series.points[51].1 = f64::NEG_INFINITY;
    series.points.drain(100..160);
    series.points.push((START_MS, 1.0));
    let mut spec = ChartSpec::new("gaps", "%");
    spec.series = vec![
        series,
        Series {
            name: "single".into(),
            points: vec![(START_MS, 3.0)],
        },
    ];
    spec.time_range = Some((START_MS, START_MS + 200 * 5_000));
    for downsample in [true, false] {
        let png = render_png_with(&spec, RenderOptions { downsample }).expect("render");
        assert_eq!(decode(&png).0, DEFAULT_WIDTH);
    }
}

#[test]
fn long_ranges_and_byte_units_render() {
    let mut spec = ChartSpec::new("web-1 — network", "bytes/s");
    spec.series = vec![wave("eth0 rx", 2_000, 300_000)];
    spec.utc_offset_minutes = -330;
    let png = render_png(&spec).expect("render");
    assert_eq!(decode(&png).1, DEFAULT_HEIGHT);
}

#[test]
fn sizes_out_of_range_are_refused() {
    let mut spec = ChartSpec::new("tiny", "%");
    spec.width = 10;
    assert!(matches!(
        render_png(&spec),
        Err(ChartError::Size { width: 10, .. })
    ));
}
