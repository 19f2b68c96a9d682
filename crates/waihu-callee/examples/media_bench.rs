//! The media benchmark without the full `waihu` binary (same code as
//! `waihu bench media`): `media_bench CALLS HOLD_SECS CPS [IP:PORT]`.

use std::time::Duration;

use waihu_callee::bench::{run_media_bench, MediaBenchOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: f64| a.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    let r = run_media_bench(MediaBenchOptions {
        calls: num(0, 100.0) as usize,
        hold: Duration::from_secs_f64(num(1, 30.0)),
        cps: num(2, 100.0),
        target: a.get(3).map(|t| t.parse()).transpose()?,
        transport: waihu_sip::Transport::Udp,
    })
    .await?;
    println!("{r:#?}");
    println!(
        "loss dialer<-callee {:.3} %, callee<-dialer {:.3} %",
        r.loss_pct(),
        r.callee_loss_pct()
    );
    Ok(())
}
