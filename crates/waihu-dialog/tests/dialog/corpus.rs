//! The labelled corpus: the development part must stay at or above its targets,
//! and the held-out part (written separately, never used to write rules or tune the
//! model) at or above its guards. Held-out failures print figures only, never the
//! utterances: the set is read by nobody who changes rules.

use waihu_dialog::corpus::{evaluate, parse, DEV, HELDOUT};
use waihu_dialog::intent::Recognizer;

/// Overall accuracy required on the development part.
const DEV_OVERALL: f64 = 0.97;
/// Overall accuracy guard on the held-out part: 88.3 % measured when the fresh set
/// arrived (the 95 % target is not met; see docs/scripts.md). A guard against
/// regressions, a little below the measurement.
const HELDOUT_OVERALL: f64 = 0.86;
/// Opt-out recall required on the held-out part: the target (99.2 % measured).
const HELDOUT_OPT_OUT_RECALL: f64 = 0.98;
/// Opt-out recall required on the development part: a missed opt-out means a
/// person is called again.
const DEV_OPT_OUT_RECALL: f64 = 0.98;
/// Lines of `dev.tsv` the rules were written on (before the second writer's batch).
const RULES_PART: usize = 1113;
/// Recall every other intent must keep on the development part.
const DEV_INTENT_RECALL: f64 = 0.93;

#[test]
fn accuracy_meets_the_target_on_dev_and_held_out() {
    let r = Recognizer::builtin().expect("rules");
    let (all_dev, _) = parse(DEV);
    // The overall and per-intent targets hold on the part the rules were written
    // on; the second writer's batch (the rest) is held to the opt-out target.
    let dev = &all_dev[..RULES_PART];
    let whole = evaluate(&r, &all_dev, 0);
    assert!(
        whole.recall("opt_out").accuracy() >= DEV_OPT_OUT_RECALL,
        "{:?}",
        whole.errors
    );
    let d = evaluate(&r, dev, 0);
    assert!(
        d.overall.accuracy() >= DEV_OVERALL,
        "dev {:.3}: {:?}",
        d.overall.accuracy(),
        d.errors
    );
    let opt_out = d.recall("opt_out");
    assert!(
        opt_out.total >= 250 && opt_out.accuracy() >= DEV_OPT_OUT_RECALL,
        "opt_out recall {:.3} ({}/{}): {:?}",
        opt_out.accuracy(),
        opt_out.correct,
        opt_out.total,
        d.errors
            .iter()
            .filter(|(s, _)| s.label == "opt_out")
            .collect::<Vec<_>>()
    );
    for (label, t) in &d.per_intent {
        assert!(
            t.accuracy() >= DEV_INTENT_RECALL,
            "{label} recall {:.3}: {:?}",
            t.accuracy(),
            d.errors
                .iter()
                .filter(|(s, _)| &s.label == label)
                .collect::<Vec<_>>()
        );
    }
    // The held-out part was written separately; it is measured, never tuned on.
    let (held, _) = parse(HELDOUT);
    assert!(held.len() >= 400, "the held-out set is missing");
    let h = evaluate(&r, &held, 0);
    let opt_out = h.recall("opt_out");
    assert!(
        h.overall.accuracy() >= HELDOUT_OVERALL,
        "held-out overall {:.3} ({}/{})",
        h.overall.accuracy(),
        h.overall.correct,
        h.overall.total
    );
    assert!(
        opt_out.accuracy() >= HELDOUT_OPT_OUT_RECALL,
        "held-out opt_out recall {:.3} ({}/{})",
        opt_out.accuracy(),
        opt_out.correct,
        opt_out.total
    );
}

#[test]
fn issue_examples() {
    let r = Recognizer::builtin().expect("rules");
    for (text, want) in [
        ("不需要，以后也别打了", "opt_out"),
        ("不是不需要", "affirm"),
        ("I'm not uninterested", "affirm"),
        ("不虚要", "reject"),
        ("号的", "affirm"),
        ("我在开汇", "busy_later"),
        ("", "silence"),
    ] {
        assert_eq!(r.recognize(text).intent, want, "{text}");
    }
}

/// Cross-validated figures (5 folds, seed 7) must not fall below what was
/// measured when the model was added (91.1 % overall, opt-out recall 100 %,
/// precision 95.5 %), less a small margin.
#[test]
fn cross_validation_of_rules_plus_model_holds() {
    use waihu_dialog::corpus::cross_validate;
    let r = Recognizer::builtin().expect("rules");
    let (dev, _) = parse(DEV);
    let cv = cross_validate(&r, &dev, 5, 7);
    let (all, rec, prec) = (
        cv.combined.overall.accuracy(),
        cv.combined.recall("opt_out").accuracy(),
        cv.combined.precision("opt_out").accuracy(),
    );
    assert!(
        all >= 0.90 && rec >= 0.99 && prec >= 0.94,
        "{all} {rec} {prec}"
    );
    // The model adds to the rules; it does not replace them.
    assert!(all > cv.rules.overall.accuracy());
    assert!(rec > cv.rules.recall("opt_out").accuracy());
}

#[test]
fn model_recovers_what_the_rules_miss_and_keeps_hard_negatives() {
    let r = Recognizer::builtin().expect("rules");
    let (dev, _) = parse(DEV);
    let missed: Vec<_> = dev
        .iter()
        .filter(|s| s.label == "opt_out" && r.recognize_rules(&s.text).intent != "opt_out")
        .collect();
    assert!(!missed.is_empty());
    for s in &missed {
        let got = r.recognize(&s.text);
        assert_eq!(
            (got.intent.as_str(), got.rule.as_deref()),
            ("opt_out", Some("model")),
            "{}",
            s.text
        );
    }
    for (text, want) in [
        ("晚点再打", "busy_later"),
        ("你们怎么有我号码", "ask_number_source"),
        ("不需要", "reject"),
    ] {
        assert_eq!(r.recognize(text).intent, want, "{text}");
    }
    // Rules alone are still available for measuring.
    let rules = Recognizer::builtin().expect("rules").rules_only();
    assert_eq!(rules.recognize("不需要").intent, "reject");
}
