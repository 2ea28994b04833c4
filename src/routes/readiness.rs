//! The last `/health/ready` result, shared by all workers: one check runs at a time, callers that
//! arrive meanwhile wait for its result, and a result is reused for `health.ready_cache_ms`.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// The names of the upstreams that failed a check; empty when all answered.
pub type Failing = Vec<&'static str>;

/// The last readiness result, shared by all workers.
pub struct Readiness {
    /// When the last check finished, and what it found. Held during a check: one at a time.
    last: Mutex<Option<(Instant, Failing)>>,
    reuse_for: Duration,
}

impl Readiness {
    pub fn new(reuse_for: Duration) -> Self {
        Self {
            last: Mutex::new(None),
            reuse_for,
        }
    }

    /// The result of a check that finished after this call arrived or within `reuse_for`, or of a
    /// new one.
    pub async fn get<F, Fut>(&self, check: F) -> Failing
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Failing>,
    {
        let arrived = Instant::now();
        let mut last = self.last.lock().await;
        if let Some((at, failing)) = last.as_ref()
            && (*at >= arrived || at.elapsed() < self.reuse_for)
        {
            return failing.clone();
        }
        let failing = check().await;
        *last = Some((Instant::now(), failing.clone()));
        failing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn counted(calls: &AtomicUsize) -> Failing {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        vec!["hydra_admin"]
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_check() {
        let readiness = Arc::new(Readiness::new(Duration::ZERO));
        let calls = Arc::new(AtomicUsize::new(0));
        // Hold the lock so that every caller queues behind one check.
        let guard = readiness.last.lock().await;
        let waiting: Vec<_> = (0..20)
            .map(|_| {
                let (readiness, calls) = (readiness.clone(), calls.clone());
                tokio::spawn(async move { readiness.get(|| counted(&calls)).await })
            })
            .collect();
        tokio::task::yield_now().await;
        drop(guard);
        for task in waiting {
            assert_eq!(task.await.unwrap(), vec!["hydra_admin"]);
        }
        // Callers that arrived before the first check started wait for it and use its result;
        // with no reuse time, none of them starts another.
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A caller arriving after it, with nothing to reuse, checks again.
        readiness.get(|| counted(&calls)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
