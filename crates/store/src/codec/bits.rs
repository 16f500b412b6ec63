//! Bit-level writer and reader, zigzag mapping and the prefix-class integer code.

use super::CodecError;

/// Appends bits most-significant first into a byte vector.
#[derive(Debug, Default)]
pub struct BitWriter {
    bytes: Vec<u8>,
    /// Bits used in the last byte (0 means the last byte is full or absent).
    used: u32,
}

impl BitWriter {
    /// Writes the low `count` bits of `value` (count <= 64).
    pub fn write(&mut self, value: u64, count: u32) {
        let mut remaining = count;
        while remaining > 0 {
            if self.used == 0 {
                self.bytes.push(0);
            }
            let free = 8 - self.used;
            let take = free.min(remaining);
            let shift = remaining - take;
            let part = ((value >> shift) & ((1u64 << take) - 1)) as u8;
            if let Some(last) = self.bytes.last_mut() {
                *last |= part << (free - take);
            }
            self.used = (self.used + take) % 8;
            remaining -= take;
        }
    }

    /// Writes one bit.
    pub fn write_bit(&mut self, bit: bool) {
        self.write(u64::from(bit), 1);
    }

    /// The written bytes; a partial last byte is padded with zero bits.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// Reads bits most-significant first from a byte slice.
#[derive(Debug)]
pub struct BitReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    /// Reads `count` bits (count <= 64) as the low bits of a u64.
    pub fn read(&mut self, count: u32) -> Result<u64, CodecError> {
        let mut value = 0u64;
        let mut remaining = count;
        while remaining > 0 {
            let byte = *self
                .bytes
                .get(self.position / 8)
                .ok_or(CodecError::Truncated)?;
            let offset = (self.position % 8) as u32;
            let available = 8 - offset;
            let take = available.min(remaining);
            let part = (u64::from(byte) >> (available - take)) & ((1u64 << take) - 1);
            value = (value << take) | part;
            self.position += take as usize;
            remaining -= take;
        }
        Ok(value)
    }

    pub fn read_bit(&mut self) -> Result<bool, CodecError> {
        Ok(self.read(1)? == 1)
    }
}

/// Maps a signed integer to an unsigned one so that small magnitudes stay small.
pub fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// Inverse of [`zigzag`].
pub fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// Writes an unsigned integer with a prefix class: `0` for zero, `10`+6 bits,
/// `110`+13 bits, `1110`+20 bits, else `1111` + 6-bit length + that many bits.
pub fn write_class(writer: &mut BitWriter, value: u64) {
    if value == 0 {
        writer.write(0, 1);
    } else if value < 1 << 6 {
        writer.write(0b10, 2);
        writer.write(value, 6);
    } else if value < 1 << 13 {
        writer.write(0b110, 3);
        writer.write(value, 13);
    } else if value < 1 << 20 {
        writer.write(0b1110, 4);
        writer.write(value, 20);
    } else {
        let length = 64 - value.leading_zeros();
        writer.write(0b1111, 4);
        writer.write(u64::from(length - 1), 6);
        writer.write(value, length);
    }
}

/// Reads a value written by [`write_class`].
pub fn read_class(reader: &mut BitReader<'_>) -> Result<u64, CodecError> {
    if !reader.read_bit()? {
        return Ok(0);
    }
    if !reader.read_bit()? {
        return reader.read(6);
    }
    if !reader.read_bit()? {
        return reader.read(13);
    }
    if !reader.read_bit()? {
        return reader.read(20);
    }
    let length = reader.read(6)? as u32 + 1;
    reader.read(length)
}

/// Appends an unsigned LEB128 varint.
pub fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads an unsigned LEB128 varint at `*position`, advancing it.
pub fn read_varint(bytes: &[u8], position: &mut usize) -> Result<u64, CodecError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*position).ok_or(CodecError::Truncated)?;
        *position += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(CodecError::Malformed("varint longer than 64 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_at_every_width() {
        let mut writer = BitWriter::default();
        for width in 1..=64u32 {
            let value = u64::MAX >> (64 - width);
            writer.write(value, width);
            writer.write_bit(false);
        }
        let bytes = writer.finish();
        let mut reader = BitReader::new(&bytes);
        for width in 1..=64u32 {
            assert_eq!(reader.read(width).unwrap(), u64::MAX >> (64 - width));
            assert!(!reader.read_bit().unwrap());
        }
    }

    #[test]
    fn zigzag_round_trips_extremes() {
        for v in [0, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
    }

    #[test]
    fn class_code_round_trips_boundaries() {
        let values = [0, 1, 63, 64, 8191, 8192, (1 << 20) - 1, 1 << 20, u64::MAX];
        let mut writer = BitWriter::default();
        for v in values {
            write_class(&mut writer, v);
        }
        let bytes = writer.finish();
        let mut reader = BitReader::new(&bytes);
        for v in values {
            assert_eq!(read_class(&mut reader).unwrap(), v);
        }
    }

    #[test]
    fn varint_round_trips_and_detects_truncation() {
        let mut out = Vec::new();
        for v in [0, 127, 128, u64::MAX] {
            write_varint(&mut out, v);
        }
        let mut position = 0;
        for v in [0, 127, 128, u64::MAX] {
            assert_eq!(read_varint(&out, &mut position).unwrap(), v);
        }
        assert!(read_varint(&out, &mut position).is_err());
    }

    #[test]
    fn reading_past_the_end_fails() {
        let mut reader = BitReader::new(&[0xff]);
        assert_eq!(reader.read(8).unwrap(), 0xff);
        assert!(matches!(reader.read(1), Err(CodecError::Truncated)));
    }
}
