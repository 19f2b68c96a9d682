//! The retention job: one sweep of the store at `now` (recordings, transcripts,
//! results, ended consent) followed by deleting the recording files it cleared,
//! logging what went; and the loop `waihu serve` runs it in.

use super::files::{delete_recordings, FileReport};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;
use waihu_store::{Actor, RetentionReport, Store};

/// One sweep. In a dry run nothing is changed and no file is deleted.
pub async fn run_once(
    store: &Store,
    data_dir: &Path,
    now: DateTime<Utc>,
    dry_run: bool,
    actor: &Actor,
) -> crate::AppResult<(RetentionReport, FileReport)> {
    let report = store.retention_sweep(now, dry_run, actor).await?;
    for t in &report.tenants {
        tracing::info!(
            tenant = ?t.tenant_id.map(|t| t.to_string()),
            dry_run,
            recordings = t.recordings.len(),
            transcripts = t.transcripts.len(),
            results = t.results.len(),
            leads = t.leads,
            contacts = t.contacts,
            consent_records = t.consent_records,
            "retention sweep"
        );
    }
    let files = if dry_run {
        FileReport::default()
    } else {
        delete_recordings(data_dir, report.recording_paths())
    };
    Ok((report, files))
}

/// Sweeps every `interval` until `stop` resolves (the first sweep right away).
pub async fn run_loop(
    store: Store,
    data_dir: PathBuf,
    interval: Duration,
    stop: impl Future<Output = ()>,
) {
    let actor = Actor::system();
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = ticks.tick() => {
                if let Err(e) = run_once(&store, &data_dir, Utc::now(), false, &actor).await {
                    tracing::warn!(error = %e, "retention sweep failed");
                }
            }
        }
    }
}

/// Starts the loop for `waihu serve` unless `rights.sweep_interval_secs` is 0; it
/// ends when `stop` turns true.
pub fn spawn(
    config: &super::RightsConfig,
    data_dir: &Path,
    store: &Store,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let secs = config.sweep_interval_secs;
    if secs == 0 {
        return None;
    }
    let data_dir = data_dir.to_path_buf();
    let stop = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    Some(tokio::spawn(run_loop(
        store.clone(),
        data_dir,
        Duration::from_secs(secs),
        stop,
    )))
}
