//! Lead grading: maps a finished conversation to A–F with a reason. An opt-out
//! or complaint is always F (a lead who said no is never pushed to sales); then
//! the script's rules in order; then the defaults: A strong intent, B some
//! intent, C unclear (worth a human look), D refused, E no real conversation.

use crate::intent;
use crate::script::{GradeRule, GradeWhen};

/// The facts of a finished (or abandoned) conversation.
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    /// Every node entered.
    pub path: &'a [String],
    /// One label per callee turn.
    pub intents: &'a [String],
    /// The other intents heard in each turn (a complaint said with an opt-out).
    pub also: &'a [Vec<String>],
    /// Outcome tag.
    pub outcome: &'a str,
    /// Callee turns.
    pub turns: u32,
    /// Seconds since answer.
    pub duration_secs: u64,
    /// The callee opted out or complained.
    pub opted_out: bool,
    /// What the callee said (empty if they objected to recording).
    pub utterances: &'a [String],
}

/// A grade with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    /// `A`..`F`.
    pub grade: char,
    /// Why.
    pub reason: String,
}

impl Grade {
    fn new(grade: char, reason: impl Into<String>) -> Self {
        Self {
            grade,
            reason: reason.into(),
        }
    }
}

/// Grades a conversation with the script's rules, then the defaults.
pub fn grade(rules: &[GradeRule], f: &CallFacts<'_>) -> Grade {
    let complained = f
        .intents
        .iter()
        .chain(f.also.iter().flatten())
        .any(|i| i == intent::COMPLAINT);
    if f.opted_out || complained {
        let why = if complained {
            "complained"
        } else {
            "opted out"
        };
        return Grade::new('F', why);
    }
    for rule in rules {
        if holds(&rule.when, f) {
            if let Some(g) = rule
                .grade
                .chars()
                .next()
                .filter(|c| ('A'..='F').contains(c))
            {
                return Grade::new(g, rule.reason.clone());
            }
        }
    }
    default_grade(f)
}

fn count(f: &CallFacts<'_>, label: &str) -> usize {
    f.intents.iter().filter(|i| *i == label).count()
}

fn default_grade(f: &CallFacts<'_>) -> Grade {
    let spoken = f
        .intents
        .iter()
        .filter(|i| *i != intent::SILENCE && !i.starts_with("dtmf:"))
        .count();
    if spoken == 0 {
        return Grade::new('E', "no real conversation: the callee never spoke");
    }
    let (yes, no) = (count(f, intent::AFFIRM), count(f, intent::REJECT));
    let questions = f.intents.iter().filter(|i| i.starts_with("kb:")).count();
    if yes >= 2 && no == 0 {
        return Grade::new(
            'A',
            format!("strong intent: agreed {yes} times, never refused"),
        );
    }
    if no > 0 && yes == 0 {
        return Grade::new('D', "refused");
    }
    if yes > 0 || questions > 0 {
        return Grade::new(
            'B',
            format!("some intent: {yes} agreement(s), {questions} question(s)"),
        );
    }
    Grade::new('C', "unclear: worth a human look")
}

fn holds(w: &GradeWhen, f: &CallFacts<'_>) -> bool {
    let any_in =
        |xs: &[String], pool: &[String]| xs.is_empty() || xs.iter().any(|x| pool.contains(x));
    any_in(&w.reached_any, f.path)
        && (w.outcome_any.is_empty() || w.outcome_any.iter().any(|o| o == f.outcome))
        && any_in(&w.intents_any, f.intents)
        && !w.intents_none.iter().any(|x| f.intents.contains(x))
        && w.min_turns.is_none_or(|m| f.turns >= m)
        && w.max_turns.is_none_or(|m| f.turns <= m)
        && (w.keywords_any.is_empty()
            || w.keywords_any
                .iter()
                .any(|k| f.utterances.iter().any(|u| u.contains(k.as_str()))))
        && w.min_duration_secs
            .is_none_or(|m| f.duration_secs >= u64::from(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(intents: &'a [String], path: &'a [String], opted_out: bool) -> CallFacts<'a> {
        CallFacts {
            path,
            intents,
            also: &[],
            outcome: "done",
            turns: intents.len() as u32,
            duration_secs: 30,
            opted_out,
            utterances: &[],
        }
    }

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults() {
        let p = v(&["a"]);
        let cases: [(&[&str], bool, char); 7] = [
            (&["affirm", "affirm"], false, 'A'),
            (&["affirm", "ask_identity"], false, 'B'),
            (&["kb:price"], false, 'B'),
            (&["unknown"], false, 'C'),
            (&["reject"], false, 'D'),
            (&["silence", "dtmf:1"], false, 'E'),
            (&["affirm", "affirm"], true, 'F'),
        ];
        for (intents, opted, want) in cases {
            let i = v(intents);
            assert_eq!(grade(&[], &facts(&i, &p, opted)).grade, want, "{intents:?}");
        }
        let i = v(&["affirm", "complaint"]);
        assert_eq!(
            grade(&[], &facts(&i, &p, false)),
            Grade::new('F', "complained")
        );
    }

    #[test]
    fn a_complaint_said_with_an_opt_out_grades_as_complained() {
        let (i, p) = (v(&["affirm", "opt_out"]), v(&["a"]));
        let also = [vec![], v(&["complaint"])];
        let f = CallFacts {
            also: &also,
            ..facts(&i, &p, true)
        };
        assert_eq!(grade(&[], &f), Grade::new('F', "complained"));
        assert_eq!(grade(&[], &facts(&i, &p, true)).reason, "opted out");
    }

    #[test]
    fn script_rules_first_match_wins_but_not_over_opt_out() {
        let rules = vec![GradeRule {
            grade: "A".into(),
            reason: "reached booking".into(),
            when: GradeWhen {
                reached_any: v(&["book"]),
                ..Default::default()
            },
        }];
        let i = v(&["affirm"]);
        let p = v(&["intro", "book"]);
        assert_eq!(
            grade(&rules, &facts(&i, &p, false)).reason,
            "reached booking"
        );
        assert_eq!(grade(&rules, &facts(&i, &p, true)).grade, 'F');
        let p2 = v(&["intro"]);
        assert_eq!(grade(&rules, &facts(&i, &p2, false)).grade, 'B');
    }
}
