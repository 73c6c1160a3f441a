use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::mpsc;

use crate::{Batch, Error, Result};

pub type BatchSender = mpsc::Sender<Batch>;
pub type BatchReceiver = mpsc::Receiver<Batch>;

/// A bounded channel between two stages. When it is full the upstream stage
/// waits, so a slow writer slows the reader and memory stays flat.
pub fn batch_channel(capacity: usize) -> (BatchSender, BatchReceiver) {
    mpsc::channel(capacity.max(1))
}

/// Busy time of one stage, summed over the threads it ran on.
#[derive(Debug, Default)]
pub struct StageClock {
    nanos: AtomicU64,
}

impl StageClock {
    pub fn add(&self, elapsed: Duration) {
        self.nanos
            .fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    pub fn seconds(&self) -> f64 {
        self.nanos.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Runs `work` and adds its duration to the clock.
    pub fn time<T>(&self, work: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = work();
        self.add(start.elapsed());
        out
    }
}

/// A cap on the document text between the reader and the writer, whatever
/// the input: channels count batches, and a batch is anything from a few
/// small records to one large document, so counting batches alone let
/// memory follow the largest documents that happened to be in flight at
/// once. The reader takes a share for each batch before sending it; the
/// share comes back when the batch is dropped.
#[derive(Clone, Debug)]
pub struct TextBudget(Arc<BudgetState>);

#[derive(Debug)]
struct BudgetState {
    limit: usize,
    used: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

/// Bytes of a [`TextBudget`] held by one batch.
#[derive(Debug)]
pub struct BudgetShare {
    budget: TextBudget,
    bytes: usize,
}

impl TextBudget {
    pub fn new(limit: usize) -> Self {
        TextBudget(Arc::new(BudgetState {
            limit: limit.max(1),
            used: std::sync::Mutex::new(0),
            freed: std::sync::Condvar::new(),
        }))
    }

    /// Blocks until `bytes` fit under the limit. A batch larger than the
    /// whole budget waits for the pipeline to empty, then goes alone.
    pub fn take(&self, bytes: usize) -> BudgetShare {
        let state = &self.0;
        let bytes = bytes.min(state.limit);
        let mut used = state.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used + bytes > state.limit {
            used = state.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += bytes;
        BudgetShare {
            budget: self.clone(),
            bytes,
        }
    }

    /// Bytes taken and not yet given back.
    pub fn in_use(&self) -> usize {
        *self.0.used.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for BudgetShare {
    fn drop(&mut self) {
        let state = &self.budget.0;
        let mut used = state.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= self.bytes;
        state.freed.notify_all();
    }
}

/// The CPU slots the CPU-heavy stages share: a batch is worked on only while
/// it holds one. Each stage may have `threads` batches on the go, but without
/// a shared limit three stages ran up to three times `threads` batches at
/// once on as many cores as `threads`: threads took turns, batches moved
/// between cores, and more of them sat in memory half done.
#[derive(Clone)]
pub struct CpuSlots(Arc<tokio::sync::Semaphore>);

impl CpuSlots {
    pub fn new(slots: usize) -> Self {
        CpuSlots(Arc::new(tokio::sync::Semaphore::new(slots.max(1))))
    }
}

/// Runs a CPU-heavy stage on up to `threads` batches at once (each while it
/// holds one of `slots`) and passes the results on in the order the batches
/// arrived, so the output is the same whatever the thread count.
///
/// Returns when the input is exhausted, when the downstream stage has hung up
/// (it reports its own error), or with the first error `work` returns.
pub async fn run_ordered_stage<F>(
    input: BatchReceiver,
    output: BatchSender,
    threads: usize,
    slots: CpuSlots,
    clock: Arc<StageClock>,
    work: Arc<F>,
) -> Result<()>
where
    F: Fn(Batch) -> Result<Batch> + Send + Sync + 'static,
{
    let batches = futures::stream::unfold(input, |mut rx| async move {
        rx.recv().await.map(|batch| (batch, rx))
    });
    // `buffered` keeps up to `threads` blocking tasks in flight but yields
    // their results in submission order: parallel without reordering.
    let results = batches
        .map(|batch| {
            let work = Arc::clone(&work);
            let clock = Arc::clone(&clock);
            let slots = Arc::clone(&slots.0);
            async move {
                // The slot is held for the work only, never while a finished
                // batch waits to be passed on: no stage can starve another.
                let slot = slots
                    .acquire_owned()
                    .await
                    .map_err(|_| Error::Pipeline("the CPU slots were closed".into()))?;
                tokio::task::spawn_blocking(move || {
                    let _slot = slot;
                    clock.time(|| work(batch))
                })
                .await
                .map_err(|e| Error::Pipeline(format!("a stage worker failed: {e}")))?
            }
        })
        .buffered(threads.max(1));
    futures::pin_mut!(results);
    while let Some(done) = results.next().await {
        let batch = done?;
        if output.send(batch).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Document;

    fn batch(seq: u64) -> Batch {
        Batch {
            seq,
            docs: vec![Document::new("t".into(), seq as u32, format!("{seq}"))],
            budget: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keeps_order_when_later_batches_finish_first() {
        let (in_tx, in_rx) = batch_channel(4);
        let (out_tx, mut out_rx) = batch_channel(4);
        let work = Arc::new(|b: Batch| {
            // Early batches take longest, so a reordering stage would show it.
            std::thread::sleep(Duration::from_millis(20u64.saturating_sub(b.seq * 2)));
            Ok(b)
        });
        let stage = tokio::spawn(run_ordered_stage(
            in_rx,
            out_tx,
            4,
            CpuSlots::new(4),
            Arc::new(StageClock::default()),
            work,
        ));
        tokio::spawn(async move {
            for seq in 0..10 {
                in_tx.send(batch(seq)).await.unwrap();
            }
        });
        let mut seen = vec![];
        while let Some(b) = out_rx.recv().await {
            seen.push(b.seq);
        }
        stage.await.unwrap().unwrap();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stops_with_the_first_error() {
        let (in_tx, in_rx) = batch_channel(2);
        let (out_tx, _out_rx) = batch_channel(16);
        let work = Arc::new(|b: Batch| {
            if b.seq == 3 {
                Err(Error::Pipeline("boom at 3".into()))
            } else {
                Ok(b)
            }
        });
        let stage = tokio::spawn(run_ordered_stage(
            in_rx,
            out_tx,
            2,
            CpuSlots::new(2),
            Arc::new(StageClock::default()),
            work,
        ));
        tokio::spawn(async move {
            for seq in 0..10 {
                if in_tx.send(batch(seq)).await.is_err() {
                    break;
                }
            }
        });
        let err = stage.await.unwrap().unwrap_err();
        assert!(err.to_string().contains("boom at 3"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bounded_channel_applies_backpressure() {
        let (tx, _rx) = batch_channel(2);
        tx.send(batch(0)).await.unwrap();
        tx.send(batch(1)).await.unwrap();
        let third = tokio::time::timeout(Duration::from_millis(50), tx.send(batch(2))).await;
        assert!(third.is_err(), "a full channel must make the sender wait");
    }

    #[test]
    fn text_budget_waits_for_room_and_lets_an_oversized_batch_go_alone() {
        let budget = TextBudget::new(10);
        let first = budget.take(6);
        let second = budget.take(4);
        assert_eq!(budget.in_use(), 10);
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.take(100))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "took a share with no room left");
        drop(first);
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            !waiter.is_finished(),
            "an oversized batch went before the rest left"
        );
        drop(second);
        let big = waiter.join().unwrap();
        assert_eq!(budget.in_use(), 10);
        drop(big);
        assert_eq!(budget.in_use(), 0);
    }
}
