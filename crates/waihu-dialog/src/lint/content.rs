//! Rules about what the script says and uses: the disclosure, the opt-out
//! path, variables, audio files, intents, outcome tags, grading and rules.

use super::Ctx;
use crate::intent::{self, Recognizer};
use crate::script::{Finding, Script, BUILTIN_VARIABLES, RESERVED_OUTCOMES};

pub(super) fn check(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    values(c, out);
    disclosure(c, out);
    opt_out(c, out);
    variables(c, out);
    audio(c, out);
    intents(c, out);
    outcomes(c, out);
    rules(c, out);
}

fn values(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    if s.language != "zh" && s.language != "en" {
        out.push(Finding::new(
            c.line("language"),
            "bad-value",
            format!("language must be `zh` or `en`, not {:?}", s.language),
        ));
    }
    let key_ok =
        matches!(s.opt_out_dtmf.as_bytes(), [b] if b.is_ascii_digit() || *b == b'*' || *b == b'#');
    if !key_ok {
        out.push(Finding::new(
            c.line("opt_out_dtmf"),
            "bad-value",
            format!(
                "opt_out_dtmf must be one key 0-9, * or #, not {:?}",
                s.opt_out_dtmf
            ),
        ));
    }
    if s.business.name.trim().is_empty() {
        out.push(Finding::new(
            c.line("business/name"),
            "bad-value",
            "business.name must not be empty",
        ));
    }
    if !(0.0..=1.0).contains(&s.min_confidence) {
        out.push(Finding::new(
            c.line("min_confidence"),
            "bad-value",
            "min_confidence must be between 0 and 1",
        ));
    }
    for (i, r) in s.grading.iter().enumerate() {
        if !matches!(r.grade.as_str(), "A" | "B" | "C" | "D" | "E" | "F") {
            out.push(Finding::new(
                c.line(&format!("grading/{i}/grade")),
                "bad-grade",
                format!("grade must be one of A-F, not {:?}", r.grade),
            ));
        }
    }
}

/// Words that say "AI" and "recorded" in the script's language.
fn mentions_ai(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "ai",
        "人工智能",
        "智能",
        "机器人",
        "automated",
        "virtual assistant",
    ]
    .iter()
    .any(|w| t.contains(w))
}
fn mentions_recording(text: &str) -> bool {
    let t = text.to_lowercase();
    ["录音", "record"].iter().any(|w| t.contains(w))
}

fn disclosure(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    let Some(node) = s.nodes.get(&s.start) else {
        return;
    };
    let at = |k: &str| c.line(&format!("nodes/{}/{k}", s.start));
    let mut bad = |line, msg: String| out.push(Finding::new(line, "disclosure", msg));
    if !node.disclosure {
        return bad(
            at("disclosure"),
            format!(
                "the start node {:?} must be the disclosure (`disclosure: true`)",
                s.start
            ),
        );
    }
    let Some(say) = &node.say else {
        return bad(at("say"), "the disclosure must say something".into());
    };
    if say.interruptible {
        bad(
            at("say/interruptible"),
            "the disclosure must be `interruptible: false`".into(),
        );
    }
    let Some(text) = &say.text else {
        return bad(
            at("say"),
            "the disclosure needs a `text` (even when it plays recorded audio)".into(),
        );
    };
    if !text.contains("{business_name}") {
        bad(
            at("say/text"),
            "the disclosure must name the business with {business_name}".into(),
        );
    }
    if !mentions_ai(text) {
        bad(
            at("say/text"),
            "the disclosure must say that this is an AI assistant".into(),
        );
    }
    if !mentions_recording(text) {
        bad(
            at("say/text"),
            "the disclosure must say that the call is recorded".into(),
        );
    }
    if !text.contains("{opt_out_dtmf}") && !text.contains(s.opt_out_dtmf.as_str()) {
        bad(
            at("say/text"),
            format!(
                "the disclosure must announce the opt-out key {:?}",
                s.opt_out_dtmf
            ),
        );
    }
}

fn opt_out(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    for label in [intent::OPT_OUT, intent::COMPLAINT] {
        let Some(h) = s.global.get(label) else {
            if label == intent::OPT_OUT {
                out.push(Finding::new(
                    c.line("global"),
                    "opt-out-handler",
                    "no global `opt_out` handler leading to an end node",
                ));
            }
            continue;
        };
        let at = c.line(&format!("global/{label}"));
        match h.goto.as_ref().and_then(|g| s.nodes.get(g).map(|n| (g, n))) {
            None => out.push(Finding::new(
                at,
                "opt-out-handler",
                format!("the global `{label}` handler must `goto` an end node"),
            )),
            Some((g, n)) => match &n.end {
                None => out.push(Finding::new(
                    at,
                    "opt-out-handler",
                    format!(
                        "the global `{label}` handler leads to {g:?}, which is not an end node"
                    ),
                )),
                Some(tag) if label == intent::OPT_OUT && tag != "opt_out" => {
                    out.push(Finding::new(
                        c.line(&format!("nodes/{g}/end")),
                        "opt-out-handler",
                        format!(
                        "the opt-out end node {g:?} must have the outcome `opt_out`, not {tag:?}"
                    ),
                    ))
                }
                Some(_) => {}
            },
        }
    }
}

/// Every text the robot can say, with its YAML path.
fn texts(s: &Script) -> Vec<(String, &str)> {
    let mut t = Vec::new();
    for (id, n) in &s.nodes {
        if let Some(x) = n.say.as_ref().and_then(|y| y.text.as_deref()) {
            t.push((format!("nodes/{id}/say/text"), x));
        }
        if let Some(x) = &n.reprompt {
            t.push((format!("nodes/{id}/reprompt"), x.as_str()));
        }
    }
    for (label, h) in &s.global {
        if let Some(x) = &h.say {
            t.push((format!("global/{label}/say"), x.as_str()));
        }
    }
    for (i, kb) in s.knowledge.iter().enumerate() {
        t.push((format!("knowledge/{i}/answer"), kb.answer.as_str()));
    }
    if let Some(x) = &s.goodbye {
        t.push(("goodbye".into(), x.as_str()));
    }
    t
}

fn variables(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    for (path, text) in texts(s) {
        for v in Script::placeholders(text) {
            if !s.variables.iter().any(|d| d == v) && !BUILTIN_VARIABLES.contains(&v) {
                out.push(Finding::new(
                    c.line(&path),
                    "undefined-variable",
                    format!("{{{v}}} is not a declared variable (add it to `variables`)"),
                ));
            }
        }
    }
}

fn audio(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(dir) = c.dir else { return };
    for (id, n) in &c.s.nodes {
        let Some(file) = n.say.as_ref().and_then(|y| y.audio.as_ref()) else {
            continue;
        };
        let path = dir.join(file);
        if !path.is_file() {
            out.push(Finding::new(
                c.line(&format!("nodes/{id}/say/audio")),
                "missing-audio",
                format!("audio file {} does not exist", path.display()),
            ));
        }
    }
}

/// True if `label` may be used as a branch trigger or handler key.
fn known_trigger(s: &Script, label: &str) -> bool {
    if intent::is_builtin(label)
        || matches!(label, "silence" | "default")
        || s.intents.contains_key(label)
    {
        return true;
    }
    if let Some(key) = label.strip_prefix("dtmf:") {
        return matches!(key.as_bytes(), [b] if b.is_ascii_digit() || *b == b'*' || *b == b'#');
    }
    if let Some(id) = label.strip_prefix("kb:") {
        return s.knowledge.iter().any(|k| k.id == id);
    }
    false
}

fn intents(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    for (id, n) in &s.nodes {
        for trigger in n.branches.keys().filter(|t| !known_trigger(s, t)) {
            out.push(Finding::new(c.line(&format!("nodes/{id}/branches/{trigger}")), "undefined-intent", format!("branch on {trigger:?}, which is not a built-in intent, a script intent, kb:<id>, dtmf:N, silence or default")));
        }
    }
    for label in s.global.keys().filter(|t| !known_trigger(s, t)) {
        out.push(Finding::new(
            c.line(&format!("global/{label}")),
            "undefined-intent",
            format!("global handler for {label:?}, which is not defined"),
        ));
    }
    for (i, r) in s.grading.iter().enumerate() {
        for label in r.when.intents_any.iter().chain(&r.when.intents_none) {
            if !known_trigger(s, label) {
                out.push(Finding::new(
                    c.line(&format!("grading/{i}/when")),
                    "undefined-intent",
                    format!("grading rule refers to intent {label:?}, which is not defined"),
                ));
            }
        }
    }
    for (label, _) in s
        .intents
        .iter()
        .filter(|(l, _)| intent::is_builtin(l) || l.contains(':'))
    {
        out.push(Finding::new(
            c.line(&format!("intents/{label}")),
            "undefined-intent",
            format!("script intent {label:?} may not reuse a built-in label or contain ':'"),
        ));
    }
}

fn outcomes(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    let opt_out_target = s
        .global
        .get(intent::OPT_OUT)
        .and_then(|h| h.goto.as_deref());
    let complaint_target = s
        .global
        .get(intent::COMPLAINT)
        .and_then(|h| h.goto.as_deref());
    for (id, n) in &s.nodes {
        let Some(tag) = &n.end else { continue };
        let may_opt_out =
            Some(id.as_str()) == opt_out_target || Some(id.as_str()) == complaint_target;
        if tag.trim().is_empty()
            || (RESERVED_OUTCOMES.contains(&tag.as_str()) && !(tag == "opt_out" && may_opt_out))
        {
            out.push(Finding::new(
                c.line(&format!("nodes/{id}/end")),
                "reserved-outcome",
                format!(
                    "outcome {tag:?} is empty or reserved ({})",
                    RESERVED_OUTCOMES.join(", ")
                ),
            ));
        }
    }
}

fn rules(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (label, def) in &c.s.intents {
        let p = intent::IntentPatterns {
            keywords: def.keywords.clone(),
            words: def.words.clone(),
            regex: def.regex.clone(),
        };
        if p.keywords.is_empty() && p.words.is_empty() && p.regex.is_empty() {
            out.push(Finding::new(
                c.line(&format!("intents/{label}")),
                "bad-rule",
                format!("intent {label:?} has no keywords, words or regex"),
            ));
        }
        if let Err(e) = Recognizer::new(&p.specs(label)) {
            out.push(Finding::new(
                c.line(&format!("intents/{label}/regex")),
                "bad-rule",
                e.to_string(),
            ));
        }
    }
    for (i, kb) in c.s.knowledge.iter().enumerate() {
        if kb.questions.iter().all(|q| q.trim().is_empty()) {
            out.push(Finding::new(
                c.line(&format!("knowledge/{i}")),
                "bad-rule",
                format!("knowledge entry {:?} has no questions", kb.id),
            ));
        }
    }
}
