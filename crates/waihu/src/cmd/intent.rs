//! `waihu intent [--script FILE]`: recognises utterances from stdin, one JSON
//! object per line: `{"text","intent","score","rule"}`.

use anyhow::Context as _;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use waihu_dialog::intent::Recognizer;
use waihu_dialog::interp::Interpreter;

/// Arguments of `waihu intent`.
#[derive(Debug, clap::Args)]
pub struct IntentArgs {
    /// Also recognise this script's intents and knowledge base (`kb:<id>`).
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
}

/// One output line, fields in the documented order.
#[derive(serde::Serialize)]
struct Row<'a> {
    text: &'a str,
    intent: &'a str,
    score: f64,
    rule: Option<&'a str>,
}

/// Runs `waihu intent`.
pub async fn run(ctx: &super::Context, args: IntentArgs) -> anyhow::Result<ExitCode> {
    let llm = waihu_app::llm::classifier(&ctx.settings.llm);
    let interp;
    let builtin;
    let recognizer: &Recognizer = match &args.script {
        Some(file) => {
            let loaded = waihu_dialog::script::load_file(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let Some(script) = loaded.script else {
                for f in &loaded.findings {
                    eprintln!("{}", f.render(&file.display().to_string()));
                }
                return Ok(ExitCode::FAILURE);
            };
            interp = Interpreter::new(script).context("cannot compile the script's intents")?;
            interp.recognizer()
        }
        None => {
            builtin = Recognizer::builtin().context("cannot compile the built-in rules")?;
            &builtin
        }
    };
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let text = line.context("cannot read stdin")?;
        let mut r = recognizer.recognize(&text);
        if let Some(c) = &llm {
            // The classifier blocks on HTTP; keep the runtime's other tasks going.
            r = tokio::task::block_in_place(|| {
                waihu_dialog::intent::llm::combine(r, Some(c), &text, recognizer.labels())
            });
        }
        let score = (f64::from(r.score) * 1000.0).round() / 1000.0;
        let row = Row {
            text: &text,
            intent: &r.intent,
            score,
            rule: r.rule.as_deref(),
        };
        writeln!(out, "{}", serde_json::to_string(&row)?)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
