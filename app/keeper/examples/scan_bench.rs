//! Off-chain health-scan throughput: how many margin accounts a second the keeper's scan
//! (`rank_liquidatable`: the program's engine at Maint, plus LiquidationEnd for flagged accounts)
//! gets through on one core. Synthetic but realistic: 16 listed assets with every factor on,
//! accounts with 1 to 16 positions, some borrowing.
//!
//!   cargo run --release -p ballast-keeper --example scan_bench -- [ACCOUNTS] [RUNS]

use anchor_lang::prelude::Pubkey;
use ballast::health_accounts::OraclePolicy;
use ballast::math::I80F48;
use ballast::state::{Asset, AssetConfig, Group, MarginAccount, TokenPosition, MAX_TOKEN_POSITIONS};
use ballast_keeper::rank_liquidatable;
use ballast_sdk::pyth::{price_update_account, to_pyth_int};
use ballast_sdk::snapshot::{AssetEntry, GroupSnapshot};
use bytemuck::Zeroable;
use std::time::Instant;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let now = 1_700_000_000;
    let mut group: Group = Zeroable::zeroed();
    group.config.z_init_bps = 23_300;
    group.config.z_maint_bps = 16_500;
    group.config.correlation_groups[0] = ballast::state::CorrelationGroupConfig {
        init_asset_weight_bps: 9_800,
        maint_asset_weight_bps: 9_900,
        init_liab_weight_bps: 10_200,
        maint_liab_weight_bps: 10_100,
    };
    let mut assets = vec![];
    for i in 0..MAX_TOKEN_POSITIONS as u16 {
        let mut a: Asset = Zeroable::zeroed();
        let feed_id = [i as u8 + 1; 32];
        // the program's template with every factor on
        let oracle_key = Pubkey::new_unique();
        let c = AssetConfig {
            feed_id,
            oracle: oracle_key,
            init_asset_weight_bps: 8_000,
            maint_asset_weight_bps: 9_000,
            init_liab_weight_bps: 12_000,
            maint_liab_weight_bps: 11_000,
            sigma_floor_bps: 6_000,
            liquidation_horizon_secs: 14_400,
            size_imf_ppm: 1_000,
            concentration_threshold_bps: 8_000,
            concentration_haircut_bps: 500,
            correlation_group: u8::from(i < 3),
            ..AssetConfig::template()
        };
        a.asset_index = i;
        a.decimals = 6 + (i % 4) as u8;
        a.deposit_index = I80F48::ONE.into();
        a.borrow_index = I80F48::ONE.into();
        a.deposit_shares = I80F48::from_num(1e15).into();
        a.borrow_shares = I80F48::from_num(3e14).into();
        a.last_accrual_ts = now - 30;
        a.apply_config(&c).expect("a valid config");
        let price = 1.0 + 10.0 * f64::from(i);
        let oracle = price_update_account(
            feed_id,
            to_pyth_int(price),
            to_pyth_int(price * 0.001) as u64,
            to_pyth_int(price),
            now,
        );
        assets.push(AssetEntry { key: Pubkey::new_unique(), state: a, oracle_key, oracle: Some(oracle) });
    }
    let snapshot = GroupSnapshot { key: Pubkey::new_unique(), group, assets, markets: vec![], now };

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut accounts = Vec::with_capacity(n);
    let mut total_positions = 0usize;
    for _ in 0..n {
        let mut a: MarginAccount = Zeroable::zeroed();
        let count = 1 + rng.below(MAX_TOKEN_POSITIONS as u64) as usize;
        total_positions += count;
        for slot in 0..count {
            let magnitude = I80F48::from_num(1 + rng.below(1_000_000_000_000));
            // about one position in four is a debt, sized to leave some accounts underwater
            let shares = if slot > 0 && rng.below(4) == 0 { -magnitude } else { magnitude };
            a.positions[slot] = TokenPosition {
                shares: shares.into(),
                asset_index: slot as u16,
                in_use: 1,
                padding: [0; 5],
                reserved: [0; 8],
            };
        }
        accounts.push((Pubkey::new_unique(), a));
    }

    // Several scans of the same accounts: the median and the best, since one run on a shared
    // two-core machine varies by a quarter.
    let runs: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(7).max(1);
    let mut times = vec![];
    let mut liquidatable = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let priced = snapshot.priced(OraclePolicy::Liquidation).expect("prices");
        let candidates = rank_liquidatable(&priced, &snapshot.group.config, &accounts, &Pubkey::default());
        times.push(started.elapsed().as_secs_f64());
        liquidatable = candidates.len();
    }
    times.sort_by(f64::total_cmp);
    let (median, best) = (times[times.len() / 2], times[0]);
    println!(
        "scanned {n} accounts ({:.1} positions on average) {runs} times: median {:.3} s, {:.0} accounts/s \
         on one core (best {:.0}); {liquidatable} liquidatable",
        total_positions as f64 / n as f64,
        median,
        n as f64 / median,
        n as f64 / best,
    );
}
