//! `waihu prompt add|list`: recorded prompts are converted and listed; a file that
//! is not audio is refused with a message and stores nothing.

use crate::support::{err, out, Env};

#[test]
fn prompts_are_stored_and_bad_files_refused() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
        db: waihu_store::testing::fresh_sqlite().unwrap(),
    };
    let o = env.run(&["tenant", "create", "acme"], None);
    assert!(o.status.success(), "{}", err(&o));
    let wav = env.data_dir().join("hello.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..44_100u32 {
        let v = ((i as f64) * 0.05).sin() * 8000.0;
        w.write_sample(v as i16).unwrap();
        w.write_sample(v as i16).unwrap();
    }
    w.finalize().unwrap();
    let o = env.run(
        &[
            "prompt",
            "add",
            "--tenant",
            "acme",
            "--name",
            "welcome",
            wav.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("prompt welcome stored: 1.0 s"),
        "{}",
        out(&o)
    );

    let text = env.data_dir().join("notes.wav");
    std::fs::write(&text, "this is not audio at all\n").unwrap();
    let o = env.run(
        &[
            "prompt",
            "add",
            "--tenant",
            "acme",
            "--name",
            "bad",
            text.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(err(&o).contains("notes.wav"), "{}", err(&o));

    let o = env.run(&["prompt", "list", "--tenant", "acme"], None);
    let listed = out(&o);
    assert!(listed.contains("welcome\t1.0 s\thello.wav"), "{listed}");
    assert!(!listed.contains("bad"), "{listed}");
}
