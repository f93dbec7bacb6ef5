//! Compute-unit benchmark of the SBF build: runs the real `ballast.so` in solana-program-test's
//! virtual machine through deposit, withdraw and borrow at 1, 4, 8 and 16 (the maximum) token
//! positions and liquidate at 2, 8 and 16, and prints compute units per instruction and position
//! count, the account sizes, and the budgets of DESIGN.md.
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

/// DESIGN.md "Performance budgets".
const HEALTH_CU_PER_POSITION: u64 = 1_500;
const LIQUIDATION_AT_MAX_CU: u64 = 150_000;
/// The runtime's default limit for one instruction, which nothing should need to raise.
const DEFAULT_INSTRUCTION_LIMIT: u64 = 200_000;

struct Bench {
    env: TestEnv,
    prices: Vec<f64>,
}

impl Bench {
    async fn new() -> Bench {
        let mut env = TestEnv::new().await;
        for _ in 0..MAX {
            env.list_asset(SPL_TOKEN, DECIMALS, 1.0, default_config()).await;
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

    async fn measure(&mut self, what: &str, n: usize, ix: Instruction, signer: &Keypair) -> u64 {
        let account_count = ix.accounts.len();
        match self.env.send_with_metadata(&[ix], &[signer]).await {
            Ok(m) => {
                let cu = *m.program_units.first().unwrap_or_else(|| {
                    panic!("{what} at {n}: no compute-unit line in the logs:\n{}", m.logs.join("\n"))
                });
                eprintln!("  {what:<10} {n:>2} positions, {account_count:>2} accounts: {cu:>7} CU");
                cu
            }
            Err(f) => {
                eprintln!("{what} at {n} positions FAILED: {}\n{}", f.error, f.logs.join("\n"));
                std::process::exit(1);
            }
        }
    }

    async fn deposit(&mut self, n: usize) -> u64 {
        let assets: Vec<usize> = (0..n).collect();
        let (user, account, wallets) = self.trader_with_deposits(&assets, 100 * UNIT).await;
        self.refresh().await;
        let ix = self.env.deposit_ix(user.pubkey(), account, n - 1, wallets[n - 1], UNIT);
        self.measure("deposit", n, ix, &user).await
    }

    async fn withdraw(&mut self, n: usize) -> u64 {
        let assets: Vec<usize> = (0..n).collect();
        let (user, account, wallets) = self.trader_with_deposits(&assets, 100 * UNIT).await;
        self.refresh().await;
        let ix = self.env.withdraw_ix(user.pubkey(), account, n - 1, wallets[n - 1], UNIT).await;
        self.measure("withdraw", n, ix, &user).await
    }

    /// Deposits in n - 1 assets, then a first borrow of the last one: n positions after.
    async fn borrow(&mut self, n: usize) -> u64 {
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
    async fn liquidate(&mut self, n: usize) -> u64 {
        let liab = n - 1;
        let collateral: Vec<usize> = (0..liab).collect();
        let (user, account, _) = self.trader_with_deposits(&collateral, 100 * UNIT).await;
        let to = self.env.funded_token_account(user.pubkey(), liab, 0).await;
        let debt = 60 * UNIT * liab as u64;
        self.refresh().await;
        self.env.borrow(&user, account, liab, to, debt).await.unwrap();
        let (liquidator, liq_account, _) = self.trader_with_deposits(&[0], 100_000 * UNIT).await;

        self.prices[liab] = 3.0;
        self.refresh().await;
        let ix =
            self.env.liquidate_ix(liquidator.pubkey(), liq_account, account, liab, u64::MAX, 10_000).await;
        let cu = self.measure("liquidate", n, ix, &liquidator).await;
        self.prices[liab] = 1.0;
        let liqee = self.env.margin_account(account).await.active_count();
        let liqor = self.env.margin_account(liq_account).await.active_count();
        assert!(liqor == n, "liquidator holds {liqor} positions, expected {n}");
        eprintln!("    (liquidatee left with {liqee} positions)");
        cu
    }
}

fn fmt(cu: u64) -> String {
    let s = cu.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
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
    eprintln!("measuring {} (SBF, {} bytes)", dir.join("ballast.so").display(), fmt(so_len));
    for n in [1, 4, 8, 16] {
        table.insert(("deposit", n), b.deposit(n).await);
    }
    for n in [1, 4, 8, 16] {
        table.insert(("withdraw", n), b.withdraw(n).await);
    }
    for n in [2, 4, 8, 16] {
        table.insert(("borrow", n), b.borrow(n).await);
    }
    for n in [2, 8, 16] {
        table.insert(("liquidate", n), b.liquidate(n).await);
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

    // Budgets, at the maximum positions.
    let mut failures = vec![];
    let mut line = |ok: bool, text: String| {
        println!("{} {text}", if ok { "ok  " } else { "OVER" });
        if !ok {
            failures.push(text);
        }
    };
    println!();
    println!("Budgets (DESIGN.md), at {MAX} positions:");
    for r in ["withdraw", "borrow"] {
        let s = slopes[r];
        line(
            s < HEALTH_CU_PER_POSITION,
            format!("{r}: health check {} CU per position < {}", fmt(s), fmt(HEALTH_CU_PER_POSITION)),
        );
    }
    let liq = table[&("liquidate", MAX)];
    line(
        liq < LIQUIDATION_AT_MAX_CU,
        format!("liquidate at {MAX} positions: {} CU < {}", fmt(liq), fmt(LIQUIDATION_AT_MAX_CU)),
    );
    for r in rows {
        let cu = table[&(r, MAX)];
        line(
            cu < DEFAULT_INSTRUCTION_LIMIT,
            format!(
                "{r} at {MAX} positions: {} CU < {} (default instruction limit)",
                fmt(cu),
                fmt(DEFAULT_INSTRUCTION_LIMIT)
            ),
        );
    }
    let wide = sizes[2].1;
    line(wide <= 2048, format!("MarginAccount at {MAX} positions: {} bytes <= 2 KiB", fmt(wide as u64)));

    if check && !failures.is_empty() {
        eprintln!("cu_bench --check: {} budget(s) exceeded", failures.len());
        std::process::exit(1);
    }
}
