//! Round-trip tests of the chunk codec over edge values and seeded random series.

use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn single(timestamps: Vec<i64>, values: Vec<f64>) -> ChunkData {
    ChunkData {
        timestamps,
        columns: vec![values],
    }
}

fn assert_round_trip(data: &ChunkData) -> usize {
    let bytes = encode(data).unwrap();
    let back = decode(&bytes).unwrap();
    assert_eq!(back.timestamps, data.timestamps);
    assert_eq!(back.columns.len(), data.columns.len());
    for (a, b) in back.columns.iter().zip(&data.columns) {
        let a_bits: Vec<u64> = a.iter().map(|v| v.to_bits()).collect();
        let b_bits: Vec<u64> = b.iter().map(|v| v.to_bits()).collect();
        assert_eq!(a_bits, b_bits);
    }
    bytes.len()
}

fn regular_timestamps(count: usize) -> Vec<i64> {
    (0..count as i64)
        .map(|i| 1_700_000_000_000 + i * 5_000)
        .collect()
}

#[test]
fn empty_and_single_point_round_trip() {
    assert_round_trip(&ChunkData::with_columns(1));
    assert_round_trip(&ChunkData::with_columns(4));
    assert_round_trip(&single(vec![-5], vec![3.25]));
    assert_round_trip(&single(vec![i64::MAX], vec![f64::MAX]));
}

#[test]
fn edge_values_round_trip_bit_exactly() {
    let values = vec![
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        5e-324,
        f64::MAX,
        f64::MIN,
        1e15,
        -1e15,
        9_007_199_254_740_993.0,
        0.1 + 0.2,
        f64::INFINITY,
        f64::NEG_INFINITY,
        123.456_789,
    ];
    assert_round_trip(&single(regular_timestamps(values.len()), values));
}

#[test]
fn extreme_timestamps_round_trip() {
    let timestamps = vec![i64::MIN, 0, i64::MAX, -1, 1, i64::MIN + 1];
    assert_round_trip(&single(timestamps, vec![1.0; 6]));
}

#[test]
fn constant_series_compresses_to_almost_nothing() {
    let size = assert_round_trip(&single(regular_timestamps(720), vec![16_777_216.0; 720]));
    assert!(size < 200, "720 constant points took {size} bytes");
}

#[test]
fn two_decimal_percents_use_under_three_bytes_per_point() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut value: f64 = 30.0;
    let values: Vec<f64> = (0..720)
        .map(|_| {
            value = (value + rng.random_range(-2.0..2.0)).clamp(0.0, 100.0);
            (value * 100.0).round() / 100.0
        })
        .collect();
    let size = assert_round_trip(&single(regular_timestamps(720), values));
    assert!(size < 720 * 3, "took {size} bytes");
}

#[test]
fn counters_and_tiny_values_round_trip() {
    let counter: Vec<f64> = (0..500)
        .map(|i| (i * 4096 + 1_000_000_000) as f64)
        .collect();
    assert_round_trip(&single(regular_timestamps(500), counter));
    let tiny: Vec<f64> = (0..500).map(|i| i as f64 * 1e-300).collect();
    assert_round_trip(&single(regular_timestamps(500), tiny));
}

#[test]
fn random_floats_and_jittered_timestamps_round_trip() {
    let mut rng = StdRng::seed_from_u64(42);
    for round in 0..200 {
        let count = rng.random_range(0..800);
        let mut ts = rng.random_range(-1_000_000i64..2_000_000_000_000);
        let timestamps: Vec<i64> = (0..count)
            .map(|_| {
                ts += rng.random_range(0..20_000);
                ts
            })
            .collect();
        let columns = (0..1 + round % 4)
            .map(|_| random_column(&mut rng, count))
            .collect();
        assert_round_trip(&ChunkData {
            timestamps,
            columns,
        });
    }
}

fn random_column(rng: &mut StdRng, count: usize) -> Vec<f64> {
    let kind = rng.random_range(0..4);
    (0..count)
        .map(|_| match kind {
            0 => f64::from_bits(rng.random::<u64>()),
            1 => (rng.random_range(-1e6..1e6f64) * 1000.0).round() / 1000.0,
            2 => rng.random_range(0..1_000_000_000u64) as f64,
            _ => rng.random::<f64>() * 10f64.powi(rng.random_range(-300..300)),
        })
        .collect()
}

#[test]
fn corrupt_input_is_an_error_not_a_panic() {
    let mut rng = StdRng::seed_from_u64(3);
    let data = single(
        regular_timestamps(100),
        (0..100).map(|i| i as f64 * 0.5).collect(),
    );
    let bytes = encode(&data).unwrap();
    assert!(decode(&bytes[..bytes.len() / 2]).is_err());
    assert!(decode(&[]).is_err());
    assert!(decode(&[9, 1, 1]).is_err());
    for _ in 0..2000 {
        let mut damaged = bytes.clone();
        let index = rng.random_range(0..damaged.len());
        damaged[index] ^= 1 << rng.random_range(0..8);
        let _ = decode(&damaged);
    }
}

#[test]
fn mismatched_columns_are_refused() {
    let data = ChunkData {
        timestamps: vec![1, 2],
        columns: vec![vec![1.0]],
    };
    assert!(encode(&data).is_err());
}
