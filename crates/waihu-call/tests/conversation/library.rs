//! Recorded prompts from a tenant's prompt library played in a call.

use crate::*;

/// The invite prompt of the test script as a reference into the prompt library.
fn library_script() -> Arc<Interpreter> {
    let yaml = SCRIPT.replace(
        "say: {text: 这周末有免费试听课，您看可以吗？}",
        "say: {text: 这周末有免费试听课，您看可以吗？, prompt: chime}",
    );
    assert_ne!(
        yaml, SCRIPT,
        "the test script changed: update library_script"
    );
    let loaded = waihu_dialog::script::load_str(&yaml);
    let script = loaded
        .script
        .unwrap_or_else(|| panic!("{:?}", loaded.findings));
    Arc::new(Interpreter::new(script).unwrap())
}

/// Plays the script to a silent callee; returns the robot's invite line duration, ms.
async fn invite_duration(library: Option<Arc<waihu_speech::prompts::PromptLibrary>>) -> u64 {
    let behavior = Behavior::parse(
        "[[rule]]\naction = \"answer\"\npersona = \"p\"\nmax_call_secs = 30\n\n[persona.p]\nlang = \"zh\"\nsteps = [{ do = \"listen\" }, { do = \"listen\" }, { do = \"hangup\" }]\n",
    )
    .unwrap();
    let prepared =
        Prepared::new(behavior, std::path::Path::new("."), Some(tts().as_ref())).unwrap();
    let callee = CalleeServer::start(CalleeConfig {
        sip: SipConfig::default(),
        behavior: prepared,
        log_path: None,
        record_dir: None,
    })
    .await
    .unwrap();
    let ua = UserAgent::start(SipConfig::default()).await.unwrap();
    let req = DialRequest::new(callee.local_addr().to_string(), "13800000001");
    let mut vars = BTreeMap::new();
    vars.insert("name".to_string(), "王女士".to_string());
    let setup = ConversationSetup {
        interpreter: library_script(),
        vars,
        engines: engines(),
        opt_out: Arc::new(MemoryOptOutSink::default()),
        record_to: None,
        prompt_dir: None,
        prompt_library: library,
        config: ConversationConfig::default(),
        observer: None,
    };
    let record = place_call(&ua, req, setup, None).await.unwrap();
    ua.shutdown();
    callee.shutdown();
    let c = record.conversation.expect("answered");
    let invite = c
        .transcript
        .iter()
        .find(|l| {
            l.speaker == Speaker::Robot && l.text.as_deref().is_some_and(|t| t.contains("试听课"))
        })
        .expect("the invite was played");
    invite.end_ms - invite.start_ms
}

/// A `prompt: <name>` reference plays the tenant's recorded prompt (here a 1.5 s
/// chime) instead of synthesising the prompt's text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_prompts_play_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("chime.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..24_000u32 {
        let v = ((i as f64) * 2.0 * std::f64::consts::PI * 660.0 / 16_000.0).sin() * 9000.0;
        w.write_sample(v as i16).unwrap();
    }
    w.finalize().unwrap();
    let lib = waihu_speech::prompts::PromptLibrary::open(dir.path().join("lib")).unwrap();
    lib.import("chime", &std::fs::read(&wav).unwrap(), "chime.wav")
        .unwrap();
    let recorded = invite_duration(Some(Arc::new(lib))).await;
    let spoken = invite_duration(None).await;
    assert!(
        (1_300..=1_900).contains(&recorded),
        "recorded prompt took {recorded} ms"
    );
    assert!(spoken > 2_500, "the synthesised invite took {spoken} ms");
}
