//! Actors, actions and agent names.

use super::*;
use hostpulse_core::Role;

#[test]
fn actors_have_roles_and_audit_names() {
    let token = Actor::ApiToken {
        name: "ci".into(),
        role: Role::Admin,
    };
    let user = Actor::Telegram {
        user_id: 7,
        name: "ann".into(),
        role: Role::Viewer,
    };
    let local = Actor::Local {
        user: "root".into(),
    };
    let system = Actor::System { cause: "SIGHUP" };
    let names = [&token, &user, &local, &system].map(Actor::audit_name);
    assert_eq!(names, ["ci", "telegram:7:ann", "local:root", "SIGHUP"]);
    assert_eq!(user.role(), Role::Viewer);
    assert!(local.may(Role::Admin) && system.may(Role::Admin) && token.may(Role::Operator));
    assert!(!user.may(Role::Operator));
}

#[test]
fn actions_name_their_audit_records_and_roles() {
    let operator = [
        (Action::AlertAck, "alert.ack"),
        (Action::SilenceCreate, "silence.add"),
        (Action::SilenceExpire, "silence.expire"),
    ];
    let admin = [
        (Action::RulesReload, "rules.reload"),
        (Action::NotificationRequeue, "notification.requeue"),
        (Action::ReceiverTest, "receiver.test"),
        (Action::AgentAdd, "agent.add"),
        (Action::AgentRevoke, "agent.revoke"),
    ];
    for (action, name) in operator {
        assert_eq!((action.name(), action.min_role()), (name, Role::Operator));
    }
    for (action, name) in admin {
        assert_eq!((action.name(), action.min_role()), (name, Role::Admin));
    }
}

#[test]
fn roles_by_name() {
    assert_eq!(role_named("admin"), Some(Role::Admin));
    assert_eq!(role_named("operator"), Some(Role::Operator));
    assert_eq!(role_named("viewer"), Some(Role::Viewer));
    assert_eq!(role_named("root"), None);
}

#[test]
fn agent_names() {
    for ok in ["web-1", "db.prod", "a", "x_y"] {
        assert!(validate_agent_name(ok).is_ok(), "{ok}");
    }
    for bad in ["", "-x", "a b", "a/b", &"a".repeat(65)] {
        assert!(validate_agent_name(bad).is_err(), "{bad}");
    }
}
