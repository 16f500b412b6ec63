//! `telegram.timezone`: the IANA time zone the bot shows times and chart axes in, checked
//! against the time zone database bundled into the binary.

use jiff::tz::{self, TimeZone};

use crate::scalar::Scalar;
use crate::suggest::closest;
use crate::validate::Validator;

/// The zone of a bot without `telegram.timezone`.
pub(super) const DEFAULT_TIMEZONE: &str = "UTC";

/// The validated zone name at `path` (its canonical spelling), or `UTC` when unset.
pub(super) fn validate(v: &mut Validator, path: &str, raw: Option<Scalar>) -> String {
    v.parse_or(path, raw, DEFAULT_TIMEZONE.to_owned(), parse_timezone)
}

/// A known IANA zone name such as `Europe/Berlin`, or `UTC`, in its canonical spelling.
fn parse_timezone(text: &str) -> Result<String, String> {
    let name = text.trim();
    match TimeZone::get(name) {
        Ok(zone) => Ok(zone.iana_name().unwrap_or(name).to_owned()),
        Err(_) => Err(unknown_zone_message(name)),
    }
}

fn unknown_zone_message(name: &str) -> String {
    let database = tz::db();
    let known: Vec<String> = database.available().map(|zone| zone.to_string()).collect();
    let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = closest(name, &candidates)
        .map(|zone| format!(" (did you mean {zone:?}?)"))
        .unwrap_or_default();
    format!(
        "{name:?} is not a known time zone{hint}; use an IANA name such as Europe/Berlin, \
         America/New_York or UTC"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_and_utc_are_accepted() {
        assert_eq!(parse_timezone("Europe/Berlin"), Ok("Europe/Berlin".into()));
        assert_eq!(parse_timezone("UTC"), Ok("UTC".into()));
        assert_eq!(
            parse_timezone("america/new_york"),
            Ok("America/New_York".into())
        );
    }

    #[test]
    fn unknown_names_are_refused_with_a_suggestion() {
        let error = parse_timezone("Europe/Berlim").expect_err("a typo");
        assert!(error.contains("did you mean \"Europe/Berlin\"?"), "{error}");
        let error = parse_timezone("Mars/Olympus_Mons").expect_err("no such zone");
        assert!(error.contains("not a known time zone"), "{error}");
        assert!(parse_timezone("").is_err());
        assert!(parse_timezone("+02:00").is_err());
    }
}
