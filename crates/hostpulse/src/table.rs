//! Plain-text tables whose columns are as wide as their widest cell.

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Renders `header` and `rows` with one space between columns; the last column is not
/// padded on the right. Widths count characters, not bytes.
pub fn render(header: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header
        .iter()
        .map(|(title, _)| title.chars().count())
        .collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let titles: Vec<String> = header
        .iter()
        .map(|(title, _)| (*title).to_owned())
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&titles).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(header.iter().zip(&widths))
            .map(|(cell, ((_, align), width))| pad(cell, *width, *align))
            .collect();
        out.push_str(cells.join(" ").trim_end());
        out.push('\n');
    }
    out
}

fn pad(cell: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(cell.chars().count()));
    match align {
        Align::Left => format!("{cell}{fill}"),
        Align::Right => format!("{fill}{cell}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        let rows = vec![
            vec!["mem.total_bytes".to_owned(), "15.6 GiB".to_owned()],
            vec!["load.1".to_owned(), "0.3".to_owned()],
        ];
        let text = render(&[("METRIC", Align::Left), ("VALUE", Align::Right)], &rows);
        assert_eq!(
            text,
            "METRIC             VALUE\nmem.total_bytes 15.6 GiB\nload.1               0.3\n"
        );
    }
}
