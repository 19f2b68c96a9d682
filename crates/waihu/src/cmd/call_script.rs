//! `waihu call --script`: the conversation part of `waihu call` — loading
//! the script and the speech engines before dialling, printing the
//! transcript, and the script fields of the `--json` line.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use waihu_call::{
    ConversationConfig, ConversationRecord, ConversationSetup, MemoryOptOutSink, Speaker, Turn,
};
use waihu_dialog::interp::Interpreter;
use waihu_sip::outcome::CallReport;

use super::call::CallArgs;
use crate::settings::AsrEngineSetting;

/// Parses `name=value` script variables.
pub fn parse_vars(vars: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    vars.iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_string(), val.to_string())),
            _ => bail!("--var must be NAME=VALUE, got {v:?}"),
        })
        .collect()
}

/// Loads the script and the engines: everything a conversation needs.
pub fn setup(
    ctx: &super::Context,
    args: &CallArgs,
    path: &Path,
) -> anyhow::Result<ConversationSetup> {
    let loaded = waihu_dialog::script::load_file(path)
        .with_context(|| format!("cannot read script {}", path.display()))?;
    let name = path.display().to_string();
    let dir = loaded.dir.clone();
    let findings = waihu_dialog::lint::lint(&loaded);
    let Some(script) = loaded.script else {
        for f in &findings {
            eprintln!("{}", f.render(&name));
        }
        bail!("{name} is not a valid script (run `waihu script check {name}`)");
    };
    let interpreter =
        Interpreter::new(script).with_context(|| format!("cannot compile the script {name}"))?;
    let mut settings = ctx.settings.clone();
    match args.asr.as_deref() {
        Some("whisper") => settings.speech.asr = AsrEngineSetting::Whisper,
        Some("openai") => settings.speech.asr = AsrEngineSetting::Openai,
        Some("phrasebook") => settings.speech.asr = AsrEngineSetting::Phrasebook,
        _ => {}
    }
    if let Some(p) = &args.phrasebook {
        settings.speech.phrasebook = Some(p.clone());
    }
    let engines = crate::wiring::engines(&settings)?;
    let mut config = ConversationConfig {
        max_duration: args.max_duration,
        ..ConversationConfig::default()
    };
    config.vad.end_silence_ms = args.end_silence_ms;
    if args.no_speculative {
        config.speculative_pause_ms = None;
    }
    Ok(ConversationSetup {
        interpreter: Arc::new(interpreter),
        vars: parse_vars(&args.vars)?,
        engines,
        // Without a tenant there is no do-not-call list to write to: the
        // opt-out is acknowledged in memory and reported in the output.
        opt_out: Arc::new(MemoryOptOutSink::default()),
        record_to: args.record.clone(),
        prompt_dir: dir,
        prompt_library: None,
        config,
        observer: None,
    })
}

/// Prints the transcript, one line per utterance, times since answer.
pub fn print_transcript(c: &ConversationRecord) {
    for line in &c.transcript {
        let who = match line.speaker {
            Speaker::Robot => "robot ",
            Speaker::Callee => "callee",
        };
        let what = match (&line.text, line.dtmf) {
            (_, Some(d)) => format!("[key {d}]"),
            (Some(t), None) if t.is_empty() => "[not understood]".to_string(),
            (Some(t), None) => t.clone(),
            (None, None) => "[not recorded]".to_string(),
        };
        let mark = if line.interrupted {
            " [interrupted]"
        } else {
            ""
        };
        println!(
            "[{:>6.2}s] {who}: {what}{mark}",
            line.start_ms as f64 / 1000.0
        );
    }
    println!(
        "script outcome: {}, grade {} ({}), {} turn(s)",
        c.script_outcome, c.grade, c.grade_reason, c.turns
    );
}

/// One `turn_log` entry of the `--json` line.
#[derive(serde::Serialize)]
struct JsonTurn<'a> {
    callee: Option<&'a str>,
    intent: &'a str,
    robot: Option<&'a str>,
    latency_ms: Option<u64>,
}

/// The script fields appended to the telephony object.
#[derive(serde::Serialize)]
struct JsonScript<'a> {
    script_outcome: Option<&'a str>,
    path: &'a [String],
    intents: &'a [String],
    grade: Option<String>,
    opt_out: bool,
    turns: u32,
    turn_log: Vec<JsonTurn<'a>>,
}

/// The `--json` line: the telephony object of `waihu call` plus the
/// conversation's fields (`grade` is null when the call was not answered).
pub fn json(report: &CallReport, c: Option<&ConversationRecord>) -> String {
    let script = JsonScript {
        script_outcome: c.map(|c| c.script_outcome.as_str()),
        path: c.map_or(&[], |c| c.path.as_slice()),
        intents: c.map_or(&[], |c| c.intents.as_slice()),
        grade: c.map(|c| c.grade.to_string()),
        opt_out: c.is_some_and(|c| c.opt_out.is_some()),
        turns: c.map_or(0, |c| c.turns),
        turn_log: c.map_or_else(Vec::new, |c| c.turn_log.iter().map(json_turn).collect()),
    };
    let base = super::call::report_json(report);
    let extra = serde_json::to_string(&script).unwrap_or_else(|_| "{}".into());
    match (base.strip_suffix('}'), extra.strip_prefix('{')) {
        (Some(b), Some(e)) if e != "}" => format!("{b},{e}"),
        _ => base,
    }
}

fn json_turn(t: &Turn) -> JsonTurn<'_> {
    JsonTurn {
        callee: t.callee.as_deref(),
        intent: &t.intent,
        robot: t.robot.as_deref(),
        latency_ms: t.latency_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars() {
        let v = parse_vars(&["name=王女士".into(), "x=a=b".into()]).unwrap();
        assert_eq!(v["name"], "王女士");
        assert_eq!(v["x"], "a=b");
        assert!(parse_vars(&["novalue".into()]).is_err());
        assert!(parse_vars(&["=v".into()]).is_err());
    }
}
