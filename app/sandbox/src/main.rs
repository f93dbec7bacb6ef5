//! The sandbox: Ballast's main job on a machine without a cluster.
//!
//! Boots solana-program-test's in-process chain with the Ballast program, the real SPL Token and
//! Token-2022 programs and Pyth `PriceUpdateV2` accounts at their sponsored-feed addresses;
//! applies the deployment config from `migrations/` with the same code a real deployment uses;
//! opens the config's trader accounts; replays a real price path (the FTX week of SOL by
//! default); cranks the volatility estimate and runs the liquidation keeper at every step; prints
//! a timeline and a summary, and writes an SVG chart.
//!
//!   cargo run -p ballast-sandbox -- [--config migrations/sandbox.toml]
//!       [--csv data/prices/SOLUSDT_1h_2022-11.csv] [--from 2022-11-05] [--to 2022-11-15]
//!       [--out sandbox-out]

mod chart;
mod prices;

use anchor_lang::prelude::Pubkey;
use ballast::health_accounts::OraclePolicy;
use ballast::math::I80F48;
use ballast::risk::HealthType;
use ballast::state::MarginAccount;
use ballast_keeper::{Keeper, KeeperConfig};
use ballast_sdk::chain::banks::BanksChain;
use ballast_sdk::deploy::{self, DeploymentConfig};
use ballast_sdk::snapshot::account_health;
use ballast_sdk::{ix, sponsored_feed_address, Chain, GroupSnapshot};
use ballast_testkit::pyth::{price_update_account, to_pyth_int};
use ballast_testkit::token::{create_mint_ixs, create_token_account_ixs, mint_to_ix};
use serde::Deserialize;
use solana_keypair::Keypair;
use solana_program_test::ProgramTestContext;
use solana_signer::Signer;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Deserialize)]
struct SandboxFile {
    sandbox: SandboxSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SandboxSection {
    replayed_asset: String,
    #[serde(default)]
    constant_prices: BTreeMap<String, f64>,
    conf_bps: u32,
    ema_hours: u32,
    lp_deposits: BTreeMap<String, f64>,
    liquidator_deposits: BTreeMap<String, f64>,
    traders: Vec<TraderSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TraderSection {
    name: String,
    #[serde(default)]
    deposits: BTreeMap<String, f64>,
    #[serde(default)]
    borrows: BTreeMap<String, f64>,
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("sandbox: {msg}");
    std::process::exit(1)
}

/// The repository root (where migrations/ and data/ live), from the crate's location.
fn repo_path(p: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(p);
    if path.is_absolute() || path.exists() {
        return path.to_path_buf();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
}

struct Sim {
    ctx: ProgramTestContext,
    chain: BanksChain,
    payer: Keypair,
}

impl Sim {
    async fn send(&self, ixs: &[solana_instruction::Instruction], signers: &[&Keypair]) {
        if let Err(e) = self.chain.send(ixs, &self.payer, signers).await {
            die(format!("transaction failed: {e}"));
        }
    }

    async fn set_time(&mut self, unix_timestamp: i64) {
        ballast_testkit::warp_to_time(&mut self.ctx, unix_timestamp).await;
    }

    fn set_price(&mut self, feed_id: [u8; 32], price: f64, ema: f64, conf_bps: u32, now: i64) {
        let conf = (price * f64::from(conf_bps) / 10_000.0 * 1e8).round() as u64;
        let account = price_update_account(feed_id, to_pyth_int(price), conf, to_pyth_int(ema), now);
        self.ctx.set_account(&sponsored_feed_address(&feed_id, 0), &account.into());
    }

    async fn create_mint(&self, token_program: Pubkey, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let rent = ballast_testkit::rent(&self.ctx).await;
        let payer = self.payer.pubkey();
        let ixs = create_mint_ixs(&rent, payer, mint.pubkey(), token_program, payer, decimals);
        self.send(&ixs, &[&mint]).await;
        mint.pubkey()
    }

    /// A token account of `owner` holding `amount` freshly minted.
    async fn funded(&self, mint: Pubkey, token_program: Pubkey, owner: Pubkey, amount: u64) -> Pubkey {
        let acc = Keypair::new();
        let rent = ballast_testkit::rent(&self.ctx).await;
        let payer = self.payer.pubkey();
        let mut ixs =
            create_token_account_ixs(&rent, payer, acc.pubkey(), mint, owner, token_program).to_vec();
        if amount > 0 {
            ixs.push(mint_to_ix(token_program, mint, acc.pubkey(), payer, amount));
        }
        self.send(&ixs, &[&acc]).await;
        acc.pubkey()
    }
}

struct Trader {
    name: String,
    account: Pubkey,
    health: Vec<f64>,
    liquidations: u32,
}

fn usd(v: I80F48) -> f64 {
    v.to_num::<f64>() / 1e6
}

fn native(amount: f64, decimals: u8) -> u64 {
    (amount * 10f64.powi(i32::from(decimals))).round() as u64
}

#[tokio::main]
async fn main() {
    // The runtime logs every instruction at debug level; the timeline is the sandbox's output.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let args: Vec<String> = std::env::args().collect();
    let config_path = repo_path(&arg(&args, "--config").unwrap_or_else(|| "migrations/sandbox.toml".into()));
    let csv_path =
        repo_path(&arg(&args, "--csv").unwrap_or_else(|| "data/prices/SOLUSDT_1h_2022-11.csv".into()));
    let out_dir = std::path::PathBuf::from(arg(&args, "--out").unwrap_or_else(|| "sandbox-out".into()));
    let from = arg(&args, "--from")
        .map(|s| prices::parse_time(&s).unwrap_or_else(|| die(format!("bad --from {s}"))));
    let to =
        arg(&args, "--to").map(|s| prices::parse_time(&s).unwrap_or_else(|| die(format!("bad --to {s}"))));

    let text = std::fs::read_to_string(&config_path)
        .unwrap_or_else(|e| die(format!("{}: {e}", config_path.display())));
    let deployment: DeploymentConfig =
        toml::from_str(&text).unwrap_or_else(|e| die(format!("{}: {e}", config_path.display())));
    let sandbox = toml::from_str::<SandboxFile>(&text)
        .unwrap_or_else(|e| die(format!("{}: {e}", config_path.display())))
        .sandbox;
    let csv =
        std::fs::read_to_string(&csv_path).unwrap_or_else(|e| die(format!("{}: {e}", csv_path.display())));
    let path =
        prices::load_csv(&csv, from, to).unwrap_or_else(|e| die(format!("{}: {e}", csv_path.display())));
    let symbols: Vec<String> = deployment.assets.iter().map(|a| a.symbol.clone()).collect();
    let index_of = |s: &str| {
        symbols.iter().position(|x| x == s).unwrap_or_else(|| die(format!("unknown asset {s}"))) as u16
    };
    let replayed = index_of(&sandbox.replayed_asset);

    println!("Ballast sandbox");
    println!("  config  {}", config_path.display());
    println!(
        "  prices  {} ({} rows, {} .. {})",
        csv_path.display(),
        path.len(),
        prices::format_time(path[0].0),
        prices::format_time(path[path.len() - 1].0)
    );

    // ---- chain ----
    let ctx = ballast_testkit::start(None).await;
    let chain = BanksChain::new(ctx.banks_client.clone());
    let payer = ctx.payer.insecure_clone();
    let mut sim = Sim { ctx, chain, payer };
    let mut now = path[0].0;
    sim.set_time(now).await;

    // ---- deployment: mints, oracles, then the config applied like a real deployment ----
    let admin = Keypair::new();
    let mut mints = HashMap::new();
    let mut feeds = vec![];
    let mut prices_now = vec![];
    for a in &deployment.assets {
        let tp = a.token_program_id().unwrap_or_else(|e| die(e));
        let mint = match &a.mint {
            Some(m) => deploy::parse_pubkey(m).unwrap_or_else(|e| die(e)),
            None => sim.create_mint(tp, a.decimals).await,
        };
        mints.insert(a.symbol.clone(), mint);
        let cfg = a.to_config().unwrap_or_else(|e| die(e));
        let price = if a.symbol == sandbox.replayed_asset {
            path[0].1
        } else {
            *sandbox
                .constant_prices
                .get(&a.symbol)
                .unwrap_or_else(|| die(format!("no constant price for {}", a.symbol)))
        };
        sim.set_price(cfg.feed_id, price, price, sandbox.conf_bps, now);
        feeds.push(cfg.feed_id);
        prices_now.push(price);
    }
    let report =
        deploy::apply(&sim.chain, &sim.payer, &admin, &deployment, &mints).await.unwrap_or_else(|e| die(e));
    for a in &report.actions {
        println!("  deploy  {a}");
    }
    let again =
        deploy::apply(&sim.chain, &sim.payer, &admin, &deployment, &mints).await.unwrap_or_else(|e| die(e));
    println!("  deploy  re-applied the same config: {} changes", again.actions.len());
    let group = report.group;
    for (_, key) in &report.assets {
        sim.chain.track(*key);
    }
    let snapshot = GroupSnapshot::load(&sim.chain, group, &HashMap::new()).await.unwrap_or_else(|e| die(e));

    // ---- participants ----
    async fn open(sim: &Sim, group: Pubkey, owner: &Keypair) -> Pubkey {
        let (account, i) = ix::create_account(group, owner.pubkey(), sim.payer.pubkey(), 0);
        sim.send(&[i], &[owner]).await;
        sim.chain.track(account);
        account
    }
    async fn deposit_all(
        sim: &Sim,
        snapshot: &GroupSnapshot,
        account: Pubkey,
        owner: &Keypair,
        amounts: &BTreeMap<String, f64>,
        index_of: &dyn Fn(&str) -> u16,
    ) {
        for (symbol, amount) in amounts {
            let a = snapshot.asset(index_of(symbol)).unwrap();
            let n = native(*amount, a.state.decimals);
            let w = sim.funded(a.state.mint, a.state.token_program, owner.pubkey(), n).await;
            sim.send(
                &[snapshot.deposit(account, a.state.asset_index, w, owner.pubkey(), n).unwrap()],
                &[owner],
            )
            .await;
        }
    }
    let lp = Keypair::new();
    let lp_account = open(&sim, group, &lp).await;
    deposit_all(&sim, &snapshot, lp_account, &lp, &sandbox.lp_deposits, &index_of).await;
    let liquidator = Keypair::new();
    let liquidator_account = open(&sim, group, &liquidator).await;
    deposit_all(&sim, &snapshot, liquidator_account, &liquidator, &sandbox.liquidator_deposits, &index_of)
        .await;
    sim.send(
        &[solana_system_interface::instruction::transfer(
            &sim.payer.pubkey(),
            &liquidator.pubkey(),
            10_000_000_000,
        )],
        &[],
    )
    .await;

    let mut traders = vec![];
    for t in &sandbox.traders {
        let owner = Keypair::new();
        let account = open(&sim, group, &owner).await;
        deposit_all(&sim, &snapshot, account, &owner, &t.deposits, &index_of).await;
        for (symbol, amount) in &t.borrows {
            let snap = GroupSnapshot::load(&sim.chain, group, &HashMap::new()).await.unwrap();
            let a = snap.asset(index_of(symbol)).unwrap().clone();
            let state: MarginAccount = ballast_sdk::decode(
                &account,
                &sim.chain.account(&account).await.unwrap().unwrap().data,
                "MarginAccount",
            )
            .unwrap();
            let to = sim.funded(a.state.mint, a.state.token_program, owner.pubkey(), 0).await;
            // The config's amounts suit the default path's first price; on another window or CSV
            // the same borrow may exceed the account's Init health. Then the borrow is retried at
            // 98% of what the engine says the margin check allows there (ignoring correlation
            // credit, so it is conservative), and the sandbox says so.
            let wanted = native(*amount, a.state.decimals);
            let i = snap.borrow(account, &state, a.state.asset_index, to, wanted).unwrap();
            if sim.chain.send(&[i], &sim.payer, &[&owner]).await.is_err() {
                let priced = snap.priced(OraclePolicy::RiskIncreasing).unwrap();
                let room = account_health(&priced, &state).map(|h| h.init).unwrap_or(I80F48::ZERO);
                let p = priced.get(a.state.asset_index).unwrap();
                let per_unit = ballast::risk::liability_price(
                    &p.template.prices,
                    p.template.conf_multiplier,
                    HealthType::Init,
                )
                .unwrap()
                    * p.template.weights.init_liab;
                let cap: u64 = (room.max(I80F48::ZERO) * I80F48::from_num(0.98) / per_unit).floor().to_num();
                println!(
                    "  note    {}'s borrow capped at {:.2} {symbol} (of {amount}): Init health at the replay's first price",
                    t.name,
                    cap as f64 / 10f64.powi(i32::from(a.state.decimals))
                );
                if cap > 0 {
                    let i = snap.borrow(account, &state, a.state.asset_index, to, cap).unwrap();
                    if let Err(e) = sim.chain.send(&[i], &sim.payer, &[&owner]).await {
                        die(format!("trader {} cannot borrow {amount} {symbol}: {e}", t.name));
                    }
                }
            }
        }
        traders.push(Trader { name: t.name.clone(), account, health: vec![], liquidations: 0 });
    }
    println!("  opened  {} traders, an LP and the keeper's liquidator account", traders.len());
    println!();

    // ---- replay ----
    let mut keeper =
        Keeper::new(group, liquidator.insecure_clone(), liquidator_account, KeeperConfig::default());
    let vol_assets: Vec<u16> = snapshot
        .assets
        .iter()
        .filter(|a| a.state.config.liquidation_horizon_secs > 0)
        .map(|a| a.state.asset_index)
        .collect();
    let alpha = 2.0 / (f64::from(sandbox.ema_hours.max(1)) + 1.0);
    let mut ema = path[0].1;
    let mut times = vec![];
    let mut price_series = vec![];
    let mut marks = vec![];
    let (mut total_liquidations, mut total_bankrupt) = (0u32, 0u32);
    let (mut bonus_paid, mut bad_debt) = (I80F48::ZERO, I80F48::ZERO);
    let started = std::time::Instant::now();
    println!(
        "{:<17} {:>9}  {}",
        "time (UTC)",
        sandbox.replayed_asset,
        traders.iter().map(|t| format!("{:>12}", t.name)).collect::<String>()
    );
    println!(
        "{:<17} {:>9}  {}",
        "",
        "USD",
        traders.iter().map(|_| format!("{:>12}", "maint $")).collect::<String>()
    );
    for (step, (t, close)) in path.iter().enumerate() {
        now = *t;
        sim.set_time(now).await;
        ema += alpha * (close - ema);
        for (i, feed) in feeds.iter().enumerate() {
            let (p, e) = if i as u16 == replayed { (*close, ema) } else { (prices_now[i], prices_now[i]) };
            sim.set_price(*feed, p, e, sandbox.conf_bps, now);
        }
        let snap = GroupSnapshot::load(&sim.chain, group, &HashMap::new()).await.unwrap();
        for i in &vol_assets {
            // at most once per interval; "too soon" is the expected refusal between samples
            let _ = sim.chain.send(&[ix::update_volatility(snap.asset(*i).unwrap())], &sim.payer, &[]).await;
        }
        let round = keeper.run_round(&sim.chain).await.unwrap_or_else(|e| die(e));
        total_liquidations += round.liquidated.len() as u32;
        total_bankrupt += round.bankrupt.len() as u32;
        bonus_paid += round.bonus_paid;
        bad_debt += round.bad_debt;

        let snap = GroupSnapshot::load(&sim.chain, group, &HashMap::new()).await.unwrap();
        let priced = snap.priced(OraclePolicy::Liquidation).unwrap();
        let mut events = vec![];
        for (ti, tr) in traders.iter_mut().enumerate() {
            let state: MarginAccount = ballast_sdk::decode(
                &tr.account,
                &sim.chain.account(&tr.account).await.unwrap().unwrap().data,
                "MarginAccount",
            )
            .unwrap();
            let h = account_health(&priced, &state).map(|h| usd(h.maint)).unwrap_or(f64::NAN);
            tr.health.push(h);
            if round.liquidated.contains(&tr.account) {
                tr.liquidations += 1;
                marks.push((step, ti));
                events.push(format!("  ! liquidated {:<8} maint health now {h:>12.2}", tr.name));
            }
            if round.bankrupt.contains(&tr.account) {
                events.push(format!("  ! bankrupt   {:<8} debt written off", tr.name));
            }
        }
        for (k, e) in &round.failures {
            events.push(format!("  ? keeper could not liquidate {k}: {e}"));
        }
        times.push(prices::format_time(now));
        price_series.push(*close);
        if step % 24 == 0 || !events.is_empty() || step + 1 == path.len() {
            println!(
                "{:<17} {:>9.2}  {}",
                prices::format_time(now),
                close,
                traders.iter().map(|t| format!("{:>12.0}", t.health.last().unwrap())).collect::<String>()
            );
            for e in events {
                println!("{e}");
            }
        }
    }
    let elapsed = started.elapsed();

    // ---- summary ----
    let snap = GroupSnapshot::load(&sim.chain, group, &HashMap::new()).await.unwrap();
    println!();
    println!("Summary");
    println!(
        "  steps replayed         {} ({:.1} s, {:.1} ms a step)",
        path.len(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e3 / path.len() as f64
    );
    println!(
        "  {} moved              {:.2} -> {:.2} (low {:.2})",
        sandbox.replayed_asset,
        path[0].1,
        path[path.len() - 1].1,
        price_series.iter().cloned().fold(f64::INFINITY, f64::min)
    );
    println!("  liquidations           {total_liquidations}");
    println!("  bonus paid             ${:.2} (liquidators and the insurance fund's share)", usd(bonus_paid));
    println!("  bankruptcies           {total_bankrupt}");
    println!("  bad debt               ${:.2}", usd(bad_debt));
    for a in &snap.assets {
        let fund = a.state.lending_state().insurance_fund;
        if fund > I80F48::ZERO {
            println!(
                "  insurance fund {:<7} {:.6} {}",
                symbols[a.state.asset_index as usize],
                fund.to_num::<f64>() / 10f64.powi(i32::from(a.state.decimals)),
                symbols[a.state.asset_index as usize]
            );
        }
    }
    for a in snap.assets.iter().filter(|a| a.state.config.liquidation_horizon_secs > 0) {
        let sigma = a.state.realized_variance.get().to_num::<f64>().sqrt();
        println!(
            "  {:<6} volatility      realised {:.0}% annualised (floor {:.0}%); horizon move sigma*sqrt(h) {:.2}%",
            symbols[a.state.asset_index as usize],
            sigma * 100.0,
            f64::from(a.state.config.sigma_floor_bps) / 100.0,
            a.state.horizon_vol.get().to_num::<f64>() * 100.0
        );
    }
    let s = &keeper.stats;
    println!("  keeper                 {} rounds, {} account scans, {} liquidations, {} write-offs, {} failed sends", s.rounds, s.accounts_scanned, s.liquidations, s.bankruptcies_resolved, s.failed_sends);
    for t in &traders {
        println!(
            "  {:<8} liquidated {:>3} times, final maint health ${:.2}",
            t.name,
            t.liquidations,
            t.health.last().unwrap()
        );
    }

    std::fs::create_dir_all(&out_dir).unwrap_or_else(|e| die(format!("{}: {e}", out_dir.display())));
    let series: Vec<chart::Series> =
        traders.iter().map(|t| chart::Series { name: t.name.clone(), values: t.health.clone() }).collect();
    let title = format!(
        "Ballast sandbox: {} replay, {} .. {}",
        sandbox.replayed_asset,
        times[0],
        times[times.len() - 1]
    );
    let svg = chart::render(&title, &times, &sandbox.replayed_asset, &price_series, &series, &marks);
    let chart_path = out_dir.join("sandbox.svg");
    std::fs::write(&chart_path, svg).unwrap_or_else(|e| die(format!("{}: {e}", chart_path.display())));
    println!("  chart                  {}", chart_path.display());
}
