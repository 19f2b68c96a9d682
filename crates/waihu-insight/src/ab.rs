//! A/B comparison of a task's two script variants. Per variant: attempts,
//! answered calls, leads, opt-outs and callee turns. Compared (B − A):
//!
//! - answer-to-lead rate = leads / answered and opt-out rate = opt-outs /
//!   answered: the difference with Newcombe's 95 % interval and the pooled
//!   two-proportion z test's p-value;
//! - average turns per answered call: Welch's 95 % interval.
//!
//! A difference is *significant* when its 95 % interval excludes zero.

use crate::facts::{CallFact, Variant};
use crate::stats::{newcombe, two_proportion_p, welch, Sample};

/// One variant's counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariantStats {
    /// Dial attempts (gate refusals excluded).
    pub attempts: u64,
    /// Answered calls.
    pub answered: u64,
    /// Answered calls that became leads.
    pub leads: u64,
    /// Answered calls where the callee opted out.
    pub opt_outs: u64,
    /// Callee turns per answered call.
    pub turns: Sample,
}

impl VariantStats {
    /// Leads per answered call (0 without answers).
    pub fn lead_rate(&self) -> f64 {
        ratio(self.leads, self.answered)
    }

    /// Opt-outs per answered call (0 without answers).
    pub fn opt_out_rate(&self) -> f64 {
        ratio(self.opt_outs, self.answered)
    }
}

fn ratio(x: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        x as f64 / n as f64
    }
}

/// A compared rate or mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Variant A's value.
    pub a: f64,
    /// Variant B's value.
    pub b: f64,
    /// B − A.
    pub diff: f64,
    /// 95 % interval of B − A (`None` when there is too little data).
    pub ci: Option<(f64, f64)>,
    /// Two-sided p-value (proportions only).
    pub p_value: Option<f64>,
}

impl Difference {
    /// The interval excludes zero.
    pub fn significant(&self) -> bool {
        self.ci.is_some_and(|(l, h)| l > 0.0 || h < 0.0)
    }
}

/// The comparison of two variants.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Variant A.
    pub a: VariantStats,
    /// Variant B.
    pub b: VariantStats,
    /// Answer-to-lead rate.
    pub lead_rate: Difference,
    /// Opt-out rate.
    pub opt_out_rate: Difference,
    /// Average callee turns.
    pub avg_turns: Difference,
}

impl Comparison {
    /// Any of the three differences is significant.
    pub fn any_significant(&self) -> bool {
        self.lead_rate.significant()
            || self.opt_out_rate.significant()
            || self.avg_turns.significant()
    }
}

/// The counts of one variant among `facts`.
pub fn variant_stats(facts: &[CallFact], v: Variant) -> VariantStats {
    let mut s = VariantStats::default();
    let mut turns = Vec::new();
    for f in facts
        .iter()
        .filter(|f| f.variant == Some(v) && f.attempted())
    {
        s.attempts += 1;
        if f.answered {
            s.answered += 1;
            s.leads += u64::from(f.lead);
            s.opt_outs += u64::from(f.opt_out);
            turns.push(f.turns.len() as f64);
        }
    }
    s.turns = Sample::of(&turns);
    s
}

fn proportion(xa: u64, na: u64, xb: u64, nb: u64) -> Difference {
    let (a, b) = (ratio(xa, na), ratio(xb, nb));
    Difference {
        a,
        b,
        diff: b - a,
        ci: (na > 0 && nb > 0).then(|| newcombe(xa, na, xb, nb)),
        p_value: Some(two_proportion_p(xa, na, xb, nb)),
    }
}

/// Compares variant B with variant A over the calls of one task.
pub fn compare(facts: &[CallFact]) -> Comparison {
    let a = variant_stats(facts, Variant::A);
    let b = variant_stats(facts, Variant::B);
    let lead_rate = proportion(a.leads, a.answered, b.leads, b.answered);
    let opt_out_rate = proportion(a.opt_outs, a.answered, b.opt_outs, b.answered);
    let avg_turns = Difference {
        a: a.turns.mean,
        b: b.turns.mean,
        diff: b.turns.mean - a.turns.mean,
        ci: welch(&a.turns, &b.turns),
        p_value: None,
    };
    Comparison {
        a,
        b,
        lead_rate,
        opt_out_rate,
        avg_turns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{TurnFact, TurnNext};
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    /// `n` answered calls of a variant; `leads` of them leads, `opt_outs`
    /// opt-outs; turns cycle deterministically through `turns`.
    fn calls(
        v: Variant,
        start: u128,
        n: u64,
        leads: u64,
        opt_outs: u64,
        turns: &[usize],
    ) -> Vec<CallFact> {
        (0..n)
            .map(|i| {
                let mut f = CallFact::new(
                    Uuid::from_u128(start + u128::from(i)),
                    Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
                );
                f.variant = Some(v);
                f.answered = true;
                f.outcome = Some("answered".into());
                f.lead = i < leads;
                f.opt_out = i >= leads && i < leads + opt_outs;
                let k = turns[i as usize % turns.len()];
                f.turns = (0..k)
                    .map(|_| TurnFact {
                        node: Some("n".into()),
                        callee_text: None,
                        dtmf: None,
                        intent: "affirm".into(),
                        confidence: None,
                        next: TurnNext::Node("n".into()),
                    })
                    .collect();
                f
            })
            .collect()
    }

    #[test]
    fn detects_a_seeded_difference() {
        // A: 40 leads in 400 answered (10 %), B: 80 in 400 (20 %); B also
        // keeps callees talking longer and loses fewer to opt-outs.
        let mut facts = calls(Variant::A, 0, 400, 40, 40, &[2, 3, 4]);
        facts.extend(calls(Variant::B, 10_000, 400, 80, 12, &[4, 5, 6]));
        // A refused call is not an attempt.
        let mut refused = CallFact::new(Uuid::from_u128(99_999), facts[0].created_at);
        refused.variant = Some(Variant::A);
        refused.outcome = Some("refused".into());
        facts.push(refused);
        let c = compare(&facts);
        assert_eq!((c.a.attempts, c.a.answered, c.a.leads), (400, 400, 40));
        assert!((c.lead_rate.diff - 0.10).abs() < 1e-12);
        assert!(c.lead_rate.significant(), "{:?}", c.lead_rate);
        assert!(c.lead_rate.p_value.unwrap() < 0.001);
        let (l, h) = c.lead_rate.ci.unwrap();
        assert!(l > 0.0 && h < 0.2);
        assert!(c.opt_out_rate.significant() && c.opt_out_rate.diff < 0.0);
        assert!(c.avg_turns.significant());
        assert!((c.avg_turns.diff - 2.0).abs() < 0.01);
    }

    #[test]
    fn identical_variants_show_no_significant_difference() {
        let mut facts = calls(Variant::A, 0, 300, 45, 9, &[2, 3, 4]);
        facts.extend(calls(Variant::B, 10_000, 300, 45, 9, &[2, 3, 4]));
        let c = compare(&facts);
        assert!(!c.any_significant(), "{c:?}");
        assert!((c.lead_rate.p_value.unwrap() - 1.0).abs() < 1e-9);
        let (l, h) = c.lead_rate.ci.unwrap();
        assert!(l < 0.0 && h > 0.0);
    }

    #[test]
    fn small_real_differences_are_not_overclaimed() {
        // 5/50 vs 8/50: a difference, but well inside the noise.
        let mut facts = calls(Variant::A, 0, 50, 5, 0, &[3]);
        facts.extend(calls(Variant::B, 1_000, 50, 8, 0, &[3]));
        let c = compare(&facts);
        assert!(!c.lead_rate.significant());
        assert!(c.lead_rate.p_value.unwrap() > 0.05);
    }

    #[test]
    fn without_calls_nothing_is_significant() {
        let c = compare(&[]);
        assert_eq!(c.lead_rate.ci, None);
        assert_eq!(c.avg_turns.ci, None);
        assert!(!c.any_significant());
    }
}
