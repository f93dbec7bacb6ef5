//! `ballast-keeper --url <RPC> --keypair <FILE> --group <GROUP> --account <LIQUIDATOR ACCOUNT>`
//! scans and liquidates every `--interval` seconds, printing one line per round with its counters.
//!
//! Liquidations too large for a legacy transaction go out as v0 through an address lookup table
//! the keypair owns. `--lookup-table <ADDR>` reuses one from an earlier run (the keeper prints
//! the address when it creates one); `--prepare-lookup-table` builds or extends it before the
//! first round instead of when the first wide liquidation needs it.

use anchor_lang::prelude::Pubkey;
use ballast_keeper::{Keeper, KeeperConfig};
use ballast_sdk::chain::rpc::RpcChain;
use std::str::FromStr;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn usage() -> ! {
    eprintln!("usage: ballast-keeper --url <RPC URL> --keypair <KEYPAIR JSON> --group <GROUP> --account <LIQUIDATOR MARGIN ACCOUNT> [--interval <SECS>] [--rounds <N>] [--lookup-table <ADDRESS>] [--prepare-lookup-table]");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = arg(&args, "--url").unwrap_or_else(|| "http://127.0.0.1:8899".to_string());
    let keypair_path = arg(&args, "--keypair").unwrap_or_else(|| usage());
    let group = arg(&args, "--group").and_then(|s| Pubkey::from_str(&s).ok()).unwrap_or_else(|| usage());
    let account = arg(&args, "--account").and_then(|s| Pubkey::from_str(&s).ok()).unwrap_or_else(|| usage());
    let interval: u64 = arg(&args, "--interval").and_then(|s| s.parse().ok()).unwrap_or(5);
    let rounds: u64 = arg(&args, "--rounds").and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
    let keypair = std::fs::read_to_string(&keypair_path)
        .ok()
        .and_then(|s| serde_json_bytes(&s))
        .and_then(|b| solana_keypair::Keypair::try_from(&b[..]).ok())
        .unwrap_or_else(|| {
            eprintln!("cannot read keypair {keypair_path}");
            std::process::exit(1)
        });
    let lookup_table = arg(&args, "--lookup-table").map(|s| Pubkey::from_str(&s).unwrap_or_else(|_| usage()));
    let chain = RpcChain::new(&url);
    let config = KeeperConfig { lookup_table, ..KeeperConfig::default() };
    let mut keeper = Keeper::new(group, keypair, account, config);
    let mut announced = lookup_table;
    if args.iter().any(|a| a == "--prepare-lookup-table") {
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
                    "round {round}: scanned {} in {} us | liquidated {} bankrupt {} deferred {} failed {} | v0 {} | totals: liquidations {} bankruptcies {} failed sends {}",
                    r.scanned,
                    s.last_scan_micros,
                    r.liquidated.len(),
                    r.bankrupt.len(),
                    r.deferred.len(),
                    r.failures.len(),
                    r.v0_transactions,
                    s.liquidations,
                    s.bankruptcies_resolved,
                    s.failed_sends
                );
                for (k, e) in r.failures {
                    eprintln!("  failed {k}: {e}");
                }
                for (k, e) in r.deferred {
                    eprintln!("  deferred {k}: {e}");
                }
            }
            Err(e) => eprintln!("round {round}: {e}"),
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

/// A Solana CLI keypair file: a JSON array of 64 bytes.
fn serde_json_bytes(s: &str) -> Option<Vec<u8>> {
    s.trim().strip_prefix('[')?.strip_suffix(']')?.split(',').map(|v| v.trim().parse::<u8>().ok()).collect()
}
