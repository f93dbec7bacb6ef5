//! Setting the scene: mints and oracles, the deployment config applied as a real deployment
//! applies it, then the LP, the keeper's liquidator account and the config's traders.

use crate::config::SandboxSection;
use crate::die;
use crate::sim::Sim;
use anchor_lang::prelude::Pubkey;
use ballast::math::I80F48;
use ballast_sdk::deploy::{self, DeploymentConfig};
use ballast_sdk::{ix, Chain, GroupSnapshot};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::{BTreeMap, HashMap};

/// A trader of the config, and what the replay records of it.
pub struct Trader {
    pub name: String,
    pub account: Pubkey,
    /// Maint health in USD after every step.
    pub health: Vec<f64>,
    pub liquidations: u32,
}

/// The deployed group and its participants.
pub struct Scene {
    pub group: Pubkey,
    /// The group right after deployment (the assets do not change after).
    pub snapshot: GroupSnapshot,
    /// Asset symbols by asset index.
    pub symbols: Vec<String>,
    /// Each asset's feed id and the price it starts at, by asset index.
    pub feeds: Vec<[u8; 32]>,
    pub prices_now: Vec<f64>,
    /// The asset index whose price the replay moves.
    pub replayed: u16,
    pub liquidator: Keypair,
    pub liquidator_account: Pubkey,
    pub traders: Vec<Trader>,
    /// Markets listed by the sandbox.
    pub market_count: u16,
}

pub fn native(amount: f64, decimals: u8) -> u64 {
    (amount * 10f64.powi(i32::from(decimals))).round() as u64
}

/// The asset index of `s` among the deployment's symbols.
pub fn index_of(symbols: &[String], s: &str) -> u16 {
    symbols.iter().position(|x| x == s).unwrap_or_else(|| die(format!("unknown asset {s}"))) as u16
}

pub async fn open(sim: &Sim, group: Pubkey, owner: &Keypair) -> Pubkey {
    let (account, i) = ix::create_account(group, owner.pubkey(), sim.payer.pubkey(), 0);
    sim.send(&[i], &[owner]).await;
    account
}

pub async fn deposit_all(
    sim: &Sim,
    snapshot: &GroupSnapshot,
    symbols: &[String],
    account: Pubkey,
    owner: &Keypair,
    amounts: &BTreeMap<String, f64>,
) {
    for (symbol, amount) in amounts {
        let a = snapshot.asset(index_of(symbols, symbol)).unwrap();
        let n = native(*amount, a.state.decimals);
        let w = sim.funded(a.state.mint, a.state.token_program, owner.pubkey(), n).await;
        sim.send(&[snapshot.deposit(account, a.state.asset_index, w, owner.pubkey(), n).unwrap()], &[owner])
            .await;
    }
}

/// A deployment on the sandbox's chain: the group, its admin and every asset's mint and oracle.
pub struct Deployed {
    pub group: Pubkey,
    pub admin: Keypair,
    pub snapshot: GroupSnapshot,
    /// Asset symbols and feed ids, by asset index.
    pub symbols: Vec<String>,
    pub feeds: Vec<[u8; 32]>,
}

/// Creates the mints and the oracles (every asset at `prices[i]`, by the deployment's order, at
/// time `now`) and applies `deployment` as a real deployment applies it; `verbose` prints each
/// action, and applies it a second time to show that it is idempotent.
pub async fn deploy(
    sim: &mut Sim,
    deployment: &DeploymentConfig,
    prices: &[f64],
    conf_bps: u32,
    now: i64,
    verbose: bool,
) -> Deployed {
    let symbols: Vec<String> = deployment.assets.iter().map(|a| a.symbol.clone()).collect();
    let admin = Keypair::new();
    let mut mints = HashMap::new();
    let mut feeds = vec![];
    for (a, price) in deployment.assets.iter().zip(prices) {
        let tp = a.token_program_id().unwrap_or_else(|e| die(e));
        let mint = match &a.mint {
            Some(m) => deploy::parse_pubkey(m).unwrap_or_else(|e| die(e)),
            None => sim.create_mint(tp, a.decimals).await,
        };
        mints.insert(a.symbol.clone(), mint);
        let cfg = a.to_config().unwrap_or_else(|e| die(e));
        sim.set_price(cfg.feed_id, *price, *price, conf_bps, now);
        feeds.push(cfg.feed_id);
    }
    let report =
        deploy::apply(&sim.chain, &sim.payer, &admin, deployment, &mints).await.unwrap_or_else(|e| die(e));
    if verbose {
        for a in &report.actions {
            println!("  deploy  {a}");
        }
        let again = deploy::apply(&sim.chain, &sim.payer, &admin, deployment, &mints)
            .await
            .unwrap_or_else(|e| die(e));
        println!("  deploy  re-applied the same config: {} changes", again.actions.len());
    }
    let group = report.group;
    let snapshot = sim.snapshot(group).await;
    Deployed { group, admin, snapshot, symbols, feeds }
}

/// The LP (depositing `lp_deposits`) and the keeper's liquidator account (`liquidator_deposits`,
/// and SOL for fees); returns the liquidator's key pair and account.
pub async fn liquidity(sim: &Sim, d: &Deployed, sandbox: &SandboxSection) -> (Keypair, Pubkey) {
    let lp = Keypair::new();
    let lp_account = open(sim, d.group, &lp).await;
    deposit_all(sim, &d.snapshot, &d.symbols, lp_account, &lp, &sandbox.lp_deposits).await;
    let liquidator = Keypair::new();
    let liquidator_account = open(sim, d.group, &liquidator).await;
    deposit_all(sim, &d.snapshot, &d.symbols, liquidator_account, &liquidator, &sandbox.liquidator_deposits)
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
    (liquidator, liquidator_account)
}

/// Deploys `deployment` with every oracle at its starting price (`first_price` for the replayed
/// asset, the config's constant prices for the others) at time `now`, and opens the accounts.
pub async fn set_up(
    sim: &mut Sim,
    deployment: &DeploymentConfig,
    sandbox: &SandboxSection,
    first_price: f64,
    now: i64,
) -> Scene {
    let symbols: Vec<String> = deployment.assets.iter().map(|a| a.symbol.clone()).collect();
    let replayed = index_of(&symbols, &sandbox.replayed_asset);
    let prices_now: Vec<f64> = symbols
        .iter()
        .map(|s| {
            if *s == sandbox.replayed_asset {
                first_price
            } else {
                *sandbox.constant_prices.get(s).unwrap_or_else(|| die(format!("no constant price for {s}")))
            }
        })
        .collect();
    let d = deploy(sim, deployment, &prices_now, sandbox.conf_bps, now, true).await;
    let (liquidator, liquidator_account) = liquidity(sim, &d, sandbox).await;
    let Deployed { group, admin, snapshot, feeds, .. } = d;

    let mut traders = vec![];
    let mut owners = vec![];
    for t in &sandbox.traders {
        let owner = Keypair::new();
        let account = open(sim, group, &owner).await;
        deposit_all(sim, &snapshot, &symbols, account, &owner, &t.deposits).await;
        for (symbol, amount) in &t.borrows {
            borrow(sim, group, &symbols, &t.name, account, &owner, symbol, *amount).await;
        }
        traders.push(Trader { name: t.name.clone(), account, health: vec![], liquidations: 0 });
        owners.push(owner);
    }
    let mut market_count = 0;
    if let Some(f) = &sandbox.future {
        market_count += 1;
        let market = list_future(sim, group, &admin, &symbols, replayed, f, now).await;
        let maker = Keypair::new();
        let maker_account = open(sim, group, &maker).await;
        deposit_all(sim, &snapshot, &symbols, maker_account, &maker, &f.maker_deposits).await;
        let quote = snapshot.asset(index_of(&symbols, &f.quote)).unwrap().state;
        let price = native(first_price * f.contract_size, quote.decimals);
        for (t, owner) in sandbox.traders.iter().zip(&owners) {
            if t.futures == 0 {
                continue;
            }
            let account = traders.iter().find(|x| x.name == t.name).unwrap().account;
            let contracts = t.futures.unsigned_abs();
            trade_with_maker(
                sim,
                group,
                market,
                (account, owner),
                (maker_account, &maker),
                t.futures,
                Some(price),
            )
            .await;
            println!(
                "  future  {} {} {} contracts of {} {} at {:.2}",
                t.name,
                if t.futures > 0 { "bought" } else { "sold" },
                contracts,
                f.contract_size,
                symbols[usize::from(replayed)],
                price as f64 / 10f64.powi(i32::from(quote.decimals))
            );
        }
        traders.push(Trader {
            name: "maker".into(),
            account: maker_account,
            health: vec![],
            liquidations: 0,
        });
    }
    if let Some(o) = &sandbox.options {
        let maker = Keypair::new();
        let maker_account = open(sim, group, &maker).await;
        deposit_all(sim, &snapshot, &symbols, maker_account, &maker, &o.maker_deposits).await;
        for series in &o.series {
            market_count += 1;
            let market =
                list_option(sim, group, &admin, &symbols, replayed, o, series, first_price, now).await;
            for (t, owner) in sandbox.traders.iter().zip(&owners) {
                let Some(&contracts) = t.options.get(&series.name).filter(|c| **c != 0) else { continue };
                let account = traders.iter().find(|x| x.name == t.name).unwrap().account;
                let n = contracts.unsigned_abs();
                let price = trade_with_maker(
                    sim,
                    group,
                    market,
                    (account, owner),
                    (maker_account, &maker),
                    contracts,
                    None,
                )
                .await;
                let quote = snapshot.asset(index_of(&symbols, &o.quote)).unwrap().state;
                println!(
                    "  option  {} {} {} {} at {:.2}",
                    t.name,
                    if contracts > 0 { "bought" } else { "wrote" },
                    n,
                    series.name,
                    price as f64 / 10f64.powi(i32::from(quote.decimals))
                );
            }
        }
        traders.push(Trader {
            name: "opt maker".into(),
            account: maker_account,
            health: vec![],
            liquidations: 0,
        });
    }
    Scene {
        group,
        snapshot,
        symbols,
        feeds,
        prices_now,
        replayed,
        liquidator,
        liquidator_account,
        traders,
        market_count,
    }
}

/// `trader` buys (`contracts > 0`) or sells `|contracts|` of `market` from or to `maker` at
/// `price` per contract, or for an option at its mark (as the crank in front of the trade prices
/// it, rounded up); returns the price.
async fn trade_with_maker(
    sim: &Sim,
    group: Pubkey,
    market: u16,
    (account, owner): (Pubkey, &Keypair),
    (maker_account, maker): (Pubkey, &Keypair),
    contracts: i64,
    price: Option<u64>,
) -> u64 {
    let snap = sim.snapshot(group).await;
    // the snapshot prices an option as the crank in front of the trade will
    let price = price
        .unwrap_or_else(|| snap.market(market).unwrap().state.risk_array.value.get().ceil().to_num::<u64>());
    let (mine, theirs) = (sim.margin_account(account).await, sim.margin_account(maker_account).await);
    let n = contracts.unsigned_abs();
    let i = if contracts > 0 {
        snap.trade(market, account, &mine, maker_account, &theirs, n, price)
    } else {
        snap.trade(market, maker_account, &theirs, account, &mine, n, price)
    }
    .unwrap();
    let mut ixs = snap.risk_array_cranks(&[&mine, &theirs], &[market]).unwrap();
    ixs.push(i);
    sim.send(&ballast_sdk::tx::with_compute_budget(&ixs, 0), &[owner, maker]).await;
    price
}

/// Registers a market of `config` on (underlying, quote) as the group's next market; returns its
/// index.
async fn register_market(
    sim: &Sim,
    group: Pubkey,
    admin: &Keypair,
    snap: &GroupSnapshot,
    (underlying, quote): (Pubkey, Pubkey),
    config: ballast::state::MarketConfig,
) -> u16 {
    let index = snap.group.market_count;
    let i = ix::register_market(group, admin.pubkey(), sim.payer.pubkey(), index, underlying, quote, config);
    sim.send(&[i], &[admin]).await;
    index
}

/// Lists the future of `[sandbox.future]` on the replayed asset (the market template's margin
/// parameters), expiring `expiry_hours` after `now`; returns its market index.
async fn list_future(
    sim: &Sim,
    group: Pubkey,
    admin: &Keypair,
    symbols: &[String],
    replayed: u16,
    f: &crate::config::FutureSection,
    now: i64,
) -> u16 {
    let snap = sim.snapshot(group).await;
    let underlying = snap.asset(replayed).unwrap();
    let quote = snap.asset(index_of(symbols, &f.quote)).unwrap();
    let config = ballast::state::MarketConfig {
        expiry_ts: now + f.expiry_hours * 3_600,
        contract_size: native(f.contract_size, underlying.state.decimals),
        ..ballast::state::MarketConfig::template()
    };
    let index = register_market(sim, group, admin, &snap, (underlying.key, quote.key), config).await;
    println!(
        "  market  {} future #{index}: {} per contract, expires after {} hours, settles in {}",
        symbols[usize::from(replayed)],
        f.contract_size,
        f.expiry_hours,
        f.quote
    );
    index
}

/// Lists an option series of `[sandbox.options]` on the replayed asset (the market template's
/// margin parameters), struck at `series.strike` times `first_price`; returns its market index.
#[allow(clippy::too_many_arguments)]
async fn list_option(
    sim: &Sim,
    group: Pubkey,
    admin: &Keypair,
    symbols: &[String],
    replayed: u16,
    o: &crate::config::OptionsSection,
    series: &crate::config::OptionSeriesSection,
    first_price: f64,
    now: i64,
) -> u16 {
    let snap = sim.snapshot(group).await;
    let underlying = snap.asset(replayed).unwrap();
    let quote = snap.asset(index_of(symbols, &o.quote)).unwrap();
    let kind = match series.kind.as_str() {
        "call" => ballast::state::MarketKind::Call,
        "put" => ballast::state::MarketKind::Put,
        other => die(format!("option {}: kind {other} is neither call nor put", series.name)),
    };
    let strike = first_price * series.strike * series.contract_size;
    let config = ballast::state::MarketConfig {
        kind: kind as u8,
        strike: native(strike, quote.state.decimals),
        expiry_ts: now + series.expiry_hours * 3_600,
        contract_size: native(series.contract_size, underlying.state.decimals),
        ..ballast::state::MarketConfig::template()
    };
    let index = register_market(sim, group, admin, &snap, (underlying.key, quote.key), config).await;
    println!(
        "  market  {} {} #{index} {}: struck at {:.2}, {} per contract, expires after {} hours",
        symbols[usize::from(replayed)],
        series.kind,
        series.name,
        strike,
        series.contract_size,
        series.expiry_hours
    );
    index
}

/// A trader's borrow of `amount` `symbol`. The config's amounts suit the default path's first
/// price; on another window or CSV the same borrow may exceed the account's Init health. Then
/// the borrow is retried at 98% of the engine's max borrow there (`GroupSnapshot::max_borrow`),
/// and the sandbox says so.
#[allow(clippy::too_many_arguments)]
async fn borrow(
    sim: &Sim,
    group: Pubkey,
    symbols: &[String],
    name: &str,
    account: Pubkey,
    owner: &Keypair,
    symbol: &str,
    amount: f64,
) {
    let snap = sim.snapshot(group).await;
    let a = snap.asset(index_of(symbols, symbol)).unwrap().clone();
    let state = sim.margin_account(account).await;
    let to = sim.funded(a.state.mint, a.state.token_program, owner.pubkey(), 0).await;
    let wanted = native(amount, a.state.decimals);
    let i = snap.borrow(account, &state, a.state.asset_index, to, wanted).unwrap();
    if sim.chain.send(&[i], &sim.payer, &[owner]).await.is_err() {
        // 98% of the engine's max borrow there (the largest amount the margin check accepts, with
        // every factor), so the trader starts just inside its limit.
        let liquidity = snap.vault_amount(&sim.chain, a.state.asset_index).await.unwrap();
        let max = snap.max_borrow(&state, a.state.asset_index, liquidity, I80F48::ZERO).unwrap().unwrap_or(0);
        let cap = max / 50 * 49;
        println!(
            "  note    {}'s borrow capped at {:.2} {symbol} (of {amount}): Init health at the replay's first price",
            name,
            cap as f64 / 10f64.powi(i32::from(a.state.decimals))
        );
        if cap > 0 {
            let i = snap.borrow(account, &state, a.state.asset_index, to, cap).unwrap();
            if let Err(e) = sim.chain.send(&[i], &sim.payer, &[owner]).await {
                die(format!("trader {} cannot borrow {amount} {symbol}: {e}", name));
            }
        }
    }
}
