//! The executor: checks one command against the agent's own settings and its journal, runs
//! it, and reports its output and outcome as [`CommandUpdate`]s.
//!
//! Order of checks: the channel's bounds, already run (`duplicate`), deadline passed
//! (`expired`), cancelled, unknown action (`unsupported`), not allowed or bad arguments
//! (`refused`); then the id is journalled and synced, and only then does the action run.

use std::collections::BTreeMap;
use std::sync::Arc;

use hostpulse_agent_config::ActionsConfig;
use hostpulse_collector::containers::Client;
use hostpulse_core::{Clock, SystemClock};
use hostpulse_proto::command::{BUILTIN_ACTIONS, Command, CommandOutcome, CommandStatus, RUN};

use crate::cancel::{Cancels, StopReason};
use crate::containers::{self, ContainerAction};
use crate::journal::Journal;
use crate::output::{Output, Sink};
use crate::process::{self, Ended, Limits};

/// What a checked command will do.
enum Plan {
    /// A named command's argv.
    Named(String, Vec<String>),
    /// A container action.
    Container(ContainerAction),
}

/// A command that will not run: its status and why.
type NotRun = (CommandStatus, String);

/// Runs the hub's commands on this host, one at a time.
pub struct Executor {
    config: ActionsConfig,
    journal: Journal,
    cancels: Arc<Cancels>,
    clock: Box<dyn Clock>,
    containers: Option<Client>,
}

impl Executor {
    /// An executor for the `actions:` settings `config`, recording executed ids in
    /// `journal` and stopping commands `cancels` names.
    pub fn new(config: ActionsConfig, journal: Journal, cancels: Arc<Cancels>) -> Self {
        Self {
            config,
            journal,
            cancels,
            clock: Box::new(SystemClock),
            containers: None,
        }
    }

    /// The same executor running container actions through `client` (without one they
    /// are `unsupported`).
    pub fn with_containers(mut self, client: Option<Client>) -> Self {
        self.containers = client;
        self
    }

    /// The same executor reading time from `clock`.
    pub fn with_clock(mut self, clock: Box<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The settings it checks commands against.
    pub fn config(&self) -> &ActionsConfig {
        &self.config
    }

    /// Checks and runs `command`, sending its output and finally its outcome to `sink`;
    /// returns the outcome sent.
    pub fn execute(&mut self, command: &Command, sink: Sink<'_>) -> CommandOutcome {
        let mut output = Output::new(self.config.max_output, sink);
        let plan = match self.check(command) {
            Ok(plan) => plan,
            Err((status, error)) => return output.finish(self.not_run(status, error)),
        };
        if let Err(e) = self.journal.record(&command.id) {
            let error = format!("not run: {e}");
            return output.finish(self.not_run(CommandStatus::Failed, error));
        }
        let started_ms = self.clock.now_ms();
        let mut outcome = match plan {
            Plan::Named(name, argv) => self.run_named(command, &name, &argv, &mut output),
            Plan::Container(action) => {
                let cap = usize::try_from(self.config.max_output).unwrap_or(usize::MAX);
                containers::run(&action, self.containers.as_ref(), cap, &mut output)
            }
        };
        outcome.started_ms = Some(started_ms);
        outcome.finished_ms = self.clock.now_ms();
        output.finish(outcome)
    }

    fn check(&self, command: &Command) -> Result<Plan, NotRun> {
        let refused = |error: String| (CommandStatus::Refused, error);
        command.validate().map_err(|e| refused(e.to_string()))?;
        if self.journal.contains(&command.id) {
            return Err((
                CommandStatus::Duplicate,
                format!(
                    "this agent already started command {}; it was not run again",
                    command.id
                ),
            ));
        }
        if self.clock.now_ms() > command.deadline_ms {
            return Err((
                CommandStatus::Expired,
                "the deadline passed before the command could start".to_owned(),
            ));
        }
        if let Some(reason) = self.cancels.stop_reason(&command.id) {
            return Err((CommandStatus::Cancelled, stop_message(reason).to_owned()));
        }
        let action = command.action.as_str();
        if action == RUN {
            return self
                .check_named(&command.args)
                .map(|(name, argv)| Plan::Named(name, argv));
        }
        if !BUILTIN_ACTIONS.contains(&action) {
            return Err((
                CommandStatus::Unsupported,
                format!("this agent does not know the action {action:?} (a newer hub?)"),
            ));
        }
        if !self.config.allows_builtin(action) {
            return Err(refused(not_allowed(action)));
        }
        ContainerAction::parse(action, &command.args)
            .map(Plan::Container)
            .map_err(refused)
    }

    fn check_named(
        &self,
        args: &BTreeMap<String, String>,
    ) -> Result<(String, Vec<String>), NotRun> {
        let refused = |error: String| (CommandStatus::Refused, error);
        if let Some(extra) = args.keys().find(|key| *key != "command") {
            return Err(refused(format!(
                "run takes no argument {extra:?}, only command"
            )));
        }
        let Some(name) = args.get("command") else {
            return Err(refused(
                "run needs the argument command (a name from actions.commands)".to_owned(),
            ));
        };
        let Some(argv) = self.config.commands.get(name) else {
            return Err(refused(format!(
                "no named command {name:?} in actions.commands of this host's agent"
            )));
        };
        if !self.config.allows_command(name) {
            return Err(refused(not_allowed(name)));
        }
        Ok((name.clone(), argv.clone()))
    }

    fn run_named(
        &self,
        command: &Command,
        name: &str,
        argv: &[String],
        output: &mut Output<'_>,
    ) -> CommandOutcome {
        let deadline_passed = || self.clock.now_ms() > command.deadline_ms;
        let stop = || self.cancels.stop_reason(&command.id);
        let limits = Limits {
            timeout: self.config.timeout,
            deadline_passed: &deadline_passed,
            stop: &stop,
        };
        let (status, exit_code, error) = match process::run(argv, &limits, output) {
            Err(e) => (
                CommandStatus::Failed,
                None,
                Some(format!(
                    "cannot start {name} ({}): {e}",
                    argv.first().map_or("", String::as_str)
                )),
            ),
            Ok(Ended::Exited(exit)) => match exit.code() {
                Some(0) => (CommandStatus::Ok, Some(0), None),
                Some(code) => (
                    CommandStatus::Failed,
                    Some(code),
                    Some(format!("{name} exited with code {code}")),
                ),
                None => (
                    CommandStatus::Failed,
                    None,
                    Some(format!("{name} was killed by a signal")),
                ),
            },
            Ok(Ended::TimedOut) => (
                CommandStatus::Failed,
                None,
                Some(format!(
                    "{name} was killed after the timeout of {}s (actions.timeout)",
                    self.config.timeout.as_secs()
                )),
            ),
            Ok(Ended::DeadlinePassed) => (
                CommandStatus::Expired,
                None,
                Some(format!("{name} was stopped: the command's deadline passed")),
            ),
            Ok(Ended::Stopped(reason)) => (
                CommandStatus::Cancelled,
                None,
                Some(format!("{name} was stopped: {}", stop_message(reason))),
            ),
        };
        CommandOutcome {
            status,
            exit_code,
            error,
            started_ms: None,
            finished_ms: 0,
            truncated: false,
        }
    }

    fn not_run(&self, status: CommandStatus, error: String) -> CommandOutcome {
        CommandOutcome {
            status,
            exit_code: None,
            error: Some(error),
            started_ms: None,
            finished_ms: self.clock.now_ms(),
            truncated: false,
        }
    }
}

fn not_allowed(name: &str) -> String {
    format!("{name} is not in actions.allow of this host's agent (its administrator may add it)")
}

fn stop_message(reason: StopReason) -> &'static str {
    match reason {
        StopReason::Cancelled => "cancelled by the hub",
        StopReason::Shutdown => "the agent is shutting down",
    }
}
