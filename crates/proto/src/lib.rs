//! The agent ↔ hub wire protocol: `POST /api/v1/ingest` carries one [`IngestBatch`],
//! JSON compressed with gzip (`Content-Encoding: gzip`), authenticated by an agent token;
//! the [`command`] channel hands an agent the hub's commands over the same connection.

mod batch;
mod codec;
pub mod command;
mod fields;
#[doc(hidden)]
pub mod fuzz;
mod limits;
mod scan;
pub mod version;

pub use batch::{AgentIdentity, Frame, IngestBatch, IngestReply, MAX_SEQ_STEP};
pub use codec::{CodecError, DecodeLimits, decode_batch, decode_batch_bounded, encode_batch};
pub use fields::{FieldError, FieldLimits};
pub use limits::{BatchError, Limits, validate_batch};
pub use version::{MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, UNSUPPORTED_VERSION, VersionRange};
