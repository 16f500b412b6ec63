//! The `inhibit_rules:` and `maintenance:` sections: what mutes alerts besides silences.

use std::collections::BTreeSet;
use std::time::Duration;

use hostpulse_alerting::{
    InhibitRule, MaintenanceSchedule, MaintenanceWindow, WEEKDAYS, WeeklySchedule,
};
use hostpulse_core::Matcher;
use hostpulse_core::matcher::parse_matcher;
use serde::Deserialize;

use super::times::{parse_rfc3339_ms, parse_time_of_day, parse_timezone};
use super::{label_names, required_name};
use crate::scalar::Scalar;
use crate::validate::{Validator, join};

/// One inhibition rule as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInhibit {
    name: Option<Scalar>,
    source: Option<Vec<Scalar>>,
    target: Option<Vec<Scalar>>,
    equal: Option<Vec<Scalar>>,
}

/// One maintenance window as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMaintenance {
    name: Option<Scalar>,
    hosts: Option<Vec<Scalar>>,
    groups: Option<Vec<Scalar>>,
    start: Option<Scalar>,
    end: Option<Scalar>,
    every: Option<RawEvery>,
    comment: Option<Scalar>,
}

/// The `every:` of a recurring maintenance window as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvery {
    days: Option<Vec<Scalar>>,
    at: Option<Scalar>,
    duration: Option<Scalar>,
    timezone: Option<Scalar>,
}

pub(super) fn validate_inhibit_rules(raw: Vec<RawInhibit>, v: &mut Validator) -> Vec<InhibitRule> {
    let mut rules = Vec::new();
    for (i, rule) in raw.into_iter().enumerate() {
        let path = format!("inhibit_rules[{i}]");
        let source = matchers(v, &join(&path, "source"), rule.source);
        let target = matchers(v, &join(&path, "target"), rule.target);
        let equal = label_names(v, &join(&path, "equal"), rule.equal.unwrap_or_default());
        let name = match rule.name {
            Some(raw) => required_name(v, &join(&path, "name"), Some(raw)),
            None => Some(format!("inhibit_rules[{i}]")),
        };
        if let (Some(source), Some(target), Some(name)) = (source, target, name) {
            rules.push(InhibitRule {
                name,
                source,
                target,
                equal,
            });
        }
    }
    rules
}

/// A required, non-empty list of label matchers.
fn matchers(v: &mut Validator, path: &str, raw: Option<Vec<Scalar>>) -> Option<Vec<Matcher>> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        v.error(
            path,
            "needs at least one matcher, e.g. 'rule=\"host_down\"'",
        );
        return None;
    }
    let before = raw.len();
    let parsed: Vec<Matcher> = raw
        .into_iter()
        .enumerate()
        .filter_map(|(i, text)| {
            v.parse_or(&format!("{path}[{i}]"), Some(text), None, |t| {
                parse_matcher(t).map(Some).map_err(|e| e.to_string())
            })
        })
        .collect();
    (parsed.len() == before).then_some(parsed)
}

pub(super) fn validate_maintenance(
    raw: Vec<RawMaintenance>,
    v: &mut Validator,
) -> Vec<MaintenanceWindow> {
    let mut seen = BTreeSet::new();
    let mut windows = Vec::new();
    for (i, window) in raw.into_iter().enumerate() {
        let path = format!("maintenance[{i}]");
        let name = required_name(v, &join(&path, "name"), window.name.clone());
        if let Some(name) = &name
            && !seen.insert(name.clone())
        {
            v.error(
                &join(&path, "name"),
                format!("window {name:?} is defined twice"),
            );
        }
        if let (Some(name), Some(window)) = (name, window.validate(v, &path)) {
            windows.push(MaintenanceWindow { name, ..window });
        }
    }
    windows
}

impl RawMaintenance {
    fn validate(self, v: &mut Validator, path: &str) -> Option<MaintenanceWindow> {
        let texts = |raw: Option<Vec<Scalar>>| -> Vec<String> {
            raw.unwrap_or_default()
                .into_iter()
                .map(|s| s.text().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let hosts = texts(self.hosts);
        let groups = texts(self.groups);
        if hosts.is_empty() && groups.is_empty() {
            let message = "needs hosts or groups (use hosts: [\"*\"] for every host)";
            v.error(&join(path, "hosts"), message);
        }
        let schedule = match (self.start, self.end, self.every) {
            (None, None, Some(every)) => every.validate(v, &join(path, "every")),
            (start, end, None) if start.is_some() || end.is_some() => once(v, path, start, end),
            (_, _, Some(_)) => {
                v.error(
                    &join(path, "every"),
                    "set either start/end or every, not both",
                );
                None
            }
            _ => {
                v.error(path, "needs start and end (one-off) or every (recurring)");
                None
            }
        };
        let comment = self.comment.map(Scalar::into_string).unwrap_or_default();
        let schedule = schedule.filter(|_| !hosts.is_empty() || !groups.is_empty())?;
        Some(MaintenanceWindow {
            name: String::new(),
            hosts,
            groups,
            schedule,
            comment,
        })
    }
}

fn once(
    v: &mut Validator,
    path: &str,
    start: Option<Scalar>,
    end: Option<Scalar>,
) -> Option<MaintenanceSchedule> {
    let mut time = |key: &str, raw: Option<Scalar>| {
        let key_path = join(path, key);
        if raw.is_none() {
            v.error(
                &key_path,
                "is required for a one-off window (RFC 3339, e.g. 2026-12-01T02:00:00Z)",
            );
        }
        v.parse_or(&key_path, raw, None, |t| parse_rfc3339_ms(t).map(Some))
    };
    let (start_ms, end_ms) = (time("start", start)?, time("end", end)?);
    if end_ms <= start_ms {
        v.error(&join(path, "end"), "must be after start");
        return None;
    }
    Some(MaintenanceSchedule::Once { start_ms, end_ms })
}

impl RawEvery {
    fn validate(self, v: &mut Validator, path: &str) -> Option<MaintenanceSchedule> {
        let days = weekdays(v, &join(path, "days"), self.days.unwrap_or_default());
        let at_path = join(path, "at");
        let Some(at) = self.at else {
            v.error(&at_path, "is required (HH:MM, e.g. 03:00)");
            return None;
        };
        let start = v.parse_or(&at_path, Some(at), None, |t| {
            parse_time_of_day(t)
                .map(Some)
                .ok_or_else(|| format!("{t:?} is not a time of day (use HH:MM, e.g. 03:00)"))
        });
        let duration_path = join(path, "duration");
        if self.duration.is_none() {
            v.error(&duration_path, "is required (e.g. 2h)");
        }
        let duration = v.duration(
            &duration_path,
            self.duration,
            Duration::ZERO,
            Duration::from_secs(60),
        );
        if duration > Duration::from_secs(7 * 86_400) {
            v.error(&duration_path, "must be at most 7d");
        }
        let zone = v.parse_or(
            &join(path, "timezone"),
            self.timezone,
            Some(jiff::tz::TimeZone::UTC),
            |t| parse_timezone(t).map(Some),
        );
        Some(MaintenanceSchedule::Weekly(WeeklySchedule {
            days: days?,
            start: start?,
            duration: Some(duration).filter(|d| !d.is_zero())?,
            zone: zone?,
        }))
    }
}

fn weekdays(v: &mut Validator, path: &str, raw: Vec<Scalar>) -> Option<[bool; 7]> {
    let mut days = [false; 7];
    let mut ok = true;
    for (i, day) in raw.iter().enumerate() {
        let text = day.text().to_ascii_lowercase();
        let full_names = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        let found = WEEKDAYS
            .iter()
            .zip(full_names)
            .position(|(short, long)| text == *short || text == long);
        match found {
            Some(index) => days[index] = true,
            None => {
                v.error(
                    &format!("{path}[{i}]"),
                    format!("{text:?} is not a weekday (use mon, tue, ..., sun)"),
                );
                ok = false;
            }
        }
    }
    if raw.is_empty() {
        v.error(
            path,
            "needs at least one weekday (mon, tue, wed, thu, fri, sat, sun)",
        );
        return None;
    }
    ok.then_some(days)
}
