//! Property tests of the chunk codec: every chunk decodes to exactly what was encoded.

use hostpulse_store::codec::{ChunkData, decode, encode};
use proptest::prelude::*;

/// Step between timestamps: the regular interval, jitter, repeats, going back, and the
/// extremes that overflow the delta-of-delta arithmetic.
fn step() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => Just(10_000i64),
        3 => 9_990i64..10_010,
        1 => Just(0i64),
        1 => -5_000i64..0,
        1 => any::<i64>(),
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(1i64 << 20), Just(-(1i64 << 20))],
    ]
}

fn timestamps(len: usize) -> impl Strategy<Value = Vec<i64>> {
    let start = prop_oneof![
        3 => Just(1_700_000_000_000i64),
        1 => any::<i64>(),
        1 => prop_oneof![Just(0i64), Just(i64::MAX), Just(i64::MIN)],
    ];
    (start, prop::collection::vec(step(), len.saturating_sub(1))).prop_map(move |(start, steps)| {
        let mut out = Vec::with_capacity(len);
        if len > 0 {
            out.push(start);
        }
        for step in steps {
            let last = out[out.len() - 1];
            out.push(i64::wrapping_add(last, step));
        }
        out
    })
}

/// One value: integers, few-decimal numbers, arbitrary floats and bit patterns (every NaN
/// payload, subnormals), and the special values.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => (-1_000_000i64..1_000_000).prop_map(|v| v as f64),
        3 => (-10_000_000i64..10_000_000).prop_map(|v| v as f64 / 100.0),
        1 => (-1_000_000_000i64..1_000_000_000).prop_map(|v| v as f64 / 1e6),
        2 => any::<f64>(),
        1 => any::<u64>().prop_map(f64::from_bits),
        1 => prop_oneof![
            Just(0.0), Just(-0.0), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(f64::NAN),
            Just(f64::MIN_POSITIVE), Just(f64::MAX), Just(f64::MIN), Just(5e-324),
            Just(9_007_199_254_740_992.0), Just(-9_007_199_254_740_991.0),
        ],
    ]
}

/// A column of `len` values as runs of repeated values (long runs included).
fn column(len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        (value(), prop_oneof![3 => 1usize..4, 1 => 50usize..400]),
        1..20,
    )
    .prop_map(move |runs| {
        let mut out: Vec<f64> = runs
            .into_iter()
            .flat_map(|(v, n)| std::iter::repeat_n(v, n))
            .take(len)
            .collect();
        let fill = out.last().copied().unwrap_or(0.0);
        out.resize(len, fill);
        out
    })
}

fn chunk() -> impl Strategy<Value = ChunkData> {
    (0usize..600, 0usize..4).prop_flat_map(|(len, columns)| {
        (timestamps(len), prop::collection::vec(column(len), columns)).prop_map(
            |(timestamps, columns)| ChunkData {
                timestamps,
                columns,
            },
        )
    })
}

fn bits(chunk: &ChunkData) -> Vec<Vec<u64>> {
    let column = |c: &Vec<f64>| c.iter().map(|v| v.to_bits()).collect();
    chunk.columns.iter().map(column).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn chunk_round_trips_bit_for_bit(data in chunk()) {
        let bytes = encode(&data).expect("columns of equal length encode");
        let back = decode(&bytes).expect("an encoded chunk decodes");
        prop_assert_eq!(&back.timestamps, &data.timestamps);
        prop_assert_eq!(bits(&back), bits(&data));
    }

    #[test]
    fn truncated_chunk_is_an_error_not_a_panic(data in chunk(), cut in any::<prop::sample::Index>()) {
        let bytes = encode(&data).expect("columns of equal length encode");
        let at = cut.index(bytes.len());
        if let Ok(prefix) = decode(&bytes[..at]) {
            // Only padding bits were cut: every point is there, unchanged.
            prop_assert_eq!(&prefix.timestamps, &data.timestamps);
            prop_assert_eq!(bits(&prefix), bits(&data));
        }
    }

    #[test]
    fn regular_series_compress_well(len in 100usize..600, start in 1_600_000_000_000i64..1_800_000_000_000) {
        let timestamps: Vec<i64> = (0..len as i64).map(|i| start + i * 10_000).collect();
        let values: Vec<f64> = (0..len).map(|i| (i % 7) as f64 * 0.25).collect();
        let bytes = encode(&ChunkData { timestamps, columns: vec![values] }).expect("encodes");
        // 16 bytes per point uncompressed; a regular series needs well under 2.
        prop_assert!(bytes.len() < len * 2, "{} bytes for {} points", bytes.len(), len);
    }
}
