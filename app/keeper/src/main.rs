//! `ballast-keeper --url <RPC> --keypair <FILE> --group <GROUP> --account <LIQUIDATOR ACCOUNT>`
//! scans and liquidates every `--interval` seconds, printing one line per round with its counters.
//!
//! Liquidations too large for a legacy transaction go out as v0 through an address lookup table
//! the keypair owns. `--lookup-table <ADDR>` reuses one from an earlier run (the keeper prints
//! the address when it creates one); `--prepare-lookup-table` builds or extends it before the
//! first round instead of when the first wide liquidation needs it.
//!
//! Between full scans (getProgramAccounts, every `--resync-secs`), the margin accounts come from a
//! `programSubscribe` on the websocket (`--ws-url`, default derived from `--url`);
//! `--no-subscribe` scans in full every round.
//!
//! `--priority-fee <MICROLAMPORTS>` prices every liquidation's compute units; `--metrics-addr
//! <IP:PORT>` serves the counters as Prometheus text (any path) after each round. An account
//! whose rounds keep failing is skipped for 1, 2, 4 ... rounds (up to 64) after 3 failed rounds.

use anchor_lang::prelude::Pubkey;
use ballast_keeper::metrics::{prometheus_text, serve_metrics};
use ballast_keeper::subscribe::{self, websocket_url};
use ballast_keeper::{AccountFeed, Keeper, KeeperConfig};
use ballast_sdk::chain::rpc::RpcChain;
use ballast_sdk::config::parse_pubkey;
use clap::Parser;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Scans a group's margin accounts with the program's own risk engine and liquidates the
/// unhealthy ones, one round every `--interval` seconds.
#[derive(Debug, Parser)]
#[command(name = "ballast-keeper", version)]
struct Args {
    /// RPC URL of the cluster.
    #[arg(long, value_name = "RPC URL", default_value = "http://127.0.0.1:8899")]
    url: String,
    /// The liquidator's keypair file (a Solana CLI JSON keypair); it signs and pays.
    #[arg(long, value_name = "KEYPAIR JSON")]
    keypair: String,
    /// The group to keep.
    #[arg(long, value_name = "GROUP", value_parser = parse_pubkey)]
    group: Pubkey,
    /// The keypair's margin account that takes over liquidated positions.
    #[arg(long, value_name = "LIQUIDATOR MARGIN ACCOUNT", value_parser = parse_pubkey)]
    account: Pubkey,
    /// Seconds between rounds.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    interval: u64,
    /// Rounds to run (default: until stopped).
    #[arg(long, value_name = "N", default_value_t = u64::MAX, hide_default_value = true)]
    rounds: u64,
    /// Address lookup table of an earlier run to send wide liquidations through.
    #[arg(long, value_name = "ADDRESS", value_parser = parse_pubkey)]
    lookup_table: Option<Pubkey>,
    /// Build or extend the lookup table before the first round.
    #[arg(long)]
    prepare_lookup_table: bool,
    /// Priority fee of the keeper's transactions, micro-lamports per compute unit.
    #[arg(long, value_name = "MICROLAMPORTS", default_value_t = 0)]
    priority_fee: u64,
    /// Serve the counters as Prometheus text on this address (e.g. 127.0.0.1:9464).
    #[arg(long, value_name = "IP:PORT")]
    metrics_addr: Option<std::net::SocketAddr>,
    /// Websocket URL for programSubscribe [default: from --url, as the Solana CLI derives it:
    /// ws(s), an explicit port + 1]
    #[arg(long, value_name = "WS URL")]
    ws_url: Option<String>,
    /// Seconds between full scans (getProgramAccounts); in between, the accounts the
    /// subscription reports changed
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    resync_secs: u64,
    /// Scan in full every round, without a subscription
    #[arg(long)]
    no_subscribe: bool,
    /// Send without simulating first (the compute-unit limit is then the estimate from the
    /// positions priced)
    #[arg(long)]
    no_simulate: bool,
}

#[tokio::main]
async fn main() {
    let Args {
        url,
        keypair: keypair_path,
        group,
        account,
        interval,
        rounds,
        lookup_table,
        prepare_lookup_table,
        priority_fee,
        metrics_addr,
        ws_url,
        resync_secs,
        no_subscribe,
        no_simulate,
    } = Args::parse();
    let keypair = solana_keypair::read_keypair_file(&keypair_path).unwrap_or_else(|_| {
        eprintln!("cannot read keypair {keypair_path}");
        std::process::exit(1)
    });
    let chain = RpcChain::new(&url);
    let config = KeeperConfig {
        lookup_table,
        compute_unit_price_micro_lamports: priority_fee,
        simulate: !no_simulate,
        ..KeeperConfig::default()
    };
    let mut keeper = Keeper::new(group, keypair, account, config);
    if !no_subscribe {
        let feed = Arc::new(Mutex::new(AccountFeed::new(Duration::from_secs(resync_secs))));
        let ws_url = ws_url.unwrap_or_else(|| websocket_url(&url));
        println!("following {ws_url} (programSubscribe), full scan every {resync_secs} s");
        subscribe::spawn(ws_url, group, feed.clone());
        keeper.feed = Some(feed);
    }
    let metrics = std::sync::Arc::new(std::sync::Mutex::new(prometheus_text(&keeper.stats, &group, 0)));
    if let Some(addr) = metrics_addr {
        let listener = std::net::TcpListener::bind(addr).unwrap_or_else(|e| {
            eprintln!("cannot serve metrics on {addr}: {e}");
            std::process::exit(1)
        });
        let text = metrics.clone();
        std::thread::spawn(move || serve_metrics(listener, text));
        println!("metrics on http://{addr}/metrics");
    }
    let mut announced = lookup_table;
    if prepare_lookup_table {
        match keeper.prepare_lookup_table(&chain).await {
            Ok(t) => println!(
                "lookup table {}: {} addresses ({} added in {} transactions)",
                t.table.key,
                t.table.addresses.len(),
                t.added,
                t.transactions
            ),
            Err(e) => eprintln!("lookup table: {e}"),
        }
    }
    for round in 0..rounds {
        match keeper.run_round(&chain).await {
            Ok(r) => {
                let s = &keeper.stats;
                println!(
                    "round {round}: scanned {} in {} us | liquidated {} bankrupt {} deferred {} failed {} skipped {} | v0 {} | totals: liquidations {} bankruptcies {} failed sends {}",
                    r.scanned,
                    s.last_scan_micros,
                    r.liquidated.len(),
                    r.bankrupt.len(),
                    r.deferred.len(),
                    r.failures.len(),
                    r.skipped.len(),
                    r.v0_transactions,
                    s.liquidations,
                    s.bankruptcies_resolved,
                    s.failed_sends
                );
                if let Some(feed) = &keeper.feed {
                    let f = feed.lock().expect("feed lock").stats.clone();
                    println!(
                        "  feed: {} updates, {} full scans, {} (re)subscriptions",
                        f.updates, f.resyncs, f.connects
                    );
                }
                if s.simulations > 0 {
                    println!(
                        "  simulated {} transactions, {} refused",
                        s.simulations, s.refused_in_simulation
                    );
                }
                for (k, e) in r.failures {
                    eprintln!("  failed {k}: {e}");
                }
                for (k, e) in r.deferred {
                    eprintln!("  deferred {k}: {e}");
                }
            }
            Err(e) => eprintln!("round {round}: {e}"),
        }
        let backed_off = keeper.budget.skipped_in(keeper.stats.rounds);
        if let Ok(mut text) = metrics.lock() {
            *text = prometheus_text(&keeper.stats, &group, backed_off);
        }
        if keeper.lookup_table != announced {
            if let Some(t) = keeper.lookup_table {
                println!("lookup table {t} (pass --lookup-table {t} to reuse it)");
            }
            announced = keeper.lookup_table;
        }
        tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_and_defaults() {
        Args::command().debug_assert();
        let key = "11111111111111111111111111111112";
        let a =
            Args::try_parse_from(["ballast-keeper", "--keypair", "k.json", "--group", key, "--account", key])
                .unwrap();
        assert_eq!((a.url.as_str(), a.interval, a.rounds), ("http://127.0.0.1:8899", 5, u64::MAX));
        assert_eq!((a.lookup_table, a.prepare_lookup_table), (None, false));
        assert_eq!((a.priority_fee, a.metrics_addr), (0, None));
        assert_eq!((a.ws_url, a.resync_secs, a.no_subscribe, a.no_simulate), (None, 60, false, false));
        let a = Args::try_parse_from([
            "ballast-keeper",
            "--url",
            "http://x:1",
            "--keypair",
            "k.json",
            "--group",
            key,
            "--account",
            key,
            "--interval",
            "1",
            "--rounds",
            "3",
            "--lookup-table",
            key,
            "--prepare-lookup-table",
            "--priority-fee",
            "5000",
            "--metrics-addr",
            "127.0.0.1:9464",
        ])
        .unwrap();
        assert_eq!((a.priority_fee, a.metrics_addr.map(|m| m.port())), (5000, Some(9464)));
        assert_eq!((a.url.as_str(), a.interval, a.rounds), ("http://x:1", 1, 3));
        assert!(a.lookup_table.is_some() && a.prepare_lookup_table);
        assert!(Args::try_parse_from(["ballast-keeper", "--keypair", "k.json", "--group", key]).is_err());
        assert!(Args::try_parse_from(["ballast-keeper", "--keypair", "k", "--group", "x", "--account", key])
            .is_err());
    }
}
