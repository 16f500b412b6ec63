//! The same frames as Prometheus remote-write 1.0 requests (a snappy-compressed protobuf
//! `WriteRequest`), to load a Prometheus server as a peer with identical series.
//!
//! Messages: `WriteRequest { repeated TimeSeries timeseries = 1; }`,
//! `TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }`,
//! `Label { string name = 1; string value = 2; }`, `Sample { double value = 1; int64 timestamp = 2; }`.

use hostpulse_core::Sample;
use hostpulse_proto::Frame;

/// Wire type of length-delimited fields.
const LEN: u8 = 2;
/// Wire type of 64-bit fields.
const FIXED64: u8 = 1;
/// Wire type of varint fields.
const VARINT: u8 = 0;

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_key(out: &mut Vec<u8>, field: u8, wire_type: u8) {
    out.push((field << 3) | wire_type);
}

fn put_bytes(out: &mut Vec<u8>, field: u8, bytes: &[u8]) {
    put_key(out, field, LEN);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A hostpulse metric name as a Prometheus one: `cpu.usage_percent` → `cpu_usage_percent`.
pub fn prometheus_name(name: &str) -> String {
    name.replace('.', "_")
}

/// The encoded `Label` fields (field 1 of `TimeSeries`) of one series, sorted by name as
/// remote write requires, with `instance` set to the host.
pub fn encode_labels(sample: &Sample, instance: &str) -> Vec<u8> {
    let name = prometheus_name(&sample.name);
    let mut labels: Vec<(&str, &str)> = vec![("__name__", &name), ("instance", instance)];
    labels.extend(sample.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    labels.sort_unstable();
    let mut out = Vec::with_capacity(64);
    let mut label = Vec::with_capacity(64);
    for (key, value) in labels {
        label.clear();
        put_bytes(&mut label, 1, key.as_bytes());
        put_bytes(&mut label, 2, value.as_bytes());
        put_bytes(&mut out, 1, &label);
    }
    out
}

/// Encodes `frames` (one time series per sample per frame) and snappy-compresses the request.
/// `labels[i]` is [`encode_labels`] of the i-th sample of every frame.
pub fn encode_write_request(frames: &[Frame], labels: &[Vec<u8>]) -> Vec<u8> {
    let mut request = Vec::with_capacity(frames.len() * labels.len() * 96);
    let mut series = Vec::with_capacity(256);
    for frame in frames {
        for (sample, label_bytes) in frame.samples.iter().zip(labels) {
            series.clear();
            series.extend_from_slice(label_bytes);
            let mut point = Vec::with_capacity(20);
            put_key(&mut point, 1, FIXED64);
            point.extend_from_slice(&sample.value.to_le_bytes());
            put_key(&mut point, 2, VARINT);
            put_varint(&mut point, frame.ts_ms as u64);
            put_bytes(&mut series, 2, &point);
            put_bytes(&mut request, 1, &series);
        }
    }
    snap::raw::Encoder::new()
        .compress_vec(&request)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_match_protobuf() {
        let mut out = Vec::new();
        put_varint(&mut out, 1);
        put_varint(&mut out, 300);
        put_varint(&mut out, 1_700_000_000_000);
        assert_eq!(out[..3], [0x01, 0xac, 0x02]);
        assert_eq!(out[3..], [0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31]);
    }

    #[test]
    fn labels_are_sorted_with_name_first() {
        let sample = Sample::new("cpu.usage_percent", 1.0).with_label("cpu", "3");
        let bytes = encode_labels(&sample, "web-1");
        let text = String::from_utf8_lossy(&bytes);
        let name = text.find("__name__").unwrap();
        let cpu = text.find("cpu\x12").unwrap();
        let instance = text.find("instance").unwrap();
        assert!(name < cpu && cpu < instance, "{text:?}");
        assert!(text.contains("cpu_usage_percent"));
    }

    /// Top-level (field, payload) pairs of a length-delimited-only message.
    fn fields(mut bytes: &[u8]) -> Vec<(u8, &[u8])> {
        let mut out = Vec::new();
        while let Some((&key, rest)) = bytes.split_first() {
            let (mut len, mut shift, mut used) = (0usize, 0, 0);
            for &b in rest {
                len |= usize::from(b & 0x7f) << shift;
                shift += 7;
                used += 1;
                if b < 0x80 {
                    break;
                }
            }
            out.push((key >> 3, &rest[used..used + len]));
            bytes = &rest[used + len..];
        }
        out
    }

    #[test]
    fn requests_decompress_to_one_series_per_sample() {
        let frame = Frame {
            ts_ms: 1_700_000_000_000,
            samples: vec![Sample::new("load.1", 0.5), Sample::new("load.5", 0.25)],
            ..Frame::default()
        };
        let labels: Vec<Vec<u8>> = frame
            .samples
            .iter()
            .map(|s| encode_labels(s, "h"))
            .collect();
        let body = encode_write_request(&[frame.clone(), frame], &labels);
        let raw = snap::raw::Decoder::new().decompress_vec(&body).unwrap();
        let series = fields(&raw);
        assert_eq!(series.len(), 4);
        assert!(series.iter().all(|(field, _)| *field == 1));
        let parts = fields(series[1].1);
        let names: Vec<u8> = parts.iter().map(|(field, _)| *field).collect();
        assert_eq!(names, [1, 1, 2]);
        let point = parts[2].1;
        assert_eq!(point[0], 0x09);
        assert_eq!(point[1..9], 0.25f64.to_le_bytes());
    }
}
