//! Compute-unit benchmark of the SBF build: runs the real `ballast.so` in solana-program-test's
//! virtual machine through deposit, withdraw and borrow at 1, 4, 8 and 16 (the maximum) token
//! positions and liquidate at 2, 8 and 16, a withdrawal with 0 to 8 futures and a trade between
//! two accounts of 8 tokens and 8 futures each, and prints compute units per instruction and
//! position count, the account sizes, and the budgets of DESIGN.md and issue 12.
//!
//!   BALLAST_SBF_SO_DIR=<folder with ballast.so> cargo run -p ballast-tests --bin cu_bench [-- --check]
//!
//! (`scripts/sbf/bench.sh` builds the .so and runs this.) With `--check` it exits 1 when an
//! instruction at the maximum positions is over its budget.
//!
//! "Positions" is how many token positions the margin account holds after the instruction; the
//! health checks of withdraw and borrow, and liquidate, read that many Asset and oracle accounts.
//! A borrow needs collateral, so its smallest case is 2 positions. Every measured instruction runs
//! 10 s after the previous step, so interest accrues, with every oracle fresh.

use ballast::state::MAX_TOKEN_POSITIONS;
use ballast_tests::*;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeMap;

const DECIMALS: u8 = 6;
const UNIT: u64 = 1_000_000;
const MAX: usize = MAX_TOKEN_POSITIONS;

/// DESIGN.md "Performance budgets": targets, reported as ok / OVER (not met yet, see README).
const HEALTH_CU_PER_POSITION: u64 = 1_500;
const LIQUIDATION_AT_MAX_CU: u64 = 150_000;
/// The runtime's default limit for one instruction, reported likewise.
const DEFAULT_INSTRUCTION_LIMIT: u64 = 200_000;
/// Issue 12's budgets: per futures position in a health check, and a trade between two accounts
/// of 8 token positions and 8 futures each ("well inside" the transaction's 1.4M).
const FUTURE_CU_PER_POSITION: u64 = 2_500;
const TRADE_AT_EIGHT_CU: u64 = 700_000;
/// Issue 13's budgets: the risk-array crank for one series, and per option position in a
/// margin check (a dot product with the array).
const CRANK_CU: u64 = 600_000;
const OPTION_CU_PER_POSITION: u64 = 2_500;
/// Regression guard (`--check`): ceilings at the largest measured position count, about 10% above
/// what was measured when they were set. Lower them as the program gets cheaper; raising one needs a
/// reason in the commit.
const CEILINGS: [(&str, u64); 8] = [
    ("deposit", 19_000),
    ("withdraw", 78_000),
    ("borrow", 80_000),
    // 237,895 at issue 14; 147,715 after issue 15
    ("liquidate", 165_000),
    ("withdraw+futures", 96_000),
    ("trade", 178_000),
    ("update_risk_array", 262_000),
    ("withdraw+options", 126_000),
];

struct Bench {
    env: TestEnv,
    prices: Vec<f64>,
}

/// `c` with a one-bucket volatility surface (80% ATM, 20% wings), so options can list on it (it
/// moves nothing else).
fn with_surface(mut c: ballast::state::AssetConfig) -> ballast::state::AssetConfig {
    c.vol_surface.buckets[0] = ballast::state::VolBucketConfig {
        tenor_secs: 365 * 86_400,
        atm_vol_bps: 8_000,
        put_wing_bps: 2_000,
        call_wing_bps: 2_000,
    };
    c
}

impl Bench {
    async fn new() -> Bench {
        Self::with_configs(|_| with_surface(default_config())).await
    }

    async fn with_factors() -> Bench {
        let mut b = Self::with_configs(every_factor_config).await;
        b.env.update_group(every_factor_group_config()).await.unwrap();
        b
    }

    async fn with_configs(config: impl Fn(usize) -> ballast::state::AssetConfig) -> Bench {
        let mut env = TestEnv::new().await;
        for i in 0..MAX {
            env.list_asset(SPL_TOKEN, DECIMALS, 1.0, config(i)).await;
        }
        let mut b = Bench { env, prices: vec![1.0; MAX] };
        // A liquidity provider with deposits in every asset, so borrows have tokens to take.
        let all: Vec<usize> = (0..MAX).collect();
        b.trader_with_deposits(&all, 1_000_000 * UNIT).await;
        b
    }

    /// Ten seconds later (and a new slot), every oracle republished at its price.
    async fn refresh(&mut self) {
        self.env.advance_time(10).await;
        for i in 0..MAX {
            self.env.set_price(i, self.prices[i], 0.0).await;
        }
    }

    /// A new margin account with `amount` deposited in each of `assets`; a wallet per asset
    /// holding as much again.
    async fn trader_with_deposits(
        &mut self,
        assets: &[usize],
        amount: u64,
    ) -> (Keypair, Pubkey, Vec<Pubkey>) {
        let (user, account) = self.env.new_trader().await;
        let mut wallets = vec![Pubkey::default(); MAX];
        for &i in assets {
            let w = self.env.funded_token_account(user.pubkey(), i, 2 * amount).await;
            self.env.deposit(&user, account, i, w, amount).await.unwrap();
            wallets[i] = w;
        }
        (user, account, wallets)
    }

    async fn measure(&mut self, what: &str, n: usize, ix: Instruction, signer: &Keypair) -> Option<u64> {
        self.measure_signed(what, n, ix, &[signer]).await
    }

    async fn measure_signed(
        &mut self,
        what: &str,
        n: usize,
        ix: Instruction,
        signers: &[&Keypair],
    ) -> Option<u64> {
        let account_count = ix.accounts.len();
        // program-test 3.1 intermittently drops a transaction with 40 accounts (its bank task
        // panics on an index and the client sees DeadlineExceeded); a fresh send (send_with_metadata
        // makes each one unique) usually goes through, so a failure is retried twice.
        for attempt in 1..=3 {
            match self.env.send_with_metadata(std::slice::from_ref(&ix), signers).await {
                Ok(m) => {
                    let cu = *m.program_units.first().unwrap_or_else(|| {
                        panic!("{what} at {n}: no compute-unit line in the logs:\n{}", m.logs.join("\n"))
                    });
                    eprintln!("  {what:<10} {n:>2} positions, {account_count:>2} accounts: {cu:>7} CU");
                    return Some(cu);
                }
                Err(f) if attempt < 3 && f.logs.is_empty() => {
                    eprintln!("  {what} at {n} positions: {} (attempt {attempt}), retrying", f.error);
                }
                Err(f) => {
                    eprintln!("{what} at {n} positions FAILED: {}\n{}", f.error, f.logs.join("\n"));
                    return None;
                }
            }
        }
        None
    }

    async fn deposit(&mut self, n: usize) -> Option<u64> {
        let assets: Vec<usize> = (0..n).collect();
        let (user, account, wallets) = self.trader_with_deposits(&assets, 100 * UNIT).await;
        self.refresh().await;
        let ix = self.env.deposit_ix(user.pubkey(), account, n - 1, wallets[n - 1], UNIT).await;
        self.measure("deposit", n, ix, &user).await
    }

    async fn withdraw(&mut self, n: usize) -> Option<u64> {
        let assets: Vec<usize> = (0..n).collect();
        let (user, account, wallets) = self.trader_with_deposits(&assets, 100 * UNIT).await;
        self.refresh().await;
        let ix = self.env.withdraw_ix(user.pubkey(), account, n - 1, wallets[n - 1], UNIT).await;
        self.measure("withdraw", n, ix, &user).await
    }

    /// Deposits in n - 1 assets, then a first borrow of the last one: n positions after.
    async fn borrow(&mut self, n: usize) -> Option<u64> {
        let assets: Vec<usize> = (0..n - 1).collect();
        let (user, account, _) = self.trader_with_deposits(&assets, 100 * UNIT).await;
        let to = self.env.funded_token_account(user.pubkey(), n - 1, 0).await;
        self.refresh().await;
        let ix = self.env.borrow_ix(user.pubkey(), account, n - 1, to, UNIT).await;
        self.measure("borrow", n, ix, &user).await
    }

    /// The liquidatee holds n - 1 collateral deposits and one debt; the debt's price triples, so
    /// every collateral is seized in turn (n - 1 legs). The liquidator has a deposit in the first
    /// collateral asset and ends with the same n positions.
    async fn liquidate(&mut self, n: usize) -> Option<u64> {
        let liab = n - 1;
        let collateral: Vec<usize> = (0..liab).collect();
        let (user, account, _) = self.trader_with_deposits(&collateral, 100 * UNIT).await;
        let to = self.env.funded_token_account(user.pubkey(), liab, 0).await;
        let debt = 60 * UNIT * liab as u64;
        self.refresh().await;
        // Sent with the compute-unit limit raised: at 8 and more positions a borrow needs more
        // than the default 200k.
        let ix = self.env.borrow_ix(user.pubkey(), account, liab, to, debt).await;
        self.env.send_with_metadata(&[ix], &[&user]).await.unwrap();
        let (liquidator, liq_account, _) = self.trader_with_deposits(&[0], 100_000 * UNIT).await;

        self.prices[liab] = 3.0;
        self.refresh().await;
        let ix =
            self.env.liquidate_ix(liquidator.pubkey(), liq_account, account, liab, u64::MAX, 10_000).await;
        let cu = self.measure("liquidate", n, ix, &liquidator).await;
        self.prices[liab] = 1.0;
        cu?;
        let liqee = self.env.margin_account(account).await.active_count();
        let liqor = self.env.margin_account(liq_account).await.active_count();
        assert!(liqor == n, "liquidator holds {liqor} positions, expected {n}");
        eprintln!("    (liquidatee left with {liqee} positions)");
        cu
    }

    /// Lists the futures markets once: market i on asset i + 1 (1 token per contract, $1),
    /// settled in asset 0.
    async fn ensure_markets(&mut self) {
        if self.env.group_state().await.market_count > 0 {
            return;
        }
        let now = self.env.now().await;
        for i in 0..FUTURES_MARKETS {
            let config = ballast::state::MarketConfig {
                expiry_ts: now + 30 * 86_400,
                contract_size: UNIT,
                ..ballast::state::MarketConfig::template()
            };
            self.env.list_market(i + 1, 0, config).await;
        }
    }

    /// `buyer` buys 10 contracts of each of `markets` from `seller` at $1.
    async fn open_futures(
        &mut self,
        markets: std::ops::Range<usize>,
        buyer: (&Keypair, Pubkey),
        seller: (&Keypair, Pubkey),
    ) {
        for m in markets {
            let ix = self.env.trade_ix(m as u16, buyer.1, seller.1, 10, UNIT).await;
            self.env.send_with_metadata(&[ix], &[buyer.0, seller.0]).await.unwrap();
        }
    }

    /// A withdrawal from an account holding one token deposit and `f` futures (each on its own
    /// underlying, so the health accounts carry f + 1 assets and oracles and f markets).
    async fn withdraw_with_futures(&mut self, f: usize) -> Option<u64> {
        self.withdraw_with_tokens_and_futures(1, f).await
    }

    /// A withdrawal (of asset 0) from an account holding deposits in assets `0..tokens` and `f`
    /// futures on assets `1..=f`: with `tokens` = 8 every underlying but the eighth is already
    /// priced for its token position, which isolates what a future itself costs.
    async fn withdraw_with_tokens_and_futures(&mut self, tokens: usize, f: usize) -> Option<u64> {
        self.ensure_markets().await;
        let held: Vec<usize> = (0..tokens).collect();
        let (user, account, wallets) = self.trader_with_deposits(&held, 1_000 * UNIT).await;
        let (maker, maker_account, _) = self.trader_with_deposits(&[0], 1_000 * UNIT).await;
        self.refresh().await;
        self.open_futures(0..f, (&user, account), (&maker, maker_account)).await;
        self.refresh().await;
        let ix = self.env.withdraw_ix(user.pubkey(), account, 0, wallets[0], UNIT).await;
        self.measure(if tokens == 1 { "withdraw+futures" } else { "withdraw 8 tokens+futures" }, f, ix, &user)
            .await
    }

    /// A trade between two accounts that each hold 8 token deposits and, after it, 8 futures.
    async fn trade_at_eight(&mut self) -> Option<u64> {
        self.ensure_markets().await;
        let tokens: Vec<usize> = (0..8).collect();
        let (a, a_account, _) = self.trader_with_deposits(&tokens, 100 * UNIT).await;
        let (b, b_account, _) = self.trader_with_deposits(&tokens, 100 * UNIT).await;
        self.refresh().await;
        self.open_futures(0..7, (&a, a_account), (&b, b_account)).await;
        self.refresh().await;
        let ix = self.env.trade_ix(7, a_account, b_account, 10, UNIT).await;
        self.measure_signed("trade", 8, ix, &[&a, &b]).await
    }
}

/// Futures markets the benchmark lists (on assets 1..=8), then as many at-the-money calls.
const FUTURES_MARKETS: usize = 8;
const OPTION_MARKETS: usize = 8;

fn option_market(i: usize) -> u16 {
    (FUTURES_MARKETS + i) as u16
}

impl Bench {
    /// Lists the option markets once (after the futures): call i on asset i + 1, 1 token per
    /// contract, struck at $1 (at the money), 30 days out.
    async fn ensure_option_markets(&mut self) {
        self.ensure_markets().await;
        if usize::from(self.env.group_state().await.market_count) > FUTURES_MARKETS {
            return;
        }
        let now = self.env.now().await;
        for i in 0..OPTION_MARKETS {
            let config = ballast::state::MarketConfig {
                kind: ballast::state::MarketKind::Call as u8,
                strike: UNIT,
                expiry_ts: now + 30 * 86_400,
                contract_size: UNIT,
                ..ballast::state::MarketConfig::template()
            };
            self.env.list_market(i + 1, 0, config).await;
        }
    }

    /// One `update_risk_array`: the crank's cost for one series.
    async fn crank(&mut self) -> Option<u64> {
        self.ensure_option_markets().await;
        self.refresh().await;
        let ix = self.env.group_snapshot(false).await.update_risk_array(option_market(0)).unwrap();
        self.measure_signed("update_risk_array", 1, ix, &[]).await
    }

    /// `buyer` buys 10 of each of the calls `options` from `seller` at $0.10, each trade behind
    /// its series' crank.
    async fn open_options(
        &mut self,
        options: std::ops::Range<usize>,
        buyer: (&Keypair, Pubkey),
        seller: (&Keypair, Pubkey),
    ) {
        for i in options {
            let m = option_market(i);
            // the series held already were cranked by the trades before (same clock, same price)
            let mut ixs = vec![self.env.group_snapshot(false).await.update_risk_array(m).unwrap()];
            ixs.push(self.env.trade_ix(m, buyer.1, seller.1, 10, UNIT / 10).await);
            if let Err(f) = self.env.send_with_metadata(&ixs, &[buyer.0, seller.0]).await {
                panic!("option trade {i}: {}\n{}", f.error, f.logs.join("\n"));
            }
        }
    }

    /// A withdrawal (of asset 0) from an account holding deposits in `0..tokens` and `n` long
    /// calls on assets `1..=n`, their arrays cranked just before (in another transaction).
    async fn withdraw_with_tokens_and_options(&mut self, tokens: usize, n: usize) -> Option<u64> {
        self.ensure_option_markets().await;
        let held: Vec<usize> = (0..tokens).collect();
        let (user, account, wallets) = self.trader_with_deposits(&held, 1_000 * UNIT).await;
        let (maker, maker_account, _) = self.trader_with_deposits(&[0], 1_000 * UNIT).await;
        self.refresh().await;
        self.open_options(0..n, (&user, account), (&maker, maker_account)).await;
        self.refresh().await;
        // one crank per transaction (each is about 255k CU)
        for m in (0..n).map(option_market) {
            self.env.update_risk_array(m).await.unwrap();
        }
        let ix = self.env.withdraw_ix(user.pubkey(), account, 0, wallets[0], UNIT).await;
        self.measure(if tokens == 1 { "withdraw+options" } else { "withdraw 8 tokens+options" }, n, ix, &user)
            .await
    }
}

fn fmt(cu: u64) -> String {
    let s = cu.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::main]
async fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let Some(dir) = sbf_so_dir() else {
        eprintln!(
            "cu_bench: set BALLAST_SBF_SO_DIR to the folder holding ballast.so (scripts/sbf/build.sh); \
             natively compute units are not metered"
        );
        std::process::exit(2);
    };
    let so_len = std::fs::metadata(dir.join("ballast.so")).map(|m| m.len()).unwrap_or(0);

    let mut b = Bench::new().await;
    let mut table: BTreeMap<(&str, usize), u64> = BTreeMap::new();
    let mut failed: Vec<String> = vec![];
    eprintln!("measuring {} (SBF, {} bytes)", dir.join("ballast.so").display(), fmt(so_len));
    for n in [1, 4, 8, 16] {
        match b.deposit(n).await {
            Some(cu) => {
                table.insert(("deposit", n), cu);
            }
            None => failed.push(format!("deposit at {n} positions")),
        }
    }
    for n in [1, 4, 8, 16] {
        match b.withdraw(n).await {
            Some(cu) => {
                table.insert(("withdraw", n), cu);
            }
            None => failed.push(format!("withdraw at {n} positions")),
        }
    }
    for n in [2, 4, 8, 16] {
        match b.borrow(n).await {
            Some(cu) => {
                table.insert(("borrow", n), cu);
            }
            None => failed.push(format!("borrow at {n} positions")),
        }
    }
    // At 16 positions a liquidation's transaction carries about 38 accounts, which
    // solana-program-test 3.1 cannot load (on chain it needs an address lookup table); its cost
    // is extrapolated from 2 and 8 below.
    for n in [2, 8] {
        match b.liquidate(n).await {
            Some(cu) => {
                table.insert(("liquidate", n), cu);
            }
            None => failed.push(format!("liquidate at {n} positions")),
        }
    }

    // Futures: a withdrawal's health check with 0, 1, 4 and 8 futures on distinct underlyings,
    // and a trade between two accounts of 8 tokens and 8 futures each.
    let mut futures = BTreeMap::new();
    for f in [0, 1, 4, 8] {
        match b.withdraw_with_futures(f).await {
            Some(cu) => {
                futures.insert(f, cu);
            }
            None => failed.push(format!("withdraw with {f} futures")),
        }
    }
    let shared =
        (b.withdraw_with_tokens_and_futures(8, 0).await, b.withdraw_with_tokens_and_futures(8, 8).await);
    let trade_cu = b.trade_at_eight().await;
    if trade_cu.is_none() {
        failed.push("trade at 8 tokens and 8 futures".into());
    }

    // Options: the crank for one series, and a withdrawal's health check with 0, 1, 4 and 8
    // long calls on distinct underlyings, and with 8 calls on 8 underlyings it holds seven of.
    let crank_cu = b.crank().await;
    if crank_cu.is_none() {
        failed.push("update_risk_array".into());
    }
    let mut options = BTreeMap::new();
    for n in [0, 1, 4, 8] {
        match b.withdraw_with_tokens_and_options(1, n).await {
            Some(cu) => {
                options.insert(n, cu);
            }
            None => failed.push(format!("withdraw with {n} options")),
        }
    }
    let shared_options =
        (b.withdraw_with_tokens_and_options(8, 0).await, b.withdraw_with_tokens_and_options(8, 8).await);

    // The same health check with every factor on, for what the factors add per position.
    let mut factors = Bench::with_factors().await;
    let mut with_factors = BTreeMap::new();
    for n in [1, 16] {
        if let Some(cu) = factors.withdraw(n).await {
            with_factors.insert(n, cu);
        }
    }

    let cols = [1usize, 2, 4, 8, 16];
    let rows = ["deposit", "withdraw", "borrow", "liquidate"];
    println!(
        "Compute units per instruction (SBF build, solana-program-test 3.1.12), by token positions held:"
    );
    println!();
    print!("| instruction |");
    for c in cols {
        print!(" {c} |");
    }
    println!(" CU per extra position |");
    print!("|---|");
    for _ in cols {
        print!("---:|");
    }
    println!("---:|");
    let mut slopes = BTreeMap::new();
    for r in rows {
        if !table.keys().any(|(name, _)| *name == r) {
            continue;
        }
        print!("| {r} |");
        for c in cols {
            match table.get(&(r, c)) {
                Some(cu) => print!(" {} |", fmt(*cu)),
                None => print!(" - |"),
            }
        }
        let measured: Vec<(usize, u64)> =
            cols.iter().filter_map(|&c| table.get(&(r, c)).map(|&cu| (c, cu))).collect();
        let (n0, cu0) = measured[0];
        let (n1, cu1) = measured[measured.len() - 1];
        let slope = cu1.saturating_sub(cu0) / (n1 - n0) as u64;
        slopes.insert(r, slope);
        println!(" {} |", fmt(slope));
    }

    if let (Some(&one), Some(&full)) = (with_factors.get(&1), with_factors.get(&16)) {
        println!();
        println!(
            "withdraw with every factor on: {} CU at 1 position, {} at 16, {} CU per extra position ({} more than with base weights only)",
            fmt(one),
            fmt(full),
            fmt((full - one) / 15),
            fmt(((full - one) / 15).saturating_sub(slopes["withdraw"]))
        );
    }

    let futures_slope = match (futures.get(&0), futures.get(&8)) {
        (Some(&zero), Some(&eight)) => {
            println!();
            println!(
                "withdraw with futures (1 token deposit): {} CU with none, {} with 1, {} with 4, {} with 8; {} CU per futures position (its market, its underlying priced and scanned)",
                fmt(zero),
                futures.get(&1).map_or("-".into(), |c| fmt(*c)),
                futures.get(&4).map_or("-".into(), |c| fmt(*c)),
                fmt(eight),
                fmt((eight - zero) / 8)
            );
            Some((eight - zero) / 8)
        }
        _ => None,
    };
    if let (Some(t0), Some(t8)) = shared {
        println!(
            "withdraw with 8 token deposits: {} CU, and with 8 futures on 8 underlyings seven of which it holds: {}; {} CU per futures position (its market and scan, one more asset)",
            fmt(t0),
            fmt(t8),
            fmt((t8 - t0) / 8)
        );
    }
    if let Some(cu) = trade_cu {
        println!("trade between two accounts of 8 token positions and 8 futures each: {} CU", fmt(cu));
        table.insert(("trade", 8), cu);
    }
    if let Some(cu) = crank_cu {
        println!();
        println!(
            "update_risk_array for one series (17 Black-76 valuations, one with the Greeks): {} CU ({} the {} target)",
            fmt(cu),
            if cu <= CRANK_CU { "within" } else { "OVER" },
            fmt(CRANK_CU)
        );
        table.insert(("update_risk_array", 1), cu);
    }
    if let (Some(&none), Some(&eight)) = (options.get(&0), options.get(&8)) {
        table.insert(("withdraw+options", 8), eight);
        let slope = eight.saturating_sub(none) / 8;
        println!();
        println!(
            "withdraw with options (1 token deposit): {} CU with none, {} with 1, {} with 4, {} with 8; {} CU per option position on its own underlying",
            fmt(none),
            options.get(&1).map_or("-".into(), |c| fmt(*c)),
            options.get(&4).map_or("-".into(), |c| fmt(*c)),
            fmt(eight),
            fmt(slope)
        );
    }
    if let (Some(none), Some(eight)) = shared_options {
        let slope = eight.saturating_sub(none) / 8;
        println!(
            "withdraw with 8 token deposits: {} CU, and with 8 calls on 8 underlyings seven of which it holds: {}; {} CU per option position ({} the {} target)",
            fmt(none),
            fmt(eight),
            fmt(slope),
            if slope <= OPTION_CU_PER_POSITION { "within" } else { "OVER" },
            fmt(OPTION_CU_PER_POSITION)
        );
    }
    if let Some(&cu) = futures.get(&8) {
        table.insert(("withdraw+futures", 8), cu);
    }

    let mut sizes = vec![];
    let group = b.env.group;
    sizes.push(("Group", b.env.account(group).await.unwrap().data.len()));
    let asset = b.env.assets[0].asset;
    sizes.push(("Asset", b.env.account(asset).await.unwrap().data.len()));
    let (_, account, _) = b.trader_with_deposits(&[0], UNIT).await;
    sizes.push(("MarginAccount (16 positions)", b.env.account(account).await.unwrap().data.len()));
    println!();
    println!("| account | bytes |");
    println!("|---|---:|");
    for (name, len) in &sizes {
        println!("| {name} | {} |", fmt(*len as u64));
    }
    println!("| ballast.so (program) | {} |", fmt(so_len));

    // DESIGN.md targets (reported) and the regression ceilings (enforced by --check).
    let mut over = vec![];
    println!();
    println!("DESIGN.md targets, at {MAX} positions (reported, not enforced):");
    let target = |ok: bool, text: String| println!("{} {text}", if ok { "ok  " } else { "OVER" });
    for r in ["withdraw", "borrow"] {
        let s = slopes[r];
        target(
            s < HEALTH_CU_PER_POSITION,
            format!("{r}: health check {} CU per position < {}", fmt(s), fmt(HEALTH_CU_PER_POSITION)),
        );
    }
    match (table.get(&("liquidate", 2)), table.get(&("liquidate", 8))) {
        (Some(&a), Some(&b8)) => {
            let est = b8 + (b8.saturating_sub(a) / 6) * (MAX as u64 - 8);
            target(
                est < LIQUIDATION_AT_MAX_CU,
                format!(
                    "liquidate at {MAX} positions: about {} CU (extrapolated from 2 and 8) < {}",
                    fmt(est),
                    fmt(LIQUIDATION_AT_MAX_CU)
                ),
            );
        }
        _ => target(false, format!("liquidate at {MAX} positions: not measured (failed)")),
    }
    for r in rows {
        if let Some(&cu) = table.get(&(r, MAX)) {
            target(
                cu < DEFAULT_INSTRUCTION_LIMIT,
                format!(
                    "{r} at {MAX} positions: {} CU < {} (default instruction limit)",
                    fmt(cu),
                    fmt(DEFAULT_INSTRUCTION_LIMIT)
                ),
            );
        }
    }
    match futures_slope {
        Some(s) => target(
            s <= FUTURE_CU_PER_POSITION,
            format!("health check: {} CU per futures position <= {}", fmt(s), fmt(FUTURE_CU_PER_POSITION)),
        ),
        None => target(false, "health check per futures position: not measured (failed)".into()),
    }
    if let Some(cu) = trade_cu {
        target(
            cu < TRADE_AT_EIGHT_CU,
            format!("trade at 8 tokens + 8 futures each: {} CU < {}", fmt(cu), fmt(TRADE_AT_EIGHT_CU)),
        );
    }
    let wide = sizes[2].1;
    target(wide <= 2048, format!("MarginAccount at {MAX} positions: {} bytes <= 2 KiB", fmt(wide as u64)));

    println!();
    println!("Regression ceilings (--check), at the largest position count measured:");
    for (r, ceiling) in CEILINGS {
        let Some((&(_, n), &cu)) = table.range((r, 0)..=(r, MAX)).next_back() else { continue };
        let ok = cu <= ceiling;
        println!(
            "{} {r} at {n} positions: {} CU <= {}",
            if ok { "ok  " } else { "OVER" },
            fmt(cu),
            fmt(ceiling)
        );
        if !ok {
            over.push(r);
        }
    }
    for f in &failed {
        println!("FAILED {f} (see the log above)");
    }

    if check && !over.is_empty() {
        eprintln!("cu_bench --check: over the ceiling: {}", over.join(", "));
        std::process::exit(1);
    }
}
