//! `ballast-keeper --url <RPC> --keypair <FILE> --group <GROUP> --account <LIQUIDATOR ACCOUNT>`
//! scans and liquidates every `--interval` seconds, printing one line per round with its counters.

use anchor_lang::prelude::Pubkey;
use ballast_keeper::{Keeper, KeeperConfig};
use ballast_sdk::chain::rpc::RpcChain;
use std::str::FromStr;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn usage() -> ! {
    eprintln!("usage: ballast-keeper --url <RPC URL> --keypair <KEYPAIR JSON> --group <GROUP> --account <LIQUIDATOR MARGIN ACCOUNT> [--interval <SECS>] [--rounds <N>]");
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
    let chain = RpcChain::new(&url);
    let mut keeper = Keeper::new(group, keypair, account, KeeperConfig::default());
    for round in 0..rounds {
        match keeper.run_round(&chain).await {
            Ok(r) => {
                let s = &keeper.stats;
                println!(
                    "round {round}: scanned {} in {} us | liquidated {} bankrupt {} failed {} | totals: liquidations {} bankruptcies {} failed sends {}",
                    r.scanned,
                    s.last_scan_micros,
                    r.liquidated.len(),
                    r.bankrupt.len(),
                    r.failures.len(),
                    s.liquidations,
                    s.bankruptcies_resolved,
                    s.failed_sends
                );
                for (k, e) in r.failures {
                    eprintln!("  failed {k}: {e}");
                }
            }
            Err(e) => eprintln!("round {round}: {e}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
    }
}

/// A Solana CLI keypair file: a JSON array of 64 bytes.
fn serde_json_bytes(s: &str) -> Option<Vec<u8>> {
    s.trim().strip_prefix('[')?.strip_suffix(']')?.split(',').map(|v| v.trim().parse::<u8>().ok()).collect()
}
