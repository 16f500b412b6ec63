//! The charts `/graph` draws: a metric word (`cpu`, `mem`, ...) or a full metric name
//! (`cpu.usage_percent`, as the alert Graph button sends it) → title, unit and lines.

use hostpulse_store::SeriesPoints;
use std::borrow::Cow;

/// Which stored series of a metric become lines, and their legend names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Split {
    /// Only the series without labels (e.g. all CPUs together), named after the line.
    Unlabelled,
    /// One line per value of this label, e.g. per `mount`.
    By(&'static str),
    /// Every series, named by its label values.
    All,
}

/// One source of lines: a metric and the legend name of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub metric: Cow<'static, str>,
    pub name: &'static str,
    pub split: Split,
}

/// A chart: title, unit of its values and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Kind {
    pub title: Cow<'static, str>,
    pub unit: &'static str,
    pub lines: Cow<'static, [Line]>,
}

const fn line(metric: &'static str, name: &'static str, split: Split) -> Line {
    Line {
        metric: Cow::Borrowed(metric),
        name,
        split,
    }
}

const fn kind(title: &'static str, unit: &'static str, lines: &'static [Line]) -> Kind {
    Kind {
        title: Cow::Borrowed(title),
        unit,
        lines: Cow::Borrowed(lines),
    }
}

const CPU: Line = line("cpu.usage_percent", "cpu", Split::Unlabelled);
const MEM: Line = line("mem.used_percent", "memory", Split::Unlabelled);

const CPU_AND_MEM: &[Line] = &[CPU, MEM];
const CPU_ONLY: &[Line] = &[CPU];
const MEM_ONLY: &[Line] = &[MEM];
const LOAD: &[Line] = &[
    line("load.1", "1 min", Split::Unlabelled),
    line("load.5", "5 min", Split::Unlabelled),
    line("load.15", "15 min", Split::Unlabelled),
];
const DISK: &[Line] = &[line("disk.used_percent", "", Split::By("mount"))];
const NET: &[Line] = &[
    line("net.rx_bytes_per_sec", "rx", Split::By("iface")),
    line("net.tx_bytes_per_sec", "tx", Split::By("iface")),
];
const SWAP: &[Line] = &[line("swap.used_percent", "swap", Split::Unlabelled)];
const CORES: &[Line] = &[line("cpu.usage_percent", "core", Split::By("cpu"))];

/// The chart without a metric argument: CPU and memory.
pub(super) const DEFAULT_KIND: Kind = kind("CPU and memory", "%", CPU_AND_MEM);

/// Metric words and their charts.
const KINDS: &[(&str, Kind)] = &[
    ("cpu", kind("CPU", "%", CPU_ONLY)),
    ("cores", kind("CPU per core", "%", CORES)),
    ("mem", kind("memory", "%", MEM_ONLY)),
    ("memory", kind("memory", "%", MEM_ONLY)),
    ("load", kind("load", "", LOAD)),
    ("disk", kind("disk used", "%", DISK)),
    ("net", kind("network", "bytes/s", NET)),
    ("swap", kind("swap used", "%", SWAP)),
];

/// The chart a metric word (`cpu`) or a metric one of them draws (`cpu.usage_percent`) names.
pub(super) fn kind_for(word: &str) -> Option<Kind> {
    let lower = word.to_ascii_lowercase();
    let by_word = KINDS.iter().find(|(name, _)| *name == lower);
    let by_metric = || {
        KINDS
            .iter()
            .find(|(_, kind)| kind.lines.iter().any(|line| line.metric == word))
    };
    by_word.or_else(by_metric).map(|(_, kind)| kind.clone())
}

/// A chart of any other metric name, one line per series; `None` when `word` does not look
/// like a metric name.
pub(super) fn custom_kind(word: &str) -> Option<Kind> {
    is_metric_name(word).then(|| Kind {
        title: Cow::Owned(word.to_string()),
        unit: unit_of(word),
        lines: Cow::Owned(vec![Line {
            metric: Cow::Owned(word.to_string()),
            name: "",
            split: Split::All,
        }]),
    })
}

/// `group.name` of letters, digits and underscores, as in docs/metrics.md.
fn is_metric_name(word: &str) -> bool {
    word.contains('.')
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
}

fn unit_of(metric: &str) -> &'static str {
    if metric.ends_with("_percent") {
        "%"
    } else if metric.ends_with("_bytes_per_sec") {
        "bytes/s"
    } else if metric.ends_with("_bytes") {
        "bytes"
    } else {
        ""
    }
}

/// The legend name of `series` on `line`; `None` when the line does not draw it.
pub(super) fn series_name(line: &Line, series: &SeriesPoints) -> Option<String> {
    let labelled = |value: &str| match line.name {
        "" => value.to_string(),
        name => format!("{name} {value}"),
    };
    match line.split {
        Split::Unlabelled => series.labels.is_empty().then(|| line.name.to_string()),
        Split::By(label) => series.labels.get(label).map(|value| labelled(value)),
        Split::All if series.labels.is_empty() => Some(line.metric.to_string()),
        Split::All => {
            let values: Vec<&str> = series.labels.values().map(String::as_str).collect();
            Some(labelled(&values.join(" ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_metric_names() {
        assert_eq!(kind_for("CPU").map(|k| k.title), Some("CPU".into()));
        assert_eq!(kind_for("cpu.usage_percent"), kind_for("cpu"));
        assert_eq!(kind_for("net.tx_bytes_per_sec"), kind_for("net"));
        let cores = kind_for("Cores").expect("a metric word");
        assert_eq!(cores.lines[0].metric, "cpu.usage_percent");
        assert_eq!(cores.lines[0].split, Split::By("cpu"));
        assert_eq!(kind_for("web-1"), None);
        assert_eq!(kind_for("disk.inodes_used_percent"), None);
        let custom = custom_kind("disk.inodes_used_percent").expect("a metric");
        assert_eq!((custom.unit, custom.lines[0].split), ("%", Split::All));
        assert_eq!(custom_kind("web-1"), None);
    }

    #[test]
    fn cores_draw_one_line_per_core() {
        let cores = kind_for("cores").expect("a metric word");
        let series = |labels: &[(&str, &str)]| SeriesPoints {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: Vec::new(),
        };
        let name = |labels: &[(&str, &str)]| series_name(&cores.lines[0], &series(labels));
        assert_eq!(name(&[("cpu", "3")]), Some("core 3".to_string()));
        assert_eq!(name(&[]), None, "no host total on the per-core chart");
    }
}
