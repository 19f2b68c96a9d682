//! The live hub: one per process. The dialler publishes each call's events; the
//! hub keeps the current calls (for a page opened now) and fans the events out
//! on a `tokio::sync::broadcast` channel to every viewer. Which viewer may see
//! which event is decided by the subscriber with its [`Scope`], never here.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_core::{Clock, TenantId};

/// Events buffered per viewer before it counts as lagging.
const CHANNEL: usize = 1024;
/// Transcript lines kept per current call (the oldest drop first).
const LINES_KEPT: usize = 100;
/// A call with no end after this long is dropped from the current calls.
const STALE_HOURS: i64 = 6;

/// What a viewer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The operator: every tenant.
    All,
    /// A tenant's users: that tenant's calls only.
    Tenant(TenantId),
}

impl Scope {
    /// Whether a call of `tenant` is visible.
    pub fn sees(self, tenant: TenantId) -> bool {
        match self {
            Scope::All => true,
            Scope::Tenant(t) => t == tenant,
        }
    }
}

/// What happened (the SSE event name is the `type`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveKind {
    /// The call is being dialled.
    Started {
        /// The task's name.
        task_name: String,
        /// The callee's number, masked (`138****5678`).
        number_masked: String,
    },
    /// The callee answered.
    Answered,
    /// The robot says a line.
    Robot {
        /// The prompt's text.
        text: String,
        /// It is the disclosure.
        disclosure: bool,
    },
    /// A callee turn.
    Callee {
        /// What was recognised (`null`: silence, a key, or words not kept).
        text: Option<String>,
        /// The key pressed.
        dtmf: Option<String>,
        /// The intent the robot understood.
        intent: String,
        /// Recognition confidence 0..1 (speech only).
        confidence: Option<f32>,
    },
    /// The call is over.
    Ended {
        /// Telephony outcome code.
        outcome: String,
        /// The script's end tag, if answered.
        script_outcome: Option<String>,
        /// `A`..`F`, if answered.
        grade: Option<String>,
    },
}

impl LiveKind {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            LiveKind::Started { .. } => "started",
            LiveKind::Answered => "answered",
            LiveKind::Robot { .. } => "robot",
            LiveKind::Callee { .. } => "callee",
            LiveKind::Ended { .. } => "ended",
        }
    }
}

/// One event of one call, as viewers receive it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveEvent {
    /// Increases by one per event of this process.
    pub seq: u64,
    /// The call (its record appears under `/calls/{id}` once it ends).
    pub call_id: Uuid,
    /// The call's tenant.
    #[schema(value_type = Uuid)]
    pub tenant_id: TenantId,
    /// The call's task.
    pub task_id: Uuid,
    /// When the hub received it.
    pub at: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub kind: LiveKind,
}

/// One transcript line of a current call.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveLine {
    /// `robot` or `callee`.
    pub speaker: &'static str,
    /// What was said (`null` for the callee: silence, a key, or not kept).
    pub text: Option<String>,
    /// Callee: the intent understood.
    pub intent: Option<String>,
    /// Callee: the key pressed.
    pub dtmf: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A call in progress.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveCall {
    /// The call.
    pub call_id: Uuid,
    /// Its tenant.
    #[schema(value_type = Uuid)]
    pub tenant_id: TenantId,
    /// Its task.
    pub task_id: Uuid,
    /// The task's name.
    pub task_name: String,
    /// The callee's number, masked.
    pub number_masked: String,
    /// When dialling started.
    pub started_at: DateTime<Utc>,
    /// When the callee answered (`null`: still ringing).
    pub answered_at: Option<DateTime<Utc>>,
    /// The last lines of the transcript, oldest first.
    pub lines: Vec<LiveLine>,
}

/// The hub (cheap to clone).
#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    tx: broadcast::Sender<Arc<LiveEvent>>,
    state: Mutex<HubState>,
    closed: watch::Sender<bool>,
    recheck: std::time::Duration,
}

#[derive(Default)]
struct HubState {
    seq: u64,
    calls: BTreeMap<Uuid, LiveCall>,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("viewers", &self.inner.tx.receiver_count())
            .finish_non_exhaustive()
    }
}

/// A viewer's subscription: the current calls at the moment it subscribed and
/// every event after them.
#[derive(Debug)]
pub struct Subscription {
    /// The calls in progress, in the viewer's scope.
    pub current: Vec<LiveCall>,
    /// Events from then on (all tenants: filter with the scope).
    pub events: broadcast::Receiver<Arc<LiveEvent>>,
    /// Becomes `true` when the server shuts down.
    pub closed: watch::Receiver<bool>,
}

impl LiveHub {
    /// A hub stamping events with `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self::with_recheck(clock, std::time::Duration::from_secs(15))
    }

    /// A hub whose viewers' sessions are checked again at most `every` while
    /// their event stream is open (tests use zero: before every event).
    pub fn with_recheck(clock: Arc<dyn Clock>, every: std::time::Duration) -> Self {
        let (tx, _) = broadcast::channel(CHANNEL);
        let (closed, _) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                clock,
                tx,
                state: Mutex::new(HubState::default()),
                closed,
                recheck: every,
            }),
        }
    }

    /// The session re-check interval.
    pub fn recheck(&self) -> std::time::Duration {
        self.inner.recheck
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes one event of a call: updates the current calls, then sends it
    /// to every viewer (under the same lock, so `seq` order is send order).
    pub fn publish(&self, tenant_id: TenantId, call_id: Uuid, task_id: Uuid, kind: LiveKind) {
        let at = self.inner.clock.now();
        let mut st = self.lock();
        st.seq += 1;
        let ev = LiveEvent {
            seq: st.seq,
            call_id,
            tenant_id,
            task_id,
            at,
            kind,
        };
        apply(&mut st.calls, &ev);
        let stale = at - Duration::hours(STALE_HOURS);
        st.calls.retain(|_, c| c.started_at > stale);
        // No viewer is not an error.
        let _ = self.inner.tx.send(Arc::new(ev));
    }

    /// The calls in progress that `scope` may see, oldest first.
    pub fn current(&self, scope: Scope) -> Vec<LiveCall> {
        current_of(&self.lock(), scope)
    }

    /// Subscribes: the current calls and the events after them, atomically.
    pub fn subscribe(&self, scope: Scope) -> Subscription {
        let st = self.lock();
        let events = self.inner.tx.subscribe();
        Subscription {
            current: current_of(&st, scope),
            events,
            closed: self.inner.closed.subscribe(),
        }
    }

    /// Ends every viewer's stream (server shutdown: open event streams would
    /// otherwise keep the graceful shutdown waiting).
    pub fn close(&self) {
        self.inner.closed.send_replace(true);
    }
}

fn current_of(st: &HubState, scope: Scope) -> Vec<LiveCall> {
    let mut v: Vec<LiveCall> = st
        .calls
        .values()
        .filter(|c| scope.sees(c.tenant_id))
        .cloned()
        .collect();
    v.sort_by_key(|c| c.started_at);
    v
}

/// Applies an event to the current calls.
fn apply(calls: &mut BTreeMap<Uuid, LiveCall>, ev: &LiveEvent) {
    let line = |speaker, text: Option<String>, intent, dtmf| LiveLine {
        speaker,
        text,
        intent,
        dtmf,
        at: ev.at,
    };
    match &ev.kind {
        LiveKind::Started {
            task_name,
            number_masked,
        } => {
            calls.insert(
                ev.call_id,
                LiveCall {
                    call_id: ev.call_id,
                    tenant_id: ev.tenant_id,
                    task_id: ev.task_id,
                    task_name: task_name.clone(),
                    number_masked: number_masked.clone(),
                    started_at: ev.at,
                    answered_at: None,
                    lines: Vec::new(),
                },
            );
        }
        LiveKind::Ended { .. } => {
            calls.remove(&ev.call_id);
        }
        kind => {
            let Some(c) = calls.get_mut(&ev.call_id) else {
                return;
            };
            match kind {
                LiveKind::Answered => c.answered_at = Some(ev.at),
                LiveKind::Robot { text, .. } => {
                    c.lines.push(line("robot", Some(text.clone()), None, None))
                }
                LiveKind::Callee {
                    text, intent, dtmf, ..
                } => c.lines.push(line(
                    "callee",
                    text.clone(),
                    Some(intent.clone()),
                    dtmf.clone(),
                )),
                _ => {}
            }
            if c.lines.len() > LINES_KEPT {
                let extra = c.lines.len() - LINES_KEPT;
                c.lines.drain(..extra);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use waihu_core::ManualClock;

    fn hub() -> (LiveHub, ManualClock) {
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap());
        (LiveHub::new(Arc::new(clock.clone())), clock)
    }

    fn started() -> LiveKind {
        LiveKind::Started {
            task_name: "t1".into(),
            number_masked: "138****5678".into(),
        }
    }

    #[test]
    fn current_calls_follow_the_events_and_the_scope() {
        let (h, _) = hub();
        let (a, b) = (TenantId::new(), TenantId::new());
        let (ca, cb, task) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        h.publish(a, ca, task, started());
        h.publish(b, cb, task, started());
        h.publish(a, ca, task, LiveKind::Answered);
        h.publish(
            a,
            ca,
            task,
            LiveKind::Robot {
                text: "您好".into(),
                disclosure: true,
            },
        );
        let mine = h.current(Scope::Tenant(a));
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].call_id, ca);
        assert!(mine[0].answered_at.is_some());
        assert_eq!(mine[0].lines[0].text.as_deref(), Some("您好"));
        assert_eq!(h.current(Scope::All).len(), 2);
        h.publish(
            a,
            ca,
            task,
            LiveKind::Ended {
                outcome: "answered".into(),
                script_outcome: None,
                grade: None,
            },
        );
        assert!(h.current(Scope::Tenant(a)).is_empty());
        assert_eq!(h.current(Scope::Tenant(b)).len(), 1);
    }

    #[test]
    fn transcripts_are_bounded_and_stale_calls_dropped() {
        let (h, clock) = hub();
        let t = TenantId::new();
        let (old, call, task) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        h.publish(t, old, task, started());
        clock.advance(Duration::hours(STALE_HOURS + 1));
        h.publish(t, call, task, started());
        for i in 0..(LINES_KEPT + 5) {
            h.publish(
                t,
                call,
                task,
                LiveKind::Robot {
                    text: i.to_string(),
                    disclosure: false,
                },
            );
        }
        let cur = h.current(Scope::All);
        assert_eq!(cur.len(), 1, "the call that never ended is dropped");
        assert_eq!(cur[0].lines.len(), LINES_KEPT);
        assert_eq!(cur[0].lines[0].text.as_deref(), Some("5"));
    }

    #[test]
    fn subscribers_get_events_in_order_and_close_ends_them() {
        let (h, _) = hub();
        let t = TenantId::new();
        let mut sub = h.subscribe(Scope::Tenant(t));
        let (call, task) = (Uuid::new_v4(), Uuid::new_v4());
        h.publish(t, call, task, started());
        h.publish(t, call, task, LiveKind::Answered);
        let a = sub.events.try_recv().unwrap();
        let b = sub.events.try_recv().unwrap();
        assert_eq!((a.kind.name(), b.kind.name()), ("started", "answered"));
        assert!(a.seq < b.seq);
        assert!(!*sub.closed.borrow());
        h.close();
        assert!(*sub.closed.borrow());
    }
}
