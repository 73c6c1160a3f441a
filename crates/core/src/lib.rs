//! Record types shared by every quarry stage, the error type that names where
//! bad input was found, and the plumbing that connects stages with bounded
//! channels and runs CPU-heavy stages on many threads without reordering.

mod error;
mod plumbing;
mod records;

pub use error::{Error, Location, Result};
pub use plumbing::{
    batch_channel, run_ordered_stage, BatchReceiver, BatchSender, BudgetShare, CpuSlots,
    StageClock, TextBudget,
};
pub use records::{
    content_hash, content_hash_number, doc_id, Batch, Comparator, Direction, Document, Kind,
    Metric, Modality, Sentence,
};
