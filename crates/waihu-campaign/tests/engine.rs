//! The scheduler against an in-memory port whose "calls" follow a script per
//! contact: retries at the policy's times (manual clock), lines never
//! exceeded, refusals recorded or pausing the task, crash reconciliation,
//! completion.

use async_trait::async_trait;
use chrono::{DateTime, Duration as CDuration, TimeZone, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;
use waihu_campaign::*;
use waihu_core::{ManualClock, TaskState, TenantId};

#[derive(Debug, Clone)]
struct Contact {
    outcomes: VecDeque<&'static str>,
    refuse: Vec<String>,
    attempts: u32,
    next_at: DateTime<Utc>,
    state: &'static str, // pending, in_flight, done
    dialled_at: Vec<DateTime<Utc>>,
    done_reason: Option<String>,
    refusals: u32,
}

#[derive(Default)]
struct World {
    contacts: HashMap<Uuid, Contact>,
    calls: HashMap<Uuid, Uuid>, // call -> contact
    tasks: Vec<(TaskRun, TaskState)>,
    commands: Vec<(TaskCommand, String)>,
}

struct Port {
    world: Mutex<World>,
    clock: ManualClock,
    live: AtomicU32,
    max_live: AtomicU32,
    call_ms: u64,
}

struct Claim {
    contact: Uuid,
    attempts: u32,
}

#[async_trait]
impl CampaignPort for Port {
    type Claim = Claim;
    type Record = ();

    async fn running_tasks(&self) -> Result<Vec<TaskRun>, PortError> {
        let w = self.world.lock().unwrap();
        Ok(w.tasks
            .iter()
            .filter(|(_, s)| *s == TaskState::Running)
            .map(|(t, _)| t.clone())
            .collect())
    }
    async fn remaining(&self, _task: &TaskRun) -> Result<i64, PortError> {
        let w = self.world.lock().unwrap();
        Ok(w.contacts.values().filter(|c| c.state != "done").count() as i64)
    }
    async fn command(&self, task: &TaskRun, c: TaskCommand, reason: &str) -> Result<(), PortError> {
        let mut w = self.world.lock().unwrap();
        w.commands.push((c, reason.to_string()));
        for (t, s) in w.tasks.iter_mut() {
            if t.id == task.id {
                *s = c.apply(*s).map_err(|e| PortError(e.to_string()))?;
            }
        }
        Ok(())
    }
    async fn claim(
        &self,
        _t: &TaskRun,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Claim>, PortError> {
        let mut w = self.world.lock().unwrap();
        let mut due: Vec<_> = w
            .contacts
            .iter()
            .filter(|(_, c)| c.state == "pending" && c.next_at <= now)
            .map(|(id, c)| (c.next_at, *id))
            .collect();
        due.sort();
        let mut out = Vec::new();
        for (_, id) in due.into_iter().take(limit as usize) {
            let c = w.contacts.get_mut(&id).unwrap();
            c.state = "in_flight";
            out.push(Claim {
                contact: id,
                attempts: c.attempts,
            });
        }
        Ok(out)
    }
    fn attempts_before(claim: &Claim) -> u32 {
        claim.attempts
    }
    async fn gate(
        &self,
        _t: &TaskRun,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Verdict, PortError> {
        let w = self.world.lock().unwrap();
        let rules = &w.contacts[&claim.contact].refuse;
        let decision = if rules.is_empty() {
            waihu_compliance::Decision::Allow
        } else {
            waihu_compliance::Decision::Deny(
                rules
                    .iter()
                    .map(|r| waihu_compliance::Reason {
                        rule: r.parse().expect("a gate rule id"),
                        message: String::new(),
                    })
                    .collect(),
            )
        };
        Ok(Verdict { decision, at: now })
    }
    async fn refuse(
        &self,
        _t: &TaskRun,
        claim: &Claim,
        _v: &Verdict,
        next: Next,
        _now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut w = self.world.lock().unwrap();
        let c = w.contacts.get_mut(&claim.contact).unwrap();
        c.refusals += 1;
        apply(c, next);
        Ok(())
    }
    async fn release(&self, _t: &TaskRun, claim: &Claim, next: Next) -> Result<(), PortError> {
        let mut w = self.world.lock().unwrap();
        apply(w.contacts.get_mut(&claim.contact).unwrap(), next);
        Ok(())
    }
    async fn begin(
        &self,
        _t: &TaskRun,
        claim: &Claim,
        _v: &Verdict,
        now: DateTime<Utc>,
    ) -> Result<Uuid, PortError> {
        let mut w = self.world.lock().unwrap();
        let id = Uuid::now_v7();
        w.calls.insert(id, claim.contact);
        let c = w.contacts.get_mut(&claim.contact).unwrap();
        c.attempts += 1;
        c.dialled_at.push(now);
        Ok(id)
    }
    async fn dial(&self, _t: &TaskRun, claim: &Claim, _call: Uuid) -> Dialled<()> {
        let live = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_live.fetch_max(live, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(self.call_ms)).await;
        self.live.fetch_sub(1, Ordering::SeqCst);
        let outcome = {
            let mut w = self.world.lock().unwrap();
            w.contacts
                .get_mut(&claim.contact)
                .unwrap()
                .outcomes
                .pop_front()
                .unwrap_or("answered")
        };
        Dialled {
            outcome: outcome.parse().expect("a call outcome code"),
            record: (),
        }
    }
    async fn finish(
        &self,
        _t: &TaskRun,
        claim: &Claim,
        _call: Uuid,
        _d: Dialled<()>,
        next: Next,
        _now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut w = self.world.lock().unwrap();
        apply(w.contacts.get_mut(&claim.contact).unwrap(), next);
        Ok(())
    }
    async fn in_flight(&self) -> Result<Vec<InFlight>, PortError> {
        let w = self.world.lock().unwrap();
        let task = w.tasks[0].0.clone();
        Ok(w.calls
            .iter()
            .filter(|(_, c)| w.contacts[*c].state == "in_flight")
            .map(|(call, c)| InFlight {
                call_id: *call,
                task_id: task.id,
                contact_id: *c,
                attempts: w.contacts[c].attempts,
                retry: task.retry.clone(),
            })
            .collect())
    }
    async fn reconcile(
        &self,
        call: &InFlight,
        next: Next,
        _now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut w = self.world.lock().unwrap();
        apply(w.contacts.get_mut(&call.contact_id).unwrap(), next);
        Ok(())
    }
}

fn apply(c: &mut Contact, next: Next) {
    match next {
        Next::RetryAt(at, _) => {
            c.state = "pending";
            c.next_at = at;
        }
        Next::Done(why) => {
            c.state = "done";
            c.done_reason = Some(why);
        }
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap()
}

fn task(lines: u32, quota: u32) -> TaskRun {
    TaskRun {
        id: Uuid::now_v7(),
        tenant_id: TenantId::new(),
        name: "t".into(),
        priority: 0,
        lines,
        tenant_quota: quota,
        trunk: "trunk".into(),
        trunk_cps: 0.0,
        task_cps: None,
        retry: RetryPolicy::default(),
        starts_at: None,
        ends_at: None,
    }
}

fn world(
    task: TaskRun,
    contacts: Vec<(Vec<&'static str>, Vec<&str>)>,
    call_ms: u64,
) -> (Arc<Port>, Vec<Uuid>) {
    let mut w = World::default();
    let mut ids = Vec::new();
    for (outcomes, refuse) in contacts {
        let id = Uuid::now_v7();
        ids.push(id);
        w.contacts.insert(
            id,
            Contact {
                outcomes: outcomes.into(),
                refuse: refuse.iter().map(|s| s.to_string()).collect(),
                attempts: 0,
                next_at: t0(),
                state: "pending",
                dialled_at: vec![],
                done_reason: None,
                refusals: 0,
            },
        );
    }
    w.tasks.push((task, TaskState::Running));
    let port = Arc::new(Port {
        world: Mutex::new(w),
        clock: ManualClock::new(t0()),
        live: AtomicU32::new(0),
        max_live: AtomicU32::new(0),
        call_ms,
    });
    (port, ids)
}

async fn settle(engine: &Arc<Engine<Port>>) {
    engine.tick().await.unwrap();
    engine.drain().await;
}

#[tokio::test]
async fn retries_follow_the_policy_clock() {
    let (port, ids) = world(
        task(2, 10),
        vec![(vec!["busy", "no_answer", "busy"], vec![])],
        1,
    );
    let engine = Engine::new(
        port.clone(),
        Arc::new(port.clock.clone()),
        EngineConfig::default(),
    );
    settle(&engine).await; // attempt 1: busy -> retry in 30 min
                           // 29 minutes later: not due yet.
    port.clock.advance(CDuration::minutes(29));
    settle(&engine).await;
    assert_eq!(port.world.lock().unwrap().contacts[&ids[0]].attempts, 1);
    port.clock.advance(CDuration::minutes(1));
    settle(&engine).await; // attempt 2 at +30m: no_answer -> retry in 2 h
    port.clock.advance(CDuration::minutes(119));
    settle(&engine).await;
    assert_eq!(port.world.lock().unwrap().contacts[&ids[0]].attempts, 2);
    port.clock.advance(CDuration::minutes(1));
    settle(&engine).await; // attempt 3: busy, max attempts reached
    port.clock.advance(CDuration::days(1));
    settle(&engine).await;
    let w = port.world.lock().unwrap();
    let c = &w.contacts[&ids[0]];
    assert_eq!(
        c.dialled_at,
        vec![
            t0(),
            t0() + CDuration::minutes(30),
            t0() + CDuration::minutes(150)
        ]
    );
    assert_eq!(c.done_reason.as_deref(), Some("busy (max attempts)"));
    assert_eq!(w.tasks[0].1, TaskState::Completed);
}

#[tokio::test]
async fn never_more_calls_than_lines_or_quota() {
    for (lines, quota, want) in [(3, 10, 3), (5, 2, 2)] {
        let contacts = (0..12).map(|_| (vec!["answered"], vec![])).collect();
        let (port, _) = world(task(lines, quota), contacts, 30);
        let engine = Engine::new(
            port.clone(),
            Arc::new(port.clock.clone()),
            EngineConfig {
                tick: Duration::from_millis(5),
            },
        );
        let p = port.clone();
        let all_called = async move {
            while p
                .world
                .lock()
                .unwrap()
                .contacts
                .values()
                .any(|c| c.attempts == 0)
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(60), engine.run(all_called))
            .await
            .expect("the task ends")
            .unwrap();
        let w = port.world.lock().unwrap();
        assert!(
            w.contacts.values().all(|c| c.attempts == 1),
            "everyone called once"
        );
        assert_eq!(
            port.max_live.load(Ordering::SeqCst),
            want,
            "lines {lines} quota {quota}"
        );
    }
}

#[tokio::test]
async fn refusals_are_recorded_or_pause_the_task() {
    let (port, ids) = world(
        task(4, 4),
        vec![
            (vec![], vec!["consent"]),
            (vec![], vec!["calling_hours"]),
            (vec!["answered"], vec![]),
        ],
        1,
    );
    let engine = Engine::new(
        port.clone(),
        Arc::new(port.clock.clone()),
        EngineConfig::default(),
    );
    settle(&engine).await;
    {
        let w = port.world.lock().unwrap();
        assert_eq!(
            w.contacts[&ids[0]].done_reason.as_deref(),
            Some("refused:consent")
        );
        assert_eq!(
            w.contacts[&ids[0]].attempts, 0,
            "a refusal is not an attempt"
        );
        let later = &w.contacts[&ids[1]];
        assert_eq!(
            (later.state, later.next_at),
            ("pending", t0() + CDuration::minutes(30))
        );
        assert_eq!(w.contacts[&ids[2]].attempts, 1);
    }
    // A caller-number refusal pauses the whole task and keeps the contact.
    port.world
        .lock()
        .unwrap()
        .contacts
        .get_mut(&ids[1])
        .unwrap()
        .refuse = vec!["caller_number".into()];
    port.clock.advance(CDuration::minutes(30));
    settle(&engine).await;
    let w = port.world.lock().unwrap();
    assert_eq!(w.tasks[0].1, TaskState::Paused);
    assert_eq!(
        w.commands.last().unwrap().1,
        "refused by the gate: caller_number"
    );
    assert_eq!(w.contacts[&ids[1]].state, "pending");
}

#[tokio::test]
async fn calls_left_in_flight_are_reconciled_not_redialled() {
    let (port, ids) = world(task(1, 1), vec![(vec!["answered"], vec![])], 1);
    // A crashed run: the contact was claimed and its call begun, never finished.
    {
        let mut w = port.world.lock().unwrap();
        w.contacts.get_mut(&ids[0]).unwrap().state = "in_flight";
        w.contacts.get_mut(&ids[0]).unwrap().attempts = 1;
        w.calls.insert(Uuid::now_v7(), ids[0]);
    }
    let engine = Engine::new(
        port.clone(),
        Arc::new(port.clock.clone()),
        EngineConfig::default(),
    );
    assert_eq!(engine.reconcile().await.unwrap(), 1);
    settle(&engine).await;
    {
        let w = port.world.lock().unwrap();
        let c = &w.contacts[&ids[0]];
        assert!(c.dialled_at.is_empty(), "not redialled at once");
        assert_eq!(c.next_at, t0() + CDuration::hours(1));
    }
    port.clock.advance(CDuration::hours(1));
    settle(&engine).await;
    assert_eq!(port.world.lock().unwrap().contacts[&ids[0]].attempts, 2);
}

#[tokio::test]
async fn end_date_completes_the_task() {
    let mut t = task(1, 1);
    t.ends_at = Some(t0() + CDuration::hours(1));
    let (port, ids) = world(t, vec![(vec!["busy", "busy"], vec![])], 1);
    let engine = Engine::new(
        port.clone(),
        Arc::new(port.clock.clone()),
        EngineConfig::default(),
    );
    settle(&engine).await;
    port.clock.advance(CDuration::hours(2));
    settle(&engine).await;
    let w = port.world.lock().unwrap();
    assert_eq!(w.contacts[&ids[0]].attempts, 1);
    assert_eq!(w.tasks[0].1, TaskState::Completed);
    assert_eq!(w.commands.last().unwrap().1, "end date reached");
}
