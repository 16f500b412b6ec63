//! PNG encoding of an RGB buffer, in memory.

use crate::ChartError;

/// Encodes `rgb` (8-bit RGB, row-major) as a PNG image.
pub(crate) fn png_rgb(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(encode_error)?;
    writer.write_image_data(rgb).map_err(encode_error)?;
    writer.finish().map_err(encode_error)?;
    Ok(out)
}

fn encode_error(error: png::EncodingError) -> ChartError {
    ChartError::Encode(error.to_string())
}
