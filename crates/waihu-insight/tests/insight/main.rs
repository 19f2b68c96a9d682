//! The insights over conversations produced by the interpreter itself: the
//! course-trial script (examples/scripts) talked through by personas whose
//! right answers are known — the keen parent who books, the refuser, the
//! confused parent who asks something the script does not know (half of them
//! through an ASR homophone), the parent who opts out, and the one who hangs up
//! at the invitation. Checks that the funnel counts match, the top
//! unrecognised cluster is the confused persona's phrase, keywords separate the
//! personas, and the A/B comparison finds a seeded difference and none between
//! identical mixes.

use chrono::{Duration, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;
use waihu_dialog::interp::Interpreter;
use waihu_dialog::script::load_str;
use waihu_dialog::sim::Simulator;
use waihu_insight::ab::compare;
use waihu_insight::facts::{build_turns, listening_nodes, CallFact, RecordTurn, Variant};
use waihu_insight::funnel::funnel;
use waihu_insight::keywords::grade_contrast;
use waihu_insight::report::daily;
use waihu_insight::unknown::{clusters, UnknownOptions};

const SCRIPT: &str = include_str!("../../../../examples/scripts/course-trial.zh.yaml");

const KEEN: &[&str] = &["可以啊", "周六上午吧"];
const REFUSER: &[&str] = &["不感兴趣", "不需要"];
const CONFUSED: &[&str] = &["好", "这个课程是网课吗"];
/// The same question as ASR heard it (网课 → 王课, a homophone).
const CONFUSED_ASR: &[&str] = &["好", "这个课程是王课吗"];
const OPTS_OUT: &[&str] = &["你怎么有我电话", "不用了", "以后别打了"];
const HANGS_UP: &[&str] = &[];

struct World {
    it: Interpreter,
    listening: BTreeSet<String>,
    version: Uuid,
    n: u128,
}

impl World {
    fn new() -> Self {
        let script = load_str(SCRIPT).script.expect("the example script loads");
        let listening = listening_nodes(&script);
        Self {
            it: Interpreter::new(script).expect("interpreter"),
            listening,
            version: Uuid::from_u128(0xC0FFEE),
            n: 0,
        }
    }

    /// One conversation as the store would hold it, turned into a fact.
    fn call(&mut self, lines: &[&str], variant: Option<Variant>) -> CallFact {
        self.n += 1;
        let mut sim = Simulator::new(&self.it, BTreeMap::new());
        sim.start();
        let mut log = Vec::new();
        for line in lines {
            if sim.ended() {
                break;
            }
            let before = sim.state().map_or(0, |s| s.turns);
            sim.input(line);
            let st = sim.state().expect("state");
            if st.turns > before {
                log.push(RecordTurn {
                    callee: (!line.is_empty() && !line.starts_with('#')).then(|| line.to_string()),
                    dtmf: line.strip_prefix('#').and_then(|d| d.chars().next()),
                    intent: st.intents.last().cloned().unwrap_or_default(),
                });
            }
        }
        let (summary, grade) = sim.finish();
        let mut f = CallFact::new(
            Uuid::from_u128(self.n),
            Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap() + Duration::minutes(self.n as i64),
        );
        f.task_id = Some(Uuid::from_u128(7));
        f.script_version_id = Some(self.version);
        f.variant = variant;
        f.answered = true;
        f.outcome = Some("answered".into());
        f.duration_ms = Some(u64::from(summary.turns) * 6_000);
        f.script_outcome = Some(summary.outcome.clone());
        f.grade = Some(grade.grade);
        f.lead = grade.grade <= 'B';
        f.opt_out = summary.opt_out;
        f.turns = build_turns(
            &summary.path,
            &self.listening,
            &log,
            &[],
            Some(&summary.outcome),
        );
        f.path = summary.path;
        f
    }

    fn many(&mut self, n: usize, lines: &[&str], variant: Option<Variant>) -> Vec<CallFact> {
        (0..n).map(|_| self.call(lines, variant)).collect()
    }
}

fn population(w: &mut World) -> Vec<CallFact> {
    let mut v = Vec::new();
    v.extend(w.many(10, KEEN, None));
    v.extend(w.many(6, REFUSER, None));
    v.extend(w.many(4, CONFUSED, None));
    v.extend(w.many(4, CONFUSED_ASR, None));
    v.extend(w.many(3, OPTS_OUT, None));
    v.extend(w.many(5, HANGS_UP, None));
    v
}

#[test]
fn personas_behave_as_scripted() {
    let mut w = World::new();
    let keen = w.call(KEEN, None);
    assert_eq!(keen.grade, Some('A'));
    assert_eq!(keen.script_outcome.as_deref(), Some("booked"));
    let refuser = w.call(REFUSER, None);
    assert_eq!(refuser.grade, Some('D'));
    let confused = w.call(CONFUSED_ASR, None);
    assert_eq!(confused.turns[1].intent, "unknown");
    assert_eq!(confused.turns[1].node.as_deref(), Some("pick_time"));
    let out = w.call(OPTS_OUT, None);
    assert!(out.opt_out);
    assert_eq!(out.turns[2].node.as_deref(), Some("ask_later_interest"));
}

#[test]
fn funnel_counts_match_the_personas() {
    let mut w = World::new();
    let facts = population(&mut w);
    let f = funnel(w.version, &facts);
    assert_eq!(f.calls, 32);
    let node = |id: &str| f.nodes.iter().find(|n| n.node == id).expect(id);
    // Everyone hears the invitation.
    assert_eq!(node("invite").reached, 32);
    assert_eq!(node("disclosure").reached, 32);
    // The confused parents give up at the time question: the worst node.
    assert_eq!(f.nodes[0].node, "pick_time");
    assert_eq!(node("pick_time").hangups, 8);
    assert_eq!(node("pick_time").reached, 18);
    assert_eq!(node("invite").hangups, 5);
    // No at the invitation: refusers and opt-outers (after their question).
    assert_eq!(node("invite").refusals, 9);
    assert_eq!(node("ask_later_interest").reached, 9);
    assert_eq!(node("ask_later_interest").opt_outs, 3);
    assert_eq!(node("booked_sat").reached, 10);
    let to_pick = node("invite")
        .branches
        .iter()
        .find(|b| b.intent == "affirm")
        .expect("affirm branch");
    assert_eq!((to_pick.target.as_str(), to_pick.count), ("pick_time", 18));
}

#[test]
fn the_top_unrecognised_cluster_is_the_confused_personas_question() {
    let mut w = World::new();
    let facts = population(&mut w);
    let cs = clusters(&facts, &UnknownOptions::default());
    let top = &cs[0];
    assert_eq!(top.count, 8, "{cs:#?}");
    assert_eq!(top.calls, 8);
    let texts: Vec<&str> = top.variants.iter().map(|v| v.0.as_str()).collect();
    assert!(texts.contains(&"这个课程是网课吗") && texts.contains(&"这个课程是王课吗"));
    assert_eq!(top.nodes, vec![("pick_time".to_string(), 8)]);
}

#[test]
fn keywords_separate_the_keen_from_the_refusers() {
    let mut w = World::new();
    let facts = population(&mut w);
    let c = grade_contrast(&facts, 'A', 'D', 5);
    let a_side: Vec<&str> = c
        .iter()
        .filter(|x| x.z > 0.0)
        .map(|x| x.word.as_str())
        .collect();
    let d_side: Vec<&str> = c
        .iter()
        .filter(|x| x.z < 0.0)
        .map(|x| x.word.as_str())
        .collect();
    assert!(
        a_side.iter().any(|w| ["周六", "上午", "可以"].contains(w)),
        "{c:?}"
    );
    assert!(
        d_side.iter().any(|w| ["感兴趣", "需要", "不"].contains(w)),
        "{c:?}"
    );
    assert!(a_side.iter().all(|w| !d_side.contains(w)));
}

#[test]
fn ab_detects_a_seeded_difference_and_none_between_identical_mixes() {
    let mut w = World::new();
    // B's opening converts more parents: 50 % keen against A's 20 %.
    let mut seeded = w.many(40, KEEN, Some(Variant::A));
    seeded.extend(w.many(160, REFUSER, Some(Variant::A)));
    seeded.extend(w.many(100, KEEN, Some(Variant::B)));
    seeded.extend(w.many(100, REFUSER, Some(Variant::B)));
    let c = compare(&seeded);
    assert!((c.lead_rate.diff - 0.3).abs() < 1e-9);
    assert!(c.lead_rate.significant(), "{:?}", c.lead_rate);
    assert!(c.lead_rate.p_value.unwrap() < 0.001);

    let mut same = w.many(30, KEEN, Some(Variant::A));
    same.extend(w.many(70, REFUSER, Some(Variant::A)));
    same.extend(w.many(10, OPTS_OUT, Some(Variant::A)));
    same.extend(w.many(30, KEEN, Some(Variant::B)));
    same.extend(w.many(70, REFUSER, Some(Variant::B)));
    same.extend(w.many(10, OPTS_OUT, Some(Variant::B)));
    let c = compare(&same);
    assert!(!c.any_significant(), "{c:?}");
}

#[test]
fn the_report_counts_the_personas() {
    let mut w = World::new();
    let facts = population(&mut w);
    let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let r = daily(&facts, offset, &[]);
    assert_eq!(r.days.len(), 1);
    assert_eq!(r.total.answered, 32);
    assert_eq!(r.total.grades[0], 10, "the keen parents are A");
    assert_eq!(r.total.opt_outs, 3);
}
