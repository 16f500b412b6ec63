//! Value columns: a decimal-scaled integer mode for values with few decimals, and
//! Gorilla-style XOR of the float bits for everything else.

use super::CodecError;
use super::bits::{BitReader, BitWriter, read_class, unzigzag, write_class, zigzag};

/// Largest decimal scale tried: values are stored as integers times 10^-scale.
pub const MAX_SCALE: u8 = 6;
/// Mode byte of a column stored as XOR of float bits.
pub const MODE_XOR: u8 = 0xff;

const POWERS_OF_TEN: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
/// Scaled integers must stay within the exactly representable f64 integer range.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

fn scaled(value: f64, scale: u8) -> Option<i64> {
    let power = POWERS_OF_TEN[usize::from(scale)];
    let integer = (value * power).round();
    if !integer.is_finite() || integer.abs() >= MAX_EXACT {
        return None;
    }
    let integer = integer as i64;
    // Compare exactly what decoding computes, so that -0.0 is refused.
    let back = integer as f64 / power;
    (back.to_bits() == value.to_bits()).then_some(integer)
}

/// The smallest scale at which every value round-trips exactly, if any.
pub fn pick_mode(values: &[f64]) -> u8 {
    (0..=MAX_SCALE)
        .find(|&scale| values.iter().all(|&v| scaled(v, scale).is_some()))
        .unwrap_or(MODE_XOR)
}

/// Writes `values` in `mode` (from [`pick_mode`]).
pub fn write_column(writer: &mut BitWriter, values: &[f64], mode: u8) -> Result<(), CodecError> {
    if mode == MODE_XOR {
        write_xor(writer, values);
        return Ok(());
    }
    let mut previous = 0i64;
    for &value in values {
        let integer = scaled(value, mode).ok_or(CodecError::Malformed("value not at scale"))?;
        write_class(writer, zigzag(integer.wrapping_sub(previous)));
        previous = integer;
    }
    Ok(())
}

/// Reads `count` values written by [`write_column`] in `mode`.
pub fn read_column(
    reader: &mut BitReader<'_>,
    count: usize,
    mode: u8,
) -> Result<Vec<f64>, CodecError> {
    if mode == MODE_XOR {
        return read_xor(reader, count);
    }
    let power = *POWERS_OF_TEN
        .get(usize::from(mode))
        .ok_or(CodecError::Malformed("unknown column mode"))?;
    let mut values = Vec::with_capacity(count);
    let mut previous = 0i64;
    for _ in 0..count {
        previous = previous.wrapping_add(unzigzag(read_class(reader)?));
        values.push(previous as f64 / power);
    }
    Ok(values)
}

/// Gorilla XOR: `0` for a repeat; `10` + meaningful bits inside the previous window;
/// `11` + 6-bit leading zeros + 6-bit (length - 1) + meaningful bits otherwise.
fn write_xor(writer: &mut BitWriter, values: &[f64]) {
    let mut previous = 0u64;
    let mut window: Option<(u32, u32)> = None;
    for (index, value) in values.iter().enumerate() {
        let bits = value.to_bits();
        if index == 0 {
            writer.write(bits, 64);
            previous = bits;
            continue;
        }
        let xor = bits ^ previous;
        previous = bits;
        if xor == 0 {
            writer.write_bit(false);
            continue;
        }
        let leading = xor.leading_zeros().min(63);
        let trailing = xor.trailing_zeros();
        match window {
            Some((lead, trail)) if leading >= lead && trailing >= trail => {
                writer.write(0b10, 2);
                writer.write(xor >> trail, 64 - lead - trail);
            }
            _ => {
                let length = 64 - leading - trailing;
                writer.write(0b11, 2);
                writer.write(u64::from(leading), 6);
                writer.write(u64::from(length - 1), 6);
                writer.write(xor >> trailing, length);
                window = Some((leading, trailing));
            }
        }
    }
}

fn read_xor(reader: &mut BitReader<'_>, count: usize) -> Result<Vec<f64>, CodecError> {
    let mut values = Vec::with_capacity(count);
    let mut previous = 0u64;
    let mut window = (0u32, 0u32);
    for index in 0..count {
        if index == 0 {
            previous = reader.read(64)?;
        } else if reader.read_bit()? {
            if reader.read_bit()? {
                let leading = reader.read(6)? as u32;
                let length = reader.read(6)? as u32 + 1;
                if leading + length > 64 {
                    return Err(CodecError::Malformed("xor window exceeds 64 bits"));
                }
                window = (leading, 64 - leading - length);
            }
            let (lead, trail) = window;
            previous ^= reader.read(64 - lead - trail)? << trail;
        }
        values.push(f64::from_bits(previous));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_smallest_exact_scale() {
        assert_eq!(pick_mode(&[1.0, 2.0, 1e12]), 0);
        assert_eq!(pick_mode(&[12.34, 0.5]), 2);
        assert_eq!(pick_mode(&[0.000001]), 6);
        assert_eq!(pick_mode(&[]), 0);
    }

    #[test]
    fn falls_back_to_xor_for_awkward_values() {
        assert_eq!(pick_mode(&[0.1 + 0.2]), MODE_XOR);
        assert_eq!(pick_mode(&[-0.0]), MODE_XOR);
        assert_eq!(pick_mode(&[1e300]), MODE_XOR);
        assert_eq!(pick_mode(&[f64::MIN_POSITIVE]), MODE_XOR);
    }
}
