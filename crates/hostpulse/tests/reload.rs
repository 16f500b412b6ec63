//! Rule reloads on a running hub: SIGHUP and `POST /api/v1/rules/reload` pick up rule-file
//! changes; a broken file keeps the old rules running and says why.

mod common;

use common::{Hub, Mode, wait_for};
use std::time::Duration;

const RULES_OK: &str = "rules:\n  - name: web_load\n    expr: load.1 > 50\n";
const RULES_BROKEN: &str = "rules:\n  - name: web_load\n    expr: avgg(load.1, 1m) > 50\n";
const RULES_NEW: &str = "rules:\n  - name: web_load_high\n    expr: load.5 > 80\n    for: 1m\n";

fn rule_names(hub: &Hub) -> Vec<String> {
    let reply = hub.get("/api/v1/rules");
    assert_eq!(reply.status, 200, "{}", reply.json);
    let rules = reply.json.as_array().cloned().unwrap_or_default();
    rules
        .iter()
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn sighup_and_api_reload_keep_old_rules_on_a_broken_file() {
    let extra = "rule_files:\n  - {dir}/rules.yaml\n";
    let hub = Hub::start_with(Mode::Hub, extra, |dir| {
        std::fs::write(dir.join("rules.yaml"), RULES_OK).unwrap();
    });
    let file = hub.dir().join("rules.yaml");
    assert!(rule_names(&hub).contains(&"web_load".to_string()));

    // A broken file: the API reload refuses with the file, rule and position…
    std::fs::write(&file, RULES_BROKEN).unwrap();
    let reply = hub.post("/api/v1/rules/reload", Some(&hub.admin_token), b"{}", false);
    assert!(matches!(reply.status, 400 | 422), "{}", reply.json);
    let detail = reply.json["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("rules.yaml") && detail.contains("web_load") && detail.contains("avgg"),
        "{detail}"
    );
    // …SIGHUP logs it, and the old rules keep running.
    hub.send_signal(libc::SIGHUP);
    wait_for(
        "the failed reload to be logged",
        Duration::from_secs(10),
        || hub.logs().contains("avgg").then_some(()),
    );
    assert!(rule_names(&hub).contains(&"web_load".to_string()));

    // A fixed file with another rule: SIGHUP swaps the rules.
    std::fs::write(&file, RULES_NEW).unwrap();
    hub.send_signal(libc::SIGHUP);
    let names = wait_for("the new rule after SIGHUP", Duration::from_secs(10), || {
        let names = rule_names(&hub);
        names
            .contains(&"web_load_high".to_string())
            .then_some(names)
    });
    assert!(!names.contains(&"web_load".to_string()), "{names:?}");
    // Built-in rules stay loaded beside the file's.
    assert!(names.contains(&"host_down".to_string()), "{names:?}");
}
