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
use ballast_sdk::config::parse_pubkey;
use clap::Parser;

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
    } = Args::parse();
    let keypair = solana_keypair::read_keypair_file(&keypair_path).unwrap_or_else(|_| {
        eprintln!("cannot read keypair {keypair_path}");
        std::process::exit(1)
    });
    let chain = RpcChain::new(&url);
    let config = KeeperConfig { lookup_table, ..KeeperConfig::default() };
    let mut keeper = Keeper::new(group, keypair, account, config);
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
        ])
        .unwrap();
        assert_eq!((a.url.as_str(), a.interval, a.rounds), ("http://x:1", 1, 3));
        assert!(a.lookup_table.is_some() && a.prepare_lookup_table);
        assert!(Args::try_parse_from(["ballast-keeper", "--keypair", "k.json", "--group", key]).is_err());
        assert!(Args::try_parse_from(["ballast-keeper", "--keypair", "k", "--group", "x", "--account", key])
            .is_err());
    }
}
