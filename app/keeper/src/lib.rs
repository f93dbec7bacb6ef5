//! The liquidation keeper. Each round: load the group once (assets priced once, as the program
//! prices them for liquidation), scan every margin account of the group, rank the liquidatable
//! ones (most negative Maint health first), liquidate each (its largest futures position first,
//! taken over by the least size that restores it, else its largest liability), settle
//! expired markets (`settle_expiry`) and the PnL that positions closed by liquidation or
//! settlement left owing (`settle_pnl`), and write off the debt of accounts left without
//! collateral. Failed sends are retried with a fresh snapshot, up to a limit; an account whose
//! rounds keep failing is skipped for a while ([`ErrorBudget`]); counters say what happened
//! ([`metrics::prometheus_text`]).
//!
//! Wide transactions. Every liquidation carries a compute-unit limit sized from its positions
//! (`ballast_sdk::tx::with_compute_budget`); where the chain simulates (over RPC), each
//! transaction is simulated first and its limit set from the units the simulation used
//! (`tx::limit_from_simulation`), and one the simulation refuses is not sent. A liquidation or write-off too large for a legacy
//! transaction (over 1,232 bytes: with the liquidator paying, a liquidation pricing 14 assets
//! or more, 1,387 bytes at 16; a write-off that prices dust in 15 positions, 1,266 bytes;
//! `ballast_sdk::tx::needs_lookup_table`) is sent as a v0 transaction through the keeper's
//! address lookup table, which holds the group and every asset's Asset, oracle, vault and mint
//! (`ballast_sdk::lookup_table::group_addresses`). The keeper creates the table, owned and paid
//! for by the liquidator, the first time a transaction needs it (or at
//! [`Keeper::prepare_lookup_table`]), keeps its address ([`Keeper::lookup_table`], reusable
//! across restarts through [`KeeperConfig::lookup_table`]) and extends it at the start of each
//! round when assets have been listed or re-pinned. A table's new addresses are usable from the
//! next slot: over RPC the keeper waits for it; the in-process chain only moves when its test
//! warps, so there the transaction is deferred to a later round ([`RoundReport::deferred`]).

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use ballast::health_accounts::{OraclePolicy, PricedAssets};
use ballast::math::I80F48;
use ballast::state::{GroupConfig, MarginAccount, PositionSlots};
use ballast_sdk::lookup_table::{self, EnsuredTable};
use ballast_sdk::snapshot::account_spot_value;
use ballast_sdk::{tx, Chain, GroupSnapshot, SdkError, SdkResult};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub mod feed;
pub mod metrics;
#[cfg(feature = "rpc")]
pub mod subscribe;
pub use feed::AccountFeed;
pub use metrics::ErrorBudget;

#[derive(Debug, Clone)]
pub struct KeeperConfig {
    /// Most liability (native units) per liquidation; u64::MAX lets the program take the least
    /// amount that restores the account.
    pub max_liab_per_liquidation: u64,
    /// The least collateral value per unit of liability the keeper accepts (bps, 10_000 = 1).
    pub min_value_ratio_bps: u32,
    /// Sends attempted per account per round before giving up until the next round.
    pub max_attempts: u32,
    /// Liquidation steps per account per round: an account still liquidatable after a step
    /// (its plan can land just short of LiquidationEnd when a factor moves with the positions,
    /// or one collateral was not enough) is liquidated again at once rather than left until the
    /// next round, by which time its episode may have lapsed with it still below the target.
    pub max_steps_per_account: u32,
    /// Oracle accounts other than the default sponsored feeds, by asset index.
    pub oracle_overrides: HashMap<u16, Pubkey>,
    /// Priority fee of liquidations, micro-lamports per compute unit (0: none). Every
    /// liquidation carries a compute-unit limit sized from its positions
    /// (`ballast_sdk::tx::estimate_compute_units`): a wide one needs more than the default 200k.
    pub compute_unit_price_micro_lamports: u64,
    /// An address lookup table the liquidator owns, from an earlier run, to send wide
    /// transactions through (extended if it lacks addresses). None: the keeper creates one the
    /// first time a transaction needs it.
    pub lookup_table: Option<Pubkey>,
    /// Failed rounds in a row after which an account is skipped for a while (`ErrorBudget`).
    pub failures_before_backoff: u32,
    /// The longest an account is skipped, in rounds.
    pub max_backoff_rounds: u64,
    /// Simulate each transaction before sending it and set its compute-unit limit from what the
    /// simulation used (over RPC; the in-process chains do not simulate).
    pub simulate: bool,
}

impl Default for KeeperConfig {
    fn default() -> Self {
        KeeperConfig {
            max_liab_per_liquidation: u64::MAX,
            min_value_ratio_bps: 10_000,
            max_attempts: 3,
            max_steps_per_account: 4,
            oracle_overrides: HashMap::new(),
            compute_unit_price_micro_lamports: 0,
            lookup_table: None,
            failures_before_backoff: 3,
            max_backoff_rounds: 64,
            simulate: true,
        }
    }
}

/// Running totals, for logs and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeeperStats {
    pub rounds: u64,
    pub accounts_scanned: u64,
    pub liquidatable_seen: u64,
    pub liquidations: u64,
    /// Of `liquidations`, the futures positions taken over (`liquidate_derivative`).
    pub derivative_liquidations: u64,
    /// Settlement prices recorded for expired markets (`settle_expiry`).
    pub expiry_settlements: u64,
    /// PnL settlements sent (`settle_pnl`).
    pub pnl_settlements: u64,
    /// Option risk arrays cranked (`update_risk_array`) in front of the keeper's own
    /// transactions that value options.
    pub risk_array_cranks: u64,
    pub bankruptcies_resolved: u64,
    pub failed_sends: u64,
    /// Transactions sent as v0 through the lookup table (wide liquidations and write-offs).
    pub v0_transactions: u64,
    /// Transactions sent to create or extend the lookup table.
    pub lookup_table_transactions: u64,
    /// Time spent computing health in the last round's scan, microseconds.
    pub last_scan_micros: u64,
    /// Time spent computing health in every scan, microseconds.
    pub scan_micros: u64,
    /// Liquidatable or bankrupt accounts skipped by the error budget, summed over rounds.
    pub accounts_skipped: u64,
    /// Transactions simulated before sending, and of those the ones the simulation refused
    /// (not sent, no fee paid).
    pub simulations: u64,
    pub refused_in_simulation: u64,
}

/// An account the scan found liquidatable.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub key: Pubkey,
    /// Where the account is in the scanned slice (a copy of each 1,408-byte account would cost
    /// the scan more than its health).
    pub index: usize,
    pub maint: I80F48,
}

/// What one round did, for the caller's timeline.
#[derive(Debug, Clone, Default)]
pub struct RoundReport {
    pub scanned: usize,
    /// The account of every liquidation step (an account liquidated twice appears twice).
    pub liquidated: Vec<Pubkey>,
    pub bankrupt: Vec<Pubkey>,
    pub failures: Vec<(Pubkey, String)>,
    /// Value (at spot, quote-native) that liquidatees paid above the debt taken over: the
    /// liquidators' bonus plus the insurance fund's share.
    pub bonus_paid: I80F48,
    /// Debt (at spot, quote-native) written off by bankruptcy resolutions.
    pub bad_debt: I80F48,
    /// Accounts whose liquidation or write-off waits for the lookup table's new addresses to
    /// become usable (the chain has not yet passed the slot that added them), with the reason.
    /// They are tried again next round; not counted as failed sends.
    pub deferred: Vec<(Pubkey, String)>,
    /// Transactions of this round sent as v0 through the lookup table.
    pub v0_transactions: usize,
    /// Accounts not tried this round: their last rounds failed (`ErrorBudget`).
    pub skipped: Vec<Pubkey>,
}

/// How a transaction went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// A legacy transaction (it fit in a packet); its signature.
    Legacy(String),
    /// A v0 transaction through the lookup table; its signature.
    V0(String),
}

pub struct Keeper {
    pub group: Pubkey,
    pub liquidator: Keypair,
    pub liquidator_account: Pubkey,
    pub config: KeeperConfig,
    pub stats: KeeperStats,
    /// The keeper's address lookup table (owned and paid for by the liquidator), once it exists:
    /// built the first time a transaction needs it and extended when assets are listed.
    pub lookup_table: Option<Pubkey>,
    /// Accounts whose liquidation keeps failing, skipped for a while.
    pub budget: ErrorBudget,
    /// Margin accounts kept current by a subscription between full scans (None: every round
    /// scans in full). The binary feeds it from `programSubscribe` (`subscribe::spawn`).
    pub feed: Option<Arc<Mutex<AccountFeed>>>,
}

/// Whether the program would accept a liquidation of this account now (the program's own
/// rule, `PricedAssets::liquidatable`: dust-tolerant oracle faults, the episode's lapse).
pub fn is_liquidatable(priced: &PricedAssets, group: &GroupConfig, account: &MarginAccount) -> bool {
    priced.liquidatable(account, group).is_some_and(|(yes, _)| yes)
}

/// Accounts that owe something and whose collateral is worth less than the dust value: only a
/// bankruptcy write-off helps them. The program's rule (`PricedAssets::bankrupt`: oracle faults
/// tolerated only on dust, then `ballast::risk::is_bankrupt`).
pub fn is_bankrupt(priced: &PricedAssets, group: &GroupConfig, account: &MarginAccount) -> bool {
    priced.bankrupt(account, group).unwrap_or(false)
}

/// Whether `account` holds anything that can take its health below zero: a debt or a
/// derivative position. Every other contribution to health is collateral, never negative, so
/// without either the program refuses to liquidate it whatever the prices; the scan skips such
/// accounts without pricing them.
pub fn can_be_liquidatable(account: &MarginAccount) -> bool {
    account.active_positions().any(|p| p.shares() < I80F48::ZERO)
        || account.active_derivatives().next().is_some()
}

/// Scans `accounts` against assets priced once (`GroupSnapshot::priced` with the liquidation
/// policy); returns the liquidatable ones, most negative Maint health first. Only the levels the
/// decision needs are computed: Maint for every account, LiquidationEnd for flagged accounts
/// that are above Maint. Accounts whose health cannot be computed (an unusable liability oracle)
/// are skipped: the program would refuse them too.
pub fn rank_liquidatable(
    priced: &PricedAssets,
    group: &GroupConfig,
    accounts: &[(Pubkey, MarginAccount)],
    skip: &Pubkey,
) -> Vec<Candidate> {
    // (Maint health, index) pairs are sorted, not accounts: moving 1,408-byte accounts took
    // most of the scan's time
    let mut found: Vec<(I80F48, usize)> = vec![];
    let mut buffer = ballast::health_accounts::Portfolio::default();
    for (i, (key, account)) in accounts.iter().enumerate() {
        if key == skip || !can_be_liquidatable(account) {
            continue;
        }
        if let Some((true, maint)) = priced.liquidatable_into(account, group, &mut buffer) {
            found.push((maint, i));
        }
    }
    found.sort_by_key(|&(maint, _)| maint);
    found.into_iter().map(|(maint, index)| Candidate { key: accounts[index].0, index, maint }).collect()
}

impl Keeper {
    pub fn new(
        group: Pubkey,
        liquidator: Keypair,
        liquidator_account: Pubkey,
        config: KeeperConfig,
    ) -> Keeper {
        let lookup_table = config.lookup_table;
        let budget = ErrorBudget::new(config.failures_before_backoff, config.max_backoff_rounds);
        Keeper {
            group,
            liquidator,
            liquidator_account,
            config,
            stats: KeeperStats::default(),
            lookup_table,
            budget,
            feed: None,
        }
    }

    /// The group's margin accounts: from the feed while it is current, else a full scan (which
    /// then reseeds the feed).
    pub async fn margin_accounts<C: Chain>(
        &self,
        chain: &C,
        snapshot: &GroupSnapshot,
    ) -> SdkResult<Vec<(Pubkey, MarginAccount)>> {
        let Some(feed) = &self.feed else {
            return snapshot.margin_accounts(chain).await;
        };
        let generation = {
            let f = feed.lock().expect("feed lock");
            if !f.needs_resync(Instant::now()) {
                return Ok(f.accounts());
            }
            f.generation()
        };
        let slot = chain.slot().await?;
        let accounts = snapshot.margin_accounts(chain).await?;
        feed.lock().expect("feed lock").resync(slot, generation, accounts.clone(), Instant::now());
        Ok(accounts)
    }

    pub async fn snapshot<C: Chain>(&self, chain: &C) -> SdkResult<GroupSnapshot> {
        GroupSnapshot::load(chain, self.group, &self.config.oracle_overrides).await
    }

    /// The liability to take over: the one worth the most at spot.
    fn largest_liability(priced: &PricedAssets, account: &MarginAccount) -> Option<u16> {
        account
            .active_positions()
            .filter(|p| p.shares() < I80F48::ZERO)
            .filter_map(|p| {
                let a = priced.get(p.asset_index).ok()?;
                let mut input = a.template;
                input.balance = a.lending.native_balance(p.shares()).ok()?;
                Some((p.asset_index, ballast::risk::debt_spot_value(&[input]).ok()?))
            })
            .max_by(|a, b| a.1.cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// Creates the lookup table or extends it with the addresses it lacks (assets listed or
    /// re-pinned since), without waiting for them to become usable; keeps its address. A keeper
    /// may call it before its first round so that the first wide liquidation does not wait for
    /// the table.
    pub async fn prepare_lookup_table<C: Chain>(&mut self, chain: &C) -> SdkResult<EnsuredTable> {
        let snapshot = self.snapshot(chain).await?;
        self.ensure_lookup_table(chain, &snapshot).await
    }

    async fn ensure_lookup_table<C: Chain>(
        &mut self,
        chain: &C,
        snapshot: &GroupSnapshot,
    ) -> SdkResult<EnsuredTable> {
        let wanted = lookup_table::group_addresses(snapshot);
        let ensured = lookup_table::ensure_lookup_table(
            chain,
            &self.liquidator,
            &self.liquidator,
            self.lookup_table,
            &wanted,
        )
        .await?;
        self.lookup_table = Some(ensured.table.key);
        self.stats.lookup_table_transactions += ensured.transactions as u64;
        Ok(ensured)
    }

    /// Sends `ixs`, paid and signed by the liquidator: as a legacy transaction when it fits in a
    /// packet, else as v0 through the lookup table (created or extended first when it lacks an
    /// address, and waited for until usable: [`SdkError::SlotNotReached`] when the chain does not
    /// get there, which `run_round` reports as deferred).
    pub async fn send<C: Chain>(
        &mut self,
        chain: &C,
        snapshot: &GroupSnapshot,
        ixs: &[Instruction],
    ) -> SdkResult<Sent> {
        if !tx::needs_lookup_table(&self.liquidator.pubkey(), ixs) {
            let ixs = self.sized_by_simulation(chain, ixs, &[]).await?;
            return Ok(Sent::Legacy(chain.send(&ixs, &self.liquidator, &[]).await?));
        }
        let ensured = self.ensure_lookup_table(chain, snapshot).await?;
        let slot = lookup_table::wait_until_usable(chain, &ensured.table).await?;
        let tables = [ensured.table.usable_at(slot)];
        let ixs = self.sized_by_simulation(chain, ixs, &tables).await?;
        let signature = chain.send_versioned(&ixs, &self.liquidator, &[], &tables).await?;
        self.stats.v0_transactions += 1;
        Ok(Sent::V0(signature))
    }

    /// `ixs` with the compute-unit limit their simulation measured (`tx::limit_from_simulation`;
    /// simulated at the largest limit, so that the estimate cannot cut it short), where the chain
    /// simulates and [`KeeperConfig::simulate`] is on; else as they are, with the estimate from
    /// their positions. A transaction the simulation refuses fails here, before a fee is paid.
    async fn sized_by_simulation<C: Chain>(
        &mut self,
        chain: &C,
        ixs: &[Instruction],
        tables: &[solana_message::AddressLookupTableAccount],
    ) -> SdkResult<Vec<Instruction>> {
        if !self.config.simulate {
            return Ok(ixs.to_vec());
        }
        // Transactions sent without a limit (write-offs, expiries) keep their size: the legacy or
        // v0 choice was made on it. The probe carries no price: the fee changes nothing the
        // program does, and at the largest limit it could be more than the liquidator holds.
        let has_limit = tx::compute_unit_limit(ixs).is_some();
        let probe: Vec<Instruction> = if has_limit {
            tx::set_compute_unit_limit(ixs, tx::MAX_COMPUTE_UNIT_LIMIT)
        } else {
            ixs.to_vec()
        };
        let probe: Vec<Instruction> = probe.into_iter().filter(|i| !tx::is_compute_unit_price(i)).collect();
        match chain.simulate_units(&probe, &self.liquidator.pubkey(), tables).await {
            Ok(Some(units)) => {
                self.stats.simulations += 1;
                Ok(if has_limit {
                    tx::set_compute_unit_limit(ixs, tx::limit_from_simulation(units))
                } else {
                    ixs.to_vec()
                })
            }
            Ok(None) => Ok(ixs.to_vec()),
            Err(e @ SdkError::Program(_)) => {
                self.stats.simulations += 1;
                self.stats.refused_in_simulation += 1;
                Err(e)
            }
            // The RPC did not answer: send as estimated (its preflight still simulates).
            Err(SdkError::Transport(_)) => Ok(ixs.to_vec()),
            Err(e) => Err(e),
        }
    }

    /// One scan-and-liquidate round.
    pub async fn run_round<C: Chain>(&mut self, chain: &C) -> SdkResult<RoundReport> {
        let mut report = RoundReport::default();
        let v0_before = self.stats.v0_transactions;
        let snapshot = self.snapshot(chain).await?;
        // Keep an existing table in line with the group (newly listed assets) ahead of need.
        if let Some(table) = self.lookup_table {
            if let Err(e) = self.ensure_lookup_table(chain, &snapshot).await {
                report.failures.push((table, format!("lookup table: {e}")));
            }
        }
        let accounts = self.margin_accounts(chain, &snapshot).await?;
        let started = Instant::now();
        let priced = snapshot.priced(OraclePolicy::Liquidation)?;
        let candidates =
            rank_liquidatable(&priced, &snapshot.group.config, &accounts, &self.liquidator_account);
        self.stats.last_scan_micros = started.elapsed().as_micros() as u64;
        self.stats.scan_micros += self.stats.last_scan_micros;
        let round = self.stats.rounds;
        self.stats.rounds += 1;
        self.stats.accounts_scanned += accounts.len() as u64;
        self.stats.liquidatable_seen += candidates.len() as u64;
        report.scanned = accounts.len();

        for c in candidates {
            if self.budget.skips(&c.key, round) {
                self.stats.accounts_skipped += 1;
                report.skipped.push(c.key);
                continue;
            }
            let (mut attempts, mut steps) = (0, 0);
            loop {
                attempts += 1;
                match self.liquidate_one(chain, &c.key).await {
                    Ok(Some(bonus)) => {
                        self.stats.liquidations += 1;
                        report.liquidated.push(c.key);
                        report.bonus_paid += bonus;
                        // again while still liquidatable (`liquidate_one` rechecks), up to the limit
                        steps += 1;
                        attempts = 0;
                        self.budget.succeeded(&c.key);
                        if steps >= self.config.max_steps_per_account {
                            break;
                        }
                    }
                    Ok(None) => {
                        self.budget.succeeded(&c.key);
                        break;
                    }
                    Err(e @ SdkError::SlotNotReached { .. }) => {
                        report.deferred.push((c.key, format!("waiting for the lookup table: {e}")));
                        break;
                    }
                    Err(e) => {
                        self.stats.failed_sends += 1;
                        if attempts >= self.config.max_attempts {
                            report.failures.push((c.key, e.to_string()));
                            self.budget.failed(c.key, round);
                            break;
                        }
                    }
                }
            }
        }

        // Expiries and the PnL left owing.
        self.crank_expiries(chain, &snapshot, &mut report).await;
        if let Err(e) = self.crank_settlements(chain, &mut report).await {
            report.failures.push((self.group, format!("settlements: {e}")));
        }

        // Write off what liquidation cannot fix.
        let snapshot = self.snapshot(chain).await?;
        let priced = snapshot.priced(OraclePolicy::Liquidation)?;
        for (key, seen) in self.margin_accounts(chain, &snapshot).await? {
            if !is_bankrupt(&priced, &snapshot.group.config, &seen) {
                continue;
            }
            // The feed may hold a state from before this round's liquidations: act on the
            // account as it is now.
            let Some(raw) = chain.account(&key).await? else { continue };
            let account: MarginAccount = ballast_sdk::decode(&key, &raw.data, "MarginAccount")?;
            if !is_bankrupt(&priced, &snapshot.group.config, &account) {
                continue;
            }
            if self.budget.skips(&key, round) {
                self.stats.accounts_skipped += 1;
                report.skipped.push(key);
                continue;
            }
            let value = account_spot_value(&priced, &account)?;
            // Each write-off sweeps the dust; later ones see none.
            let mut current = account;
            let (mut write_off_failed, mut write_off_deferred) = (false, false);
            for p in account.active_positions().filter(|p| p.shares() < I80F48::ZERO) {
                let i = snapshot.resolve_bankruptcy(key, &current, p.asset_index)?;
                match self.send(chain, &snapshot, &[i]).await {
                    Ok(_) => {
                        self.stats.bankruptcies_resolved += 1;
                        // the program swept the dust collateral and wrote off this debt
                        let gone: Vec<u16> = current
                            .active_positions()
                            .filter(|q| q.shares() > I80F48::ZERO || q.asset_index == p.asset_index)
                            .map(|q| q.asset_index)
                            .collect();
                        for index in gone {
                            current.positions.set_shares(index, I80F48::ZERO).ok();
                        }
                        if !report.bankrupt.contains(&key) {
                            report.bankrupt.push(key);
                            report.bad_debt -= value;
                        }
                    }
                    Err(e @ SdkError::SlotNotReached { .. }) => {
                        report.deferred.push((key, format!("waiting for the lookup table: {e}")));
                        write_off_deferred = true;
                        break;
                    }
                    Err(e) => {
                        self.stats.failed_sends += 1;
                        report.failures.push((key, e.to_string()));
                        write_off_failed = true;
                    }
                }
            }
            // a deferral (the lookup table not yet usable) neither spends nor restores the budget
            if write_off_failed {
                self.budget.failed(key, round);
            } else if !write_off_deferred {
                self.budget.succeeded(&key);
            }
        }
        report.v0_transactions = (self.stats.v0_transactions - v0_before) as usize;
        Ok(report)
    }

    /// The futures position to take over first: the largest at the mark among markets that
    /// have not settled (a settled one closes through `settle_pnl`).
    fn largest_derivative(
        snapshot: &GroupSnapshot,
        priced: &PricedAssets,
        account: &MarginAccount,
    ) -> Option<u16> {
        account
            .active_derivatives()
            .filter(|d| d.contracts != 0)
            .filter_map(|d| {
                let m = &snapshot.market(d.market_index).ok()?.state;
                if m.is_settled(priced.now) {
                    return None;
                }
                let mark = ballast_sdk::markets::settlement_mark(priced, m).ok()?;
                Some((d.market_index, mark * I80F48::from_num(d.contracts.unsigned_abs())))
            })
            .max_by(|a, b| a.1.cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// Records the settlement price of every expired market that has none final yet, from its
    /// underlying's oracle as it is now (the program refuses an update outside the window or
    /// no earlier than the one recorded: those are not failures).
    async fn crank_expiries<C: Chain>(
        &mut self,
        chain: &C,
        snapshot: &GroupSnapshot,
        report: &mut RoundReport,
    ) {
        for m in &snapshot.markets {
            let market = &m.state;
            let recorded = market.settlement_publish_ts != 0;
            if !market.is_expired(snapshot.now) || (recorded && snapshot.now >= market.settlement_final_ts())
            {
                continue;
            }
            let Ok(reading) = snapshot.reading(market.underlying_index) else { continue };
            let window_end = market.config.expiry_ts + i64::from(market.config.settlement_window_secs);
            let acceptable = reading.publish_time >= market.config.expiry_ts
                && reading.publish_time <= window_end
                && (!recorded || reading.publish_time < market.settlement_publish_ts);
            if !acceptable {
                continue;
            }
            let Ok(ix) = snapshot.settle_expiry(market.market_index) else { continue };
            match self.send(chain, snapshot, &[ix]).await {
                Ok(_) => self.stats.expiry_settlements += 1,
                Err(e) => {
                    self.stats.failed_sends += 1;
                    report.failures.push((m.key, format!("settle_expiry: {e}")));
                }
            }
        }
    }

    /// Settles PnL that nothing else will move: in settled markets (closing the positions), and
    /// of flat positions whose loss is left owing (after a takeover by liquidation). Pairs the
    /// largest owing with the largest owed, greedily.
    async fn crank_settlements<C: Chain>(&mut self, chain: &C, report: &mut RoundReport) -> SdkResult<()> {
        let snapshot = self.snapshot(chain).await?;
        let priced = snapshot.priced(OraclePolicy::Liquidation)?;
        // The feed's view (a settlement built on a state a slot old is refused in simulation and
        // found again next round).
        let accounts = self.margin_accounts(chain, &snapshot).await?;
        for m in &snapshot.markets {
            let market = &m.state;
            let Ok(mark) = ballast_sdk::markets::settlement_mark(&priced, market) else { continue };
            let settled = market.is_settled(snapshot.now);
            let mut owed: Vec<(I80F48, Pubkey)> = vec![];
            let mut owing: Vec<(I80F48, Pubkey, MarginAccount)> = vec![];
            for (key, a) in &accounts {
                let Some(slot) = a.find_derivative(market.market_index) else { continue };
                let pnl = ballast_sdk::markets::position_pnl(a, market, mark);
                if pnl >= I80F48::ONE {
                    owed.push((pnl, *key));
                } else if pnl <= -I80F48::ONE && (settled || a.derivatives[slot].contracts == 0) {
                    owing.push((-pnl, *key, *a));
                }
            }
            owed.sort_by_key(|o| std::cmp::Reverse(o.0));
            owing.sort_by_key(|o| std::cmp::Reverse(o.0));
            for ((_, owed_key), (_, owing_key, owing_account)) in owed.iter().zip(owing.iter()) {
                let ix = snapshot.settle_pnl(
                    market.market_index,
                    *owed_key,
                    *owing_key,
                    owing_account,
                    u64::MAX,
                )?;
                let mut ixs = snapshot.risk_array_cranks(&[], &[market.market_index])?;
                self.stats.risk_array_cranks += ixs.len() as u64;
                ixs.push(ix);
                let ixs = tx::with_compute_budget(&ixs, self.config.compute_unit_price_micro_lamports);
                match self.send(chain, &snapshot, &ixs).await {
                    Ok(_) => self.stats.pnl_settlements += 1,
                    Err(e) => {
                        self.stats.failed_sends += 1;
                        report.failures.push((*owing_key, format!("settle_pnl: {e}")));
                    }
                }
            }
        }
        Ok(())
    }

    /// Liquidates `key` once with a fresh snapshot; returns the bonus it paid (spot value it lost),
    /// or None when it no longer needs liquidating.
    async fn liquidate_one<C: Chain>(&mut self, chain: &C, key: &Pubkey) -> SdkResult<Option<I80F48>> {
        let snapshot = self.snapshot(chain).await?;
        // Both accounts as they are now (one getMultipleAccounts), whatever the scan or the feed
        // held: an earlier step of this round may have changed them.
        let fresh = chain.accounts(&[*key, self.liquidator_account]).await?;
        let Some(raw) = &fresh[0] else { return Ok(None) };
        let liqee: &MarginAccount = &ballast_sdk::decode(key, &raw.data, "MarginAccount")?;
        let raw = fresh[1].as_ref().ok_or(ballast_sdk::SdkError::AccountNotFound(self.liquidator_account))?;
        let liqor: &MarginAccount =
            &ballast_sdk::decode(&self.liquidator_account, &raw.data, "MarginAccount")?;
        let priced = snapshot.priced(OraclePolicy::Liquidation)?;
        if !is_liquidatable(&priced, &snapshot.group.config, liqee)
            || is_bankrupt(&priced, &snapshot.group.config, liqee)
        {
            return Ok(None);
        }
        let value_before = account_spot_value(&priced, liqee)?;
        if let Some(market_index) = Self::largest_derivative(&snapshot, &priced, liqee) {
            let Some(n) = snapshot.derivative_liquidation_size(&priced, liqee, liqor, market_index)? else {
                return Ok(None);
            };
            let i = snapshot.liquidate_derivative(
                market_index,
                self.liquidator.pubkey(),
                self.liquidator_account,
                liqor,
                *key,
                liqee,
                n,
            )?;
            // options are valued only with arrays cranked in the same transaction
            let mut ixs = snapshot.risk_array_cranks(&[liqee, liqor], &[market_index])?;
            self.stats.risk_array_cranks += ixs.len() as u64;
            ixs.push(i);
            let ixs = tx::with_compute_budget(&ixs, self.config.compute_unit_price_micro_lamports);
            self.send(chain, &snapshot, &ixs).await?;
            self.stats.derivative_liquidations += 1;
            let after = chain.account(key).await?.ok_or(ballast_sdk::SdkError::AccountNotFound(*key))?;
            let after: MarginAccount = ballast_sdk::decode(key, &after.data, "MarginAccount")?;
            return Ok(Some(value_before - account_spot_value(&priced, &after)?));
        }
        let Some(liab) = Self::largest_liability(&priced, liqee) else { return Ok(None) };
        let i = snapshot.liquidate(
            self.liquidator.pubkey(),
            self.liquidator_account,
            liqor,
            *key,
            liqee,
            liab,
            self.config.max_liab_per_liquidation,
            self.config.min_value_ratio_bps,
        )?;
        let mut ixs = snapshot.risk_array_cranks(&[liqee, liqor], &[])?;
        self.stats.risk_array_cranks += ixs.len() as u64;
        ixs.push(i);
        let ixs = tx::with_compute_budget(&ixs, self.config.compute_unit_price_micro_lamports);
        self.send(chain, &snapshot, &ixs).await?;
        let after = chain.account(key).await?.ok_or(ballast_sdk::SdkError::AccountNotFound(*key))?;
        let after: MarginAccount = ballast_sdk::decode(key, &after.data, "MarginAccount")?;
        Ok(Some(value_before - account_spot_value(&priced, &after)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ballast::state::{DerivativePosition, TokenPosition};
    use bytemuck::Zeroable;

    fn position(asset_index: u16, shares: i64) -> TokenPosition {
        TokenPosition {
            shares: I80F48::from_num(shares).into(),
            asset_index,
            in_use: 1,
            padding: [0; 5],
            reserved: [0; 8],
        }
    }

    /// The scan skips only accounts whose health cannot be negative: collateral alone. A debt or
    /// a derivative position (even with no token position at all, which the scan once skipped)
    /// keeps the account in.
    #[test]
    fn only_accounts_with_a_debt_or_a_derivative_are_priced() {
        let mut a: MarginAccount = Zeroable::zeroed();
        assert!(!can_be_liquidatable(&a), "empty");
        a.positions[0] = position(0, 100);
        a.positions[1] = position(1, 5);
        assert!(!can_be_liquidatable(&a), "collateral only");
        a.positions[1] = position(1, -5);
        assert!(can_be_liquidatable(&a), "a debt");

        let mut d: MarginAccount = Zeroable::zeroed();
        d.derivatives[0] = DerivativePosition {
            contracts: -3,
            quote: 30,
            market_index: 0,
            underlying_index: 0,
            in_use: 1,
            padding: [0; 3],
            reserved: [0; 8],
        };
        assert!(can_be_liquidatable(&d), "a derivative and no token position");
    }
}
