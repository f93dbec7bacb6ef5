//! The `ballast-keeper` binary against a real validator: it finds an account that a price move
//! put below maintenance (getProgramAccounts with the group's memcmp filters), liquidates it in
//! its first round, and serves its counters as Prometheus text.
//!
//! Run by `scripts/localnet/ci.sh` (`--ignored --test-threads=1`).

mod common;
use common::*;
use std::io::{Read, Write};

#[tokio::test]
#[ignore = "needs a running local validator: scripts/localnet/ci.sh runs these"]
async fn the_keeper_liquidates_an_account_after_a_price_move() {
    let net = net("keeper");
    net.reset_prices().await;
    let (trader, account, keeper, keeper_account) = net.borrower_and_liquidator("keeper").await;

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let run_keeper = |rounds: &str| {
        std::process::Command::new(bin("ballast-keeper"))
            .args(["--url", &net.state.url, "--keypair", keeper.path.to_str().unwrap()])
            .args(["--group", &net.state.group, "--account", &keeper_account])
            .args(["--rounds", rounds, "--interval", "1", "--priority-fee", "1000"])
            .args(["--metrics-addr", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };

    // Healthy: a round finds nothing to do.
    let out = run_keeper("1").wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("liquidated 0 "), "{stdout}");

    net.price("SOL", 100.0).await;
    assert!(net.health(&trader, &account)["maint_usd"].as_f64().unwrap() < 0.0);
    // Three rounds, a second apart: the metrics are scraped while it runs.
    let child = run_keeper("3");
    let metrics = scrape_after_a_liquidation(port);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let round0 = stdout.lines().find(|l| l.starts_with("round 0:")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(!round0.contains("liquidated 0 "), "the first round liquidates: {stdout}");
    // (Other tests' accounts under water at this price are liquidated too.) Nothing failed, and
    // the subscription reported the liquidated accounts' changes before the last round.
    assert!(
        stdout.lines().filter(|l| l.starts_with("round ")).all(|l| l.ends_with("failed sends 0")),
        "{stdout}"
    );
    let feed =
        stdout.lines().rfind(|l| l.trim_start().starts_with("feed:")).unwrap_or_else(|| panic!("{stdout}"));
    let updates: u64 = feed.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(updates > 0, "{stdout}");
    // Every liquidation was simulated first, its compute-unit limit set from the simulation.
    let simulated = stdout
        .lines()
        .rfind(|l| l.trim_start().starts_with("simulated "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(simulated.ends_with(" 0 refused") && !simulated.contains("simulated 0 "), "{stdout}");
    assert!(metrics.contains("ballast_keeper_simulations_total{"), "{metrics}");
    let health = net.health(&trader, &account);
    assert!(health["maint_usd"].as_f64().unwrap() > 0.0, "{health}");
    net.reset_prices().await;
}

/// The keeper's Prometheus text once its `liquidations_total` counter is at least 1, scraped
/// while it runs (its server starts before round 0; the text is replaced after each round).
fn scrape_after_a_liquidation(port: u16) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").unwrap();
            last.clear();
            s.read_to_string(&mut last).unwrap();
            let liquidations = last
                .lines()
                .find(|l| l.starts_with("ballast_keeper_liquidations_total{"))
                .and_then(|l| l.rsplit_once(' '))
                .and_then(|(_, v)| v.parse::<u64>().ok());
            if liquidations.is_some_and(|n| n >= 1) {
                return last;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no liquidation in the metrics on 127.0.0.1:{port}: {last}")
}
