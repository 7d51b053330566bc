//! Figures: the plugins draw SVG; Telegram shows photos, so they are rendered to PNG with
//! resvg (pure Rust, no system libraries beyond fonts).

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// Side of the longest edge the PNG may have; Telegram's photo limit is 10,000 in total.
const MAX_SIDE: f32 = 4096.0;

#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    #[error("the figure is not valid SVG: {0}")]
    Svg(#[from] usvg::Error),
    #[error("the figure is empty or too large to draw ({0}×{1})")]
    Size(u32, u32),
    #[error("the figure could not be encoded as PNG: {0}")]
    Png(String),
}

/// The system's fonts, loaded once; figures use `sans-serif`, mapped to the first common
/// family installed (the Makefile installs DejaVu where no font is present).
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            let installed = |family: &str| db.faces().any(|f| f.families.iter().any(|(name, _)| name == family));
            if let Some(family) =
                ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial"].into_iter().find(|f| installed(f))
            {
                db.set_sans_serif_family(family);
            }
            Arc::new(db)
        })
        .clone()
}

/// How many font faces figures can use; 0 means labels would be missing.
pub fn font_count() -> usize {
    fonts().len()
}

/// Renders SVG to PNG at twice its size (sharp on phones), within Telegram's limits.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, FigureError> {
    let options = usvg::Options { fontdb: fonts(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size();
    let scale = (2.0f32).min(MAX_SIDE / size.width().max(size.height()));
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(FigureError::Size(w, h))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| FigureError::Png(e.to_string()))
}

/// Telegram refuses photos whose sides differ more than 20-fold; those go as documents.
pub fn fits_as_photo(png: &[u8]) -> bool {
    // PNG: 8-byte signature, then the IHDR chunk with width and height (big-endian).
    let dim = |at: usize| png.get(at..at + 4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let (w, h) = (dim(16), dim(20));
    w > 0 && h > 0 && w.max(h) <= 20 * w.min(h) && w + h <= 10_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_renders_to_a_png_with_ink() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" font-family="sans-serif"><rect x="10" y="10" width="50" height="50" fill="steelblue"/><text x="80" y="50">label</text></svg>"#;
        let png = svg_to_png(svg).expect("renders");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let image = tiny_skia::Pixmap::decode_png(&png).expect("decodes");
        assert_eq!((image.width(), image.height()), (400, 200));
        let ink = image.pixels().iter().filter(|p| p.red() < 200).count();
        assert!(ink > 1000, "the rectangle is drawn: {ink}");
        assert!(fits_as_photo(&png));
    }

    #[test]
    fn invalid_svg_is_an_error() {
        assert!(matches!(svg_to_png("<svg"), Err(FigureError::Svg(_))));
    }
}
