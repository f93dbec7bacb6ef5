//! `ballast-localnet`: Ballast on a local validator. `scripts/localnet/start.sh` runs `genesis`,
//! starts `solana-test-validator` with its files, then runs `setup`; the rest are for people and
//! tests while it runs. Every command but `genesis` talks JSON-RPC to the validator.

use anchor_lang::prelude::Pubkey;
use ballast_localnet::{fund, publish, set_price, setup, write_genesis, LocalnetConfig, LocalnetDir};
use ballast_sdk::chain::rpc::RpcChain;
use ballast_sdk::chain::Chain;
use ballast_sdk::config::parse_pubkey;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "ballast-localnet",
    version,
    about = "Ballast on a local validator: genesis, setup, funding, prices"
)]
struct Cli {
    /// The localnet's folder: keypairs, genesis account files, state.json
    #[arg(long, global = true, env = "BALLAST_LOCALNET_DIR", default_value = ".localnet")]
    dir: PathBuf,
    /// RPC URL of the validator
    #[arg(short = 'u', long, global = true, default_value = "http://127.0.0.1:8899")]
    url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the genesis account files (the authority's SOL, a Pyth price account per asset) for
    /// `solana-test-validator --account-dir DIR/accounts`
    Genesis {
        /// Deployment file with a [localnet] section
        #[arg(long, default_value = "migrations/sandbox.toml")]
        config: PathBuf,
    },
    /// Once the validator answers: mints, prices, the deployment applied, the liquidity
    /// provider's deposits (idempotent)
    Setup {
        #[arg(long, default_value = "migrations/sandbox.toml")]
        config: PathBuf,
    },
    /// Write a new keypair file (the Solana CLI's format) and print its address
    Keygen { file: PathBuf },
    /// Send a wallet SOL and tokens (into its associated token accounts)
    Fund {
        /// The wallet's address, or its keypair file
        #[arg(value_parser = parse_wallet)]
        wallet: Pubkey,
        /// SOL for fees and rent
        #[arg(long, default_value_t = 10.0)]
        sol: f64,
        /// Tokens to mint, whole units: SYMBOL=AMOUNT (e.g. SOL=100 USDC=5000)
        #[arg(value_parser = parse_token_amount)]
        tokens: Vec<(String, f64)>,
    },
    /// Move an asset's price (spot and EMA), posted at the cluster's clock
    Price { symbol: String, usd: f64 },
    /// Re-post every price at the cluster's clock, every SECS seconds, so that they stay fresh
    Publish {
        #[arg(long, default_value_t = 20)]
        every: u64,
        /// Rounds to run [default: until stopped]
        #[arg(long)]
        rounds: Option<u64>,
    },
    /// Print state.json: the group, the assets with their mints, oracles and prices
    Show,
    /// Wait until the validator answers JSON-RPC and has made a few slots
    Wait {
        #[arg(long, default_value_t = 120)]
        timeout_secs: u64,
    },
}

fn parse_wallet(s: &str) -> Result<Pubkey, String> {
    if let Ok(k) = parse_pubkey(s) {
        return Ok(k);
    }
    solana_keypair::read_keypair_file(s)
        .map(|k| solana_signer::Signer::pubkey(&k))
        .map_err(|e| format!("{s}: neither an address nor a keypair file ({e})"))
}

fn parse_token_amount(s: &str) -> Result<(String, f64), String> {
    let (symbol, amount) = s.split_once('=').ok_or_else(|| format!("{s}: expected SYMBOL=AMOUNT"))?;
    let amount: f64 = amount.parse().map_err(|_| format!("{s}: {amount} is not a number"))?;
    if !(amount.is_finite() && amount > 0.0) {
        return Err(format!("{s}: the amount must be positive"));
    }
    Ok((symbol.to_string(), amount))
}

fn die(e: String) -> ! {
    eprintln!("error: {e}");
    std::process::exit(1)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cli = Cli::parse();
    let dir = LocalnetDir(cli.dir.clone());
    let chain = RpcChain::new(&cli.url);
    match cli.command {
        Command::Genesis { config } => {
            let config = LocalnetConfig::load(&config).unwrap_or_else(|e| die(e));
            let now =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
            let files = write_genesis(&config, &dir, now as i64).unwrap_or_else(|e| die(e));
            println!("{} account files in {}", files.len(), dir.accounts_dir().display());
        }
        Command::Setup { config } => {
            let config = LocalnetConfig::load(&config).unwrap_or_else(|e| die(e));
            let report = setup(&cli.url, &config, &dir).await.unwrap_or_else(|e| die(e));
            for a in &report.actions {
                println!("{a}");
            }
            for a in &report.state.assets {
                println!("asset {} {}: mint {} oracle {} ${}", a.index, a.symbol, a.mint, a.oracle, a.price);
            }
            println!("group {} (export BALLAST_GROUP={})", report.state.group, report.state.group);
        }
        Command::Keygen { file } => {
            if file.exists() {
                die(format!("{} exists; not overwriting it", file.display()));
            }
            let k = solana_keypair::Keypair::new();
            solana_keypair::write_keypair_file(&k, &file)
                .unwrap_or_else(|e| die(format!("{}: {e}", file.display())));
            println!("{}", solana_signer::Signer::pubkey(&k));
        }
        Command::Fund { wallet, sol, tokens } => {
            let accounts = fund(&chain, &dir, &wallet, sol, &tokens).await.unwrap_or_else(|e| die(e));
            println!("sent {wallet} {sol} SOL");
            for ((symbol, account), (_, amount)) in accounts.iter().zip(&tokens) {
                println!("minted {amount} {symbol} to {account}");
            }
        }
        Command::Price { symbol, usd } => {
            let before = set_price(&chain, &dir, &symbol, usd).await.unwrap_or_else(|e| die(e));
            println!("{symbol}: ${before} -> ${usd}");
        }
        Command::Publish { every, rounds } => {
            for round in 0..rounds.unwrap_or(u64::MAX) {
                if round > 0 {
                    tokio::time::sleep(std::time::Duration::from_secs(every)).await;
                }
                match publish(&chain, &dir).await {
                    Ok(t) => println!("round {round}: prices posted at {t}"),
                    Err(e) => eprintln!("round {round}: {e}"),
                }
            }
        }
        Command::Wait { timeout_secs } => {
            let started = std::time::Instant::now();
            loop {
                match chain.slot().await {
                    Ok(slot) if slot >= 2 => {
                        println!(
                            "validator up at slot {slot} after {:.1} s",
                            started.elapsed().as_secs_f64()
                        );
                        break;
                    }
                    _ if started.elapsed().as_secs() >= timeout_secs => {
                        die(format!("no validator at {} after {timeout_secs} s", cli.url))
                    }
                    _ => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
                }
            }
        }
        Command::Show => {
            let state = dir.state().unwrap_or_else(|e| die(e));
            println!("{}", serde_json::to_string_pretty(&state).expect("json"));
        }
    }
}
