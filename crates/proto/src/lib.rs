//! The agent → hub wire protocol: `POST /api/v1/ingest` carries one [`IngestBatch`],
//! JSON compressed with gzip (`Content-Encoding: gzip`), authenticated by an agent token.

mod batch;
mod codec;
mod fields;
mod limits;

pub use batch::{AgentIdentity, Frame, IngestBatch, IngestReply, MAX_SEQ_STEP, PROTOCOL_VERSION};
pub use fields::{FieldError, FieldLimits};
pub use codec::{CodecError, decode_batch, encode_batch};
pub use limits::{BatchError, Limits, validate_batch};
