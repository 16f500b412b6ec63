//! A command's output on its way to the hub: cut into updates of at most
//! [`MAX_UPDATE_OUTPUT_BYTES`], numbered from 0, capped in total (beyond the cap the rest is
//! dropped and the outcome marked `truncated`), and decoded as UTF-8 across read boundaries.

use hostpulse_proto::command::{
    CommandOutcome, CommandUpdate, MAX_COMMAND_OUTPUT_BYTES, MAX_UPDATE_OUTPUT_BYTES,
};

/// Where a command's updates go, in order.
pub type Sink<'a> = &'a mut dyn FnMut(CommandUpdate);

/// Collects output and hands it to a sink in bounded updates.
pub struct Output<'a> {
    sink: Sink<'a>,
    seq: u32,
    pending: String,
    kept: usize,
    cap: usize,
    truncated: bool,
    carry: Vec<u8>,
}

impl<'a> Output<'a> {
    /// Output capped at `cap` bytes (and never more than [`MAX_COMMAND_OUTPUT_BYTES`]).
    pub fn new(cap: u64, sink: Sink<'a>) -> Self {
        let cap = usize::try_from(cap).map_or(MAX_COMMAND_OUTPUT_BYTES, |cap| {
            cap.min(MAX_COMMAND_OUTPUT_BYTES)
        });
        Self {
            sink,
            seq: 0,
            pending: String::new(),
            kept: 0,
            cap,
            truncated: false,
            carry: Vec::new(),
        }
    }

    /// Adds raw bytes; a character split between two reads is decoded whole, invalid bytes
    /// become U+FFFD.
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        self.carry.extend_from_slice(bytes);
        let cut = self.carry.len() - incomplete_tail(&self.carry);
        let text = String::from_utf8_lossy(&self.carry[..cut]).into_owned();
        self.carry.drain(..cut);
        self.push(&text);
    }

    /// Adds text; full updates are sent at once.
    pub fn push(&mut self, text: &str) {
        let room = self.cap - self.kept;
        let taken = prefix(text, room);
        if taken.len() < text.len() {
            self.truncated = true;
        }
        self.kept += taken.len();
        self.pending.push_str(taken);
        while self.pending.len() >= MAX_UPDATE_OUTPUT_BYTES {
            self.send_chunk(None);
        }
    }

    /// Sends what is pending, if anything.
    pub fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.send_chunk(None);
        }
    }

    /// True once output was dropped at the cap.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Sends the rest of the output and the last update, carrying `outcome` (its
    /// `truncated` set when output was dropped); returns the outcome as sent.
    pub fn finish(mut self, mut outcome: CommandOutcome) -> CommandOutcome {
        if !self.carry.is_empty() {
            let rest = String::from_utf8_lossy(&std::mem::take(&mut self.carry)).into_owned();
            self.push(&rest);
        }
        outcome.truncated |= self.truncated;
        while self.pending.len() > MAX_UPDATE_OUTPUT_BYTES {
            self.send_chunk(None);
        }
        self.send_chunk(Some(outcome.clone()));
        outcome
    }

    fn send_chunk(&mut self, outcome: Option<CommandOutcome>) {
        let chunk = prefix(&self.pending, MAX_UPDATE_OUTPUT_BYTES).to_owned();
        self.pending.drain(..chunk.len());
        let update = CommandUpdate {
            seq: self.seq,
            output: chunk,
            outcome,
        };
        self.seq = self.seq.saturating_add(1);
        (self.sink)(update);
    }
}

/// The longest prefix of `text` of at most `max` bytes ending on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Bytes at the end of `bytes` that start a UTF-8 character not complete yet.
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let byte = bytes[bytes.len() - back];
        if byte & 0xC0 == 0x80 {
            continue;
        }
        let needed = match byte {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        return if needed > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_proto::command::CommandStatus;

    fn outcome() -> CommandOutcome {
        CommandOutcome {
            status: CommandStatus::Ok,
            exit_code: Some(0),
            error: None,
            started_ms: Some(1),
            finished_ms: 2,
            truncated: false,
        }
    }

    #[test]
    fn output_is_cut_into_bounded_numbered_updates_and_capped() {
        let mut updates = Vec::new();
        let mut sink = |u: CommandUpdate| updates.push(u);
        let mut output = Output::new(150 * 1024, &mut sink);
        output.push(&"é".repeat(100 * 1024));
        let sent = output.finish(outcome());
        assert!(sent.truncated);
        assert!(updates.iter().all(|u| u.validate().is_ok()));
        let seqs: Vec<u32> = updates.iter().map(|u| u.seq).collect();
        assert_eq!(seqs, [0, 1, 2]);
        let total: usize = updates.iter().map(|u| u.output.len()).sum();
        assert_eq!(total, 150 * 1024);
        assert!(updates[2].outcome.as_ref().is_some_and(|o| o.truncated));
        assert!(updates[..2].iter().all(|u| u.outcome.is_none()));
    }

    #[test]
    fn characters_split_between_reads_are_decoded_whole() {
        let mut updates = Vec::new();
        let mut sink = |u: CommandUpdate| updates.push(u);
        let mut output = Output::new(1024, &mut sink);
        let bytes = "ünï€😀".as_bytes();
        for byte in bytes {
            output.push_bytes(std::slice::from_ref(byte));
        }
        output.push_bytes(&[0xFF]);
        let sent = output.finish(outcome());
        assert!(!sent.truncated);
        assert_eq!(updates[0].output, "ünï€😀\u{FFFD}");
    }
}
