//! User and chat id lists of the `telegram:` section: whole numbers, each listed once,
//! and at least one user.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::scalar::Scalar;
use crate::validate::{Validator, join};

/// The role lists, in order of decreasing rights.
const ROLE_KEYS: [&str; 3] = ["admins", "operators", "viewers"];

/// Validates `admins`, `operators` and `viewers` (in that order): positive user ids, each in
/// one list once, and someone listed at all.
pub(super) fn user_lists(
    v: &mut Validator,
    section: &str,
    raw: [Option<Vec<Scalar>>; 3],
) -> [Vec<i64>; 3] {
    let mut listed_in: BTreeMap<i64, &str> = BTreeMap::new();
    let mut lists: [Vec<i64>; 3] = Default::default();
    let mut written = 0;
    for ((key, raw), list) in ROLE_KEYS.into_iter().zip(raw).zip(&mut lists) {
        let key_path = join(section, key);
        for (i, scalar) in raw.unwrap_or_default().into_iter().enumerate() {
            written += 1;
            let item = format!("{key_path}[{i}]");
            let Some(id) = v.parse_or(&item, Some(scalar), None, parse_user_id) else {
                continue;
            };
            match listed_in.entry(id) {
                Entry::Vacant(entry) => {
                    entry.insert(key);
                    list.push(id);
                }
                Entry::Occupied(entry) if *entry.get() == key => {
                    v.error(&item, format!("user {id} is listed twice in {key}"));
                }
                Entry::Occupied(entry) => {
                    let first = *entry.get();
                    v.error(
                        &item,
                        format!(
                            "user {id} is listed in both {first} and {key}; \
                             keep the one role it should have"
                        ),
                    );
                }
            }
        }
    }
    if written == 0 {
        v.error(
            section,
            "nobody may use the bot: list user ids under admins, operators or viewers",
        );
    }
    lists
}

/// Validates `chats`: non-zero chat ids, each listed once.
pub(super) fn chat_list(v: &mut Validator, path: &str, raw: Vec<Scalar>) -> Vec<i64> {
    let mut chats: Vec<i64> = Vec::new();
    for (i, scalar) in raw.into_iter().enumerate() {
        let item = format!("{path}[{i}]");
        let Some(id) = v.parse_or(&item, Some(scalar), None, parse_chat_id) else {
            continue;
        };
        if chats.contains(&id) {
            v.error(&item, format!("chat {id} is listed twice"));
        } else {
            chats.push(id);
        }
    }
    chats
}

fn parse_user_id(text: &str) -> Result<Option<i64>, String> {
    match text.parse::<i64>() {
        Ok(id) if id > 0 => Ok(Some(id)),
        _ => Err(format!(
            "{text:?} is not a user id (a positive whole number such as 123456789)"
        )),
    }
}

fn parse_chat_id(text: &str) -> Result<Option<i64>, String> {
    match text.parse::<i64>() {
        Ok(id) if id != 0 => Ok(Some(id)),
        _ => Err(format!(
            "{text:?} is not a chat id (a whole number such as -1001234567890; @names are not accepted)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_positive_whole_numbers() {
        assert_eq!(parse_user_id("1001"), Ok(Some(1001)));
        for bad in ["0", "-5", "1.5", "abc", "", "99999999999999999999"] {
            assert!(parse_user_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chat_ids_are_non_zero_whole_numbers() {
        assert_eq!(
            parse_chat_id("-1001234567890"),
            Ok(Some(-1_001_234_567_890))
        );
        assert_eq!(parse_chat_id("42"), Ok(Some(42)));
        for bad in ["0", "@ops", "-1.5", ""] {
            assert!(parse_chat_id(bad).is_err(), "{bad}");
        }
    }
}
