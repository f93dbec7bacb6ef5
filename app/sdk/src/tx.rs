//! Transactions around Ballast instructions: the compute budget they need, whether they fit in a
//! legacy transaction, and a v0 message with an address lookup table when they do not.
//!
//! The compute-unit estimates are measurements of the SBF build (`scripts/sbf/bench.sh` and
//! `scripts/sbf/liquidation16.sh`, see `scripts/sbf/README.md`) with a margin on top; they are
//! upper bounds meant for `SetComputeUnitLimit`, not predictions. Re-measure and adjust them when
//! the program's costs change.
//!
//! Limits of a transaction on chain (agave 3.1): 1232 bytes serialized (`PACKET_DATA_SIZE`), 64
//! account locks (every distinct account, static or loaded from a table), 1.4M compute units.
//! A lookup table shrinks an account from 32 bytes to 1 but does not lift the lock limit.

use crate::{SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{Discriminator, ToAccountMetas};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;
use solana_message::{v0, AddressLookupTableAccount, Hash, Message, VersionedMessage};

/// Most bytes a serialized transaction may have (the network's packet payload).
pub const PACKET_DATA_SIZE: usize = 1232;
/// Most distinct accounts a transaction may lock.
pub const MAX_TX_ACCOUNT_LOCKS: usize = 64;
/// Most compute units a transaction may request.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;
/// Addresses per `ExtendLookupTable` instruction in [`create_lookup_table`]: 20 addresses (640
/// bytes) keep a create-and-extend transaction near 900 bytes.
pub const MAX_ADDRESSES_PER_EXTEND: usize = 20;
/// Most addresses one lookup table holds.
pub const LOOKUP_TABLE_MAX_ADDRESSES: usize = 256;
/// Most static account keys a transaction can carry in one packet (agave's
/// `MAX_STATIC_ACCOUNTS_PER_PACKET`). solana-program-test 3.1's bank sizes per-transaction
/// tables by it and panics (index out of bounds in `signature_details.rs`) on a transaction with
/// an instruction whose program sits at a later index; its banks thread dies with it and every
/// later call on that chain times out (`DeadlineExceeded`). See [`program_index_overflows`].
pub const MAX_STATIC_ACCOUNTS_PER_PACKET: usize = 38;

pub use solana_address_lookup_table_interface::program::ID as ADDRESS_LOOKUP_TABLE_PROGRAM_ID;
pub use solana_compute_budget_interface::ID as COMPUTE_BUDGET_PROGRAM_ID;

// ---- compute budget -----------------------------------------------------------------------------

/// `SetComputeUnitLimit(units)` and, when `micro_lamports` is not zero, `SetComputeUnitPrice`
/// (the priority fee per compute unit). Put them first in the transaction.
pub fn compute_budget_ixs(units: u32, micro_lamports: u64) -> Vec<Instruction> {
    let mut ixs = vec![ComputeBudgetInstruction::set_compute_unit_limit(units.min(MAX_COMPUTE_UNIT_LIMIT))];
    if micro_lamports > 0 {
        ixs.push(ComputeBudgetInstruction::set_compute_unit_price(micro_lamports));
    }
    ixs
}

/// The compute-unit limit for a transaction a simulation measured at `units`: a tenth and the
/// transaction slack on top, for the state that moves between the simulation and the slot the
/// transaction lands in (an accrual, a price update).
pub fn limit_from_simulation(units: u64) -> u32 {
    let limit = units.saturating_add(units / 10).saturating_add(u64::from(TRANSACTION_SLACK_UNITS));
    limit.min(u64::from(MAX_COMPUTE_UNIT_LIMIT)) as u32
}

/// The position of the SetComputeUnitLimit among `instructions`, if they have one.
pub fn compute_unit_limit(instructions: &[Instruction]) -> Option<usize> {
    let tag = ComputeBudgetInstruction::set_compute_unit_limit(0).data[0];
    instructions
        .iter()
        .position(|i| i.program_id == COMPUTE_BUDGET_PROGRAM_ID && i.data.first() == Some(&tag))
}

/// Whether `ix` is a SetComputeUnitPrice.
pub fn is_compute_unit_price(ix: &Instruction) -> bool {
    let tag = ComputeBudgetInstruction::set_compute_unit_price(0).data[0];
    ix.program_id == COMPUTE_BUDGET_PROGRAM_ID && ix.data.first() == Some(&tag)
}

/// `instructions` with their SetComputeUnitLimit set to `units` (put first when they have none).
pub fn set_compute_unit_limit(instructions: &[Instruction], units: u32) -> Vec<Instruction> {
    let limit = ComputeBudgetInstruction::set_compute_unit_limit(units.min(MAX_COMPUTE_UNIT_LIMIT));
    let mut out = instructions.to_vec();
    match compute_unit_limit(&out) {
        Some(p) => out[p] = limit,
        None => out.insert(0, limit),
    }
    out
}

/// `RequestHeapFrame(bytes)`: a heap of `bytes` (a multiple of 1024, 32 KiB to 256 KiB) for
/// every program the transaction runs. Only useful to a program whose allocator knows the larger
/// heap; Ballast's default bump allocator is fixed at 32 KiB.
pub fn request_heap_frame(bytes: u32) -> Instruction {
    ComputeBudgetInstruction::request_heap_frame(bytes)
}

/// `instructions` with the compute budget for them prepended: the limit from
/// [`estimate_compute_units`], the price as given.
pub fn with_compute_budget(instructions: &[Instruction], micro_lamports: u64) -> Vec<Instruction> {
    let mut out = compute_budget_ixs(estimate_compute_units(instructions), micro_lamports);
    out.extend_from_slice(instructions);
    out
}

/// The Ballast instructions whose cost grows with the number of positions they price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priced {
    /// Withdraw and borrow: a margin check over the account's positions after the instruction.
    HealthCheck,
    /// Liquidate: both accounts' assets priced and accrued, the plan, three health computations.
    Liquidate,
    /// The read-only health report (breakdown and scenarios).
    HealthReport,
    /// `update_risk_array`: 17 Black-76 valuations, whatever the accounts (253,644 CU measured
    /// on SBF, `scripts/sbf/bench.sh`; bound 300,000).
    RiskArrayCrank,
}

/// Upper bound on the compute units of one Ballast instruction that prices `assets` assets (the
/// number of Asset accounts in its `remaining_accounts`, i.e. half their length; for a
/// liquidation the union of both accounts' assets), CPIs to the token program included.
///
/// Measured on the SBF build (`scripts/sbf/README.md`, program at 2809831), every asset a Pyth
/// pull feed, base weights:
/// - withdraw / borrow: 78,419 / 78,684 at 16 positions (66,350 / 66,608 before the issue-9
///   hardening); with every factor of the model on (volatility, size, scaling, concentration,
///   correlation groups) withdraw costs 116,071 at 16 in program-test. Bound: 30,000 + 8,000 per
///   asset (158,000 at 16).
/// - liquidate, every collateral seized (one leg per collateral): 56,287 at 2 assets, 205,520 at
///   8, about 407,000 at 16, about 6,000 + 25,000 per asset. Not measured with every factor on;
///   going by the health check, its five health passes would add about 2,300 per asset each.
///   Bound: 20,000 + 40,000 per asset (660,000 at 16, 700,000 with 17 assets).
/// - health report: not measured separately; bounded like a liquidation.
pub fn priced_compute_units(kind: Priced, assets: usize) -> u32 {
    let n = assets as u64;
    let units = match kind {
        Priced::HealthCheck => HEALTH_CHECK_BASE_UNITS + HEALTH_CHECK_UNITS_PER_ASSET * n,
        Priced::Liquidate | Priced::HealthReport => LIQUIDATE_BASE_UNITS + LIQUIDATE_UNITS_PER_ASSET * n,
        Priced::RiskArrayCrank => RISK_ARRAY_CRANK_UNITS,
    };
    units.min(u64::from(MAX_COMPUTE_UNIT_LIMIT)) as u32
}

pub const HEALTH_CHECK_BASE_UNITS: u64 = 30_000;
pub const HEALTH_CHECK_UNITS_PER_ASSET: u64 = 8_000;
pub const LIQUIDATE_BASE_UNITS: u64 = 20_000;
pub const LIQUIDATE_UNITS_PER_ASSET: u64 = 40_000;
/// Any other Ballast instruction (deposit and repay measured at 17,124 to 17,229 whatever the
/// positions; admin and account instructions) and any other program's (SPL Token, System): a
/// flat bound.
pub const OTHER_INSTRUCTION_UNITS: u32 = 30_000;
pub const RISK_ARRAY_CRANK_UNITS: u64 = 300_000;
/// Each compute-budget instruction and the slack of a transaction.
pub const TRANSACTION_SLACK_UNITS: u32 = 1_000;

/// What a Ballast instruction is, from its discriminator, and how many assets it prices.
pub fn classify(ix: &Instruction) -> Option<(Option<Priced>, usize)> {
    if ix.program_id != ballast::ID || ix.data.len() < 8 {
        return None;
    }
    let d = &ix.data[..8];
    let health_assets = |fixed: usize| ix.accounts.len().saturating_sub(fixed) / 2;
    if d == ballast::instruction::Liquidate::DISCRIMINATOR {
        Some((Some(Priced::Liquidate), health_assets(fixed_accounts::liquidate())))
    } else if d == ballast::instruction::Withdraw::DISCRIMINATOR
        || d == ballast::instruction::Borrow::DISCRIMINATOR
    {
        Some((Some(Priced::HealthCheck), health_assets(fixed_accounts::token_move_checked())))
    } else if d == ballast::instruction::Trade::DISCRIMINATOR
        || d == ballast::instruction::LiquidateDerivative::DISCRIMINATOR
    {
        // two accounts' health, as a liquidation prices them (the markets counted as assets:
        // an over-estimate)
        Some((Some(Priced::Liquidate), health_assets(fixed_accounts::trade())))
    } else if d == ballast::instruction::SettlePnl::DISCRIMINATOR {
        Some((Some(Priced::Liquidate), health_assets(fixed_accounts::settle_pnl())))
    } else if d == ballast::instruction::HealthReport::DISCRIMINATOR {
        Some((Some(Priced::HealthReport), health_assets(fixed_accounts::health_report())))
    } else if d == ballast::instruction::UpdateRiskArray::DISCRIMINATOR {
        Some((Some(Priced::RiskArrayCrank), 0))
    } else {
        Some((None, 0))
    }
}

/// A compute-unit limit for a transaction of `instructions`: the sum of each one's bound, plus
/// slack, at most 1.4M. Compute-budget instructions count only as slack.
pub fn estimate_compute_units(instructions: &[Instruction]) -> u32 {
    let mut total = u64::from(TRANSACTION_SLACK_UNITS);
    for ix in instructions {
        total += u64::from(if ix.program_id == COMPUTE_BUDGET_PROGRAM_ID {
            TRANSACTION_SLACK_UNITS
        } else {
            match classify(ix) {
                Some((Some(kind), assets)) => priced_compute_units(kind, assets),
                Some((None, _)) | None => OTHER_INSTRUCTION_UNITS,
            }
        });
    }
    total.min(u64::from(MAX_COMPUTE_UNIT_LIMIT)) as u32
}

/// Fixed (non-remaining) account counts, from the program's own account structs.
mod fixed_accounts {
    use super::*;
    pub fn liquidate() -> usize {
        let d = Pubkey::default();
        ballast::accounts::Liquidate { group: d, liquidator: d, liquidator_account: d, liquidatee_account: d }
            .to_account_metas(None)
            .len()
    }
    fn token_move() -> ballast::accounts::TokenMove {
        let d = Pubkey::default();
        ballast::accounts::TokenMove {
            group: d,
            account: d,
            asset: d,
            vault: d,
            mint: d,
            user_token_account: d,
            token_program: d,
        }
    }
    /// Withdraw and Borrow have the same accounts.
    pub fn token_move_checked() -> usize {
        ballast::accounts::Withdraw { token: token_move(), owner: Pubkey::default() }
            .to_account_metas(None)
            .len()
    }
    /// Trade and LiquidateDerivative both carry six accounts.
    pub fn trade() -> usize {
        let d = Pubkey::default();
        ballast::accounts::Trade {
            group: d,
            market: d,
            buyer_account: d,
            buyer: d,
            seller_account: d,
            seller: d,
        }
        .to_account_metas(None)
        .len()
    }
    pub fn settle_pnl() -> usize {
        let d = Pubkey::default();
        ballast::accounts::SettlePnl {
            group: d,
            market: d,
            quote_asset: d,
            owed_account: d,
            owing_account: d,
        }
        .to_account_metas(None)
        .len()
    }
    pub fn health_report() -> usize {
        let d = Pubkey::default();
        ballast::accounts::HealthReportAccounts { group: d, account: d }.to_account_metas(None).len()
    }
}

// ---- size, accounts and lookup tables ----------------------------------------------------------

/// Bytes of the compact-u16 length prefix of `n` items.
pub fn short_vec_len(n: usize) -> usize {
    match n {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        _ => 3,
    }
}

/// Serialized size of a transaction carrying `message` and its signatures.
pub fn transaction_size(message: &VersionedMessage) -> usize {
    let sigs = usize::from(message.header().num_required_signatures);
    short_vec_len(sigs) + 64 * sigs + message.serialize().len()
}

/// Serialized size of the legacy transaction of `instructions` paid by `payer`.
pub fn legacy_transaction_size(payer: &Pubkey, instructions: &[Instruction]) -> usize {
    transaction_size(&VersionedMessage::Legacy(Message::new(instructions, Some(payer))))
}

/// Distinct accounts the transaction locks (static and loaded alike), the payer and the
/// invoked programs included.
pub fn account_locks(payer: &Pubkey, instructions: &[Instruction]) -> usize {
    Message::new(instructions, Some(payer)).account_keys.len()
}

/// Whether `instructions` need a v0 transaction with a lookup table: their legacy transaction
/// is over 1232 bytes.
pub fn needs_lookup_table(payer: &Pubkey, instructions: &[Instruction]) -> bool {
    legacy_transaction_size(payer, instructions) > PACKET_DATA_SIZE
}

/// The accounts of `instructions` a lookup table can carry, in order of first use: every account
/// that is neither a signer nor an invoked program (those must stay in the message), the payer
/// excluded.
pub fn lookup_table_candidates(payer: &Pubkey, instructions: &[Instruction]) -> Vec<Pubkey> {
    let programs: Vec<Pubkey> = instructions.iter().map(|ix| ix.program_id).collect();
    let signers: Vec<Pubkey> = instructions
        .iter()
        .flat_map(|ix| ix.accounts.iter())
        .filter(|m| m.is_signer)
        .map(|m| m.pubkey)
        .collect();
    let mut out: Vec<Pubkey> = vec![];
    for m in instructions.iter().flat_map(|ix| ix.accounts.iter()) {
        let k = m.pubkey;
        if k != *payer && !programs.contains(&k) && !signers.contains(&k) && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// Whether some instruction's program lands at a static account index of 38 or more
/// ([`MAX_STATIC_ACCOUNTS_PER_PACKET`]) in the legacy message of `instructions` paid by `payer`:
/// such a transaction cannot be sent in a packet anyway (38 keys are 1,216 bytes), and
/// solana-program-test 3.1 panics on it. Keys are sorted within their class, so whether a wide
/// transaction hits this depends on its addresses; a v0 message with a lookup table keeps the
/// static keys few.
pub fn program_index_overflows(payer: &Pubkey, instructions: &[Instruction]) -> bool {
    let m = Message::new(instructions, Some(payer));
    m.instructions.iter().any(|i| usize::from(i.program_id_index) >= MAX_STATIC_ACCOUNTS_PER_PACKET)
}

/// A v0 message of `instructions` that loads what it can from `tables`.
pub fn v0_message(
    payer: &Pubkey,
    instructions: &[Instruction],
    tables: &[AddressLookupTableAccount],
    blockhash: Hash,
) -> SdkResult<VersionedMessage> {
    let m = v0::Message::try_compile(payer, instructions, tables, blockhash)
        .map_err(|e| SdkError::Program(format!("cannot compile a v0 message: {e}")))?;
    Ok(VersionedMessage::V0(m))
}

fn check_locks(payer: &Pubkey, instructions: &[Instruction]) -> SdkResult<()> {
    let locks = account_locks(payer, instructions);
    if locks > MAX_TX_ACCOUNT_LOCKS {
        return Err(SdkError::Program(format!(
            "transaction locks {locks} accounts, more than {MAX_TX_ACCOUNT_LOCKS}"
        )));
    }
    Ok(())
}

/// A v0 message of `instructions` through `tables`, checked as the network would check its
/// transaction: at most 64 account locks and 1232 bytes (else the tables lack accounts, or the
/// instructions must be split). What `Chain::send_versioned` sends.
pub fn checked_v0_message(
    payer: &Pubkey,
    instructions: &[Instruction],
    tables: &[AddressLookupTableAccount],
    blockhash: Hash,
) -> SdkResult<VersionedMessage> {
    check_locks(payer, instructions)?;
    let m = v0_message(payer, instructions, tables, blockhash)?;
    let size = transaction_size(&m);
    if size > PACKET_DATA_SIZE {
        return Err(SdkError::Program(format!(
            "transaction is {size} bytes with the lookup tables given, more than {PACKET_DATA_SIZE}"
        )));
    }
    Ok(m)
}

/// The message to send `instructions` in: legacy when it fits in a packet, else v0 with
/// `tables` ([`checked_v0_message`]). Errors when the transaction would lock more than 64
/// accounts or is still over 1232 bytes.
pub fn message_for(
    payer: &Pubkey,
    instructions: &[Instruction],
    tables: &[AddressLookupTableAccount],
    blockhash: Hash,
) -> SdkResult<VersionedMessage> {
    check_locks(payer, instructions)?;
    let legacy = VersionedMessage::Legacy(Message::new_with_blockhash(instructions, Some(payer), &blockhash));
    if transaction_size(&legacy) <= PACKET_DATA_SIZE {
        return Ok(legacy);
    }
    checked_v0_message(payer, instructions, tables, blockhash)
}

/// Signs `message` (every signer the message requires, in any order).
pub fn sign(
    message: VersionedMessage,
    signers: &[&solana_keypair::Keypair],
) -> SdkResult<solana_transaction::versioned::VersionedTransaction> {
    solana_transaction::versioned::VersionedTransaction::try_new(message, signers)
        .map_err(|e| SdkError::Program(format!("cannot sign: {e}")))
}

/// A lookup table to create: its address and the transactions (instruction lists, in order) that
/// create and fill it. The first creates it and adds up to [`MAX_ADDRESSES_PER_EXTEND`]
/// addresses; each further one adds as many again. Addresses become usable one slot after the
/// transaction that added them.
#[derive(Debug, Clone)]
pub struct LookupTablePlan {
    pub address: Pubkey,
    pub transactions: Vec<Vec<Instruction>>,
    pub addresses: Vec<Pubkey>,
}

impl LookupTablePlan {
    /// The table as a v0 message reads it (once every transaction has landed).
    pub fn account(&self) -> AddressLookupTableAccount {
        AddressLookupTableAccount { key: self.address, addresses: self.addresses.clone() }
    }
}

/// Instructions to create a lookup table owned by `authority` (which signs the extends) and fill
/// it with `addresses`. `recent_slot` must be in the SlotHashes sysvar (a slot of the last 512)
/// and, with `authority`, derives the table's address.
pub fn create_lookup_table(
    authority: Pubkey,
    payer: Pubkey,
    recent_slot: u64,
    addresses: &[Pubkey],
) -> SdkResult<LookupTablePlan> {
    if addresses.len() > LOOKUP_TABLE_MAX_ADDRESSES {
        return Err(SdkError::Program(format!(
            "{} addresses, a lookup table holds at most {LOOKUP_TABLE_MAX_ADDRESSES}",
            addresses.len()
        )));
    }
    use solana_address_lookup_table_interface::instruction as alt;
    let (create, address) = alt::create_lookup_table(authority, payer, recent_slot);
    let mut transactions = vec![vec![create]];
    for (i, chunk) in addresses.chunks(MAX_ADDRESSES_PER_EXTEND).enumerate() {
        let extend = alt::extend_lookup_table(address, authority, Some(payer), chunk.to_vec());
        if i == 0 {
            transactions[0].push(extend);
        } else {
            transactions.push(vec![extend]);
        }
    }
    Ok(LookupTablePlan { address, transactions, addresses: addresses.to_vec() })
}

/// Instructions to add `addresses` to an existing table (in transactions of at most
/// [`MAX_ADDRESSES_PER_EXTEND`]).
pub fn extend_lookup_table(
    table: Pubkey,
    authority: Pubkey,
    payer: Pubkey,
    addresses: &[Pubkey],
) -> Vec<Vec<Instruction>> {
    addresses
        .chunks(MAX_ADDRESSES_PER_EXTEND)
        .map(|c| {
            vec![solana_address_lookup_table_interface::instruction::extend_lookup_table(
                table,
                authority,
                Some(payer),
                c.to_vec(),
            )]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_instruction::AccountMeta;

    #[test]
    fn a_simulated_limit_replaces_the_estimate_and_keeps_the_price() {
        let ixs = with_compute_budget(&[liquidate_ix(4)], 5_000);
        let sized = set_compute_unit_limit(&ixs, limit_from_simulation(100_000));
        assert_eq!(sized.len(), ixs.len());
        // 100,000 + a tenth + the 1,000 of slack
        assert_eq!(sized[0], ComputeBudgetInstruction::set_compute_unit_limit(111_000));
        assert_eq!(sized[1..], ixs[1..]);
        assert_eq!(limit_from_simulation(2_000_000), MAX_COMPUTE_UNIT_LIMIT);
        let bare = set_compute_unit_limit(&[liquidate_ix(1)], 50_000);
        assert_eq!(bare[0], ComputeBudgetInstruction::set_compute_unit_limit(50_000));
        assert_eq!(bare.len(), 2);
        assert_eq!((compute_unit_limit(&ixs), compute_unit_limit(&[liquidate_ix(1)])), (Some(0), None));
        assert!(is_compute_unit_price(&ixs[1]) && !is_compute_unit_price(&ixs[0]));
    }

    fn liquidate_ix(assets: usize) -> Instruction {
        let mut accounts = ballast::accounts::Liquidate {
            group: Pubkey::new_unique(),
            liquidator: Pubkey::new_unique(),
            liquidator_account: Pubkey::new_unique(),
            liquidatee_account: Pubkey::new_unique(),
        }
        .to_account_metas(None);
        let keys: Vec<Pubkey> = (0..assets).map(|_| Pubkey::new_unique()).collect();
        accounts.extend(keys.iter().map(|k| AccountMeta::new(*k, false)));
        accounts.extend((0..assets).map(|_| AccountMeta::new_readonly(Pubkey::new_unique(), false)));
        Instruction {
            program_id: ballast::ID,
            accounts,
            data: anchor_lang::InstructionData::data(&ballast::instruction::Liquidate {
                liab_asset_index: 0,
                max_liab_amount: 1,
                min_value_ratio_bps: 10_000,
            }),
        }
    }

    #[test]
    fn compute_budget_encoding() {
        let ixs = compute_budget_ixs(300_000, 0);
        assert_eq!(ixs.len(), 1);
        assert_eq!(ixs[0].data, [2, 0xe0, 0x93, 0x04, 0x00]);
        let ixs = compute_budget_ixs(2_000_000, 5);
        assert_eq!(ixs[0].data[1..], MAX_COMPUTE_UNIT_LIMIT.to_le_bytes());
        assert_eq!(ixs[1].data, [3, 5, 0, 0, 0, 0, 0, 0, 0]);
        assert!(ixs.iter().all(|i| i.program_id == COMPUTE_BUDGET_PROGRAM_ID && i.accounts.is_empty()));
    }

    #[test]
    fn liquidation_estimate_grows_with_assets() {
        let ix = liquidate_ix(17);
        assert_eq!(classify(&ix), Some((Some(Priced::Liquidate), 17)));
        let small = estimate_compute_units(&[liquidate_ix(2)]);
        let large = estimate_compute_units(&[liquidate_ix(17)]);
        assert!(small < large && large < MAX_COMPUTE_UNIT_LIMIT);
        // 17 assets: 20,000 + 17 * 40,000 + slack, above the 403k-408k measured at 16 positions.
        assert_eq!(large, 20_000 + 17 * 40_000 + TRANSACTION_SLACK_UNITS);
    }

    #[test]
    fn a_wide_liquidation_needs_a_lookup_table_and_fits_with_one() {
        let payer = Pubkey::new_unique();
        let ix = liquidate_ix(17);
        let liquidator = ix.accounts[1].pubkey;
        let mut ix = ix;
        ix.accounts[1].is_signer = true;
        let ixs = with_compute_budget(&[ix], 1);
        assert!(needs_lookup_table(&payer, &ixs));
        assert_eq!(account_locks(&payer, &ixs), 4 + 34 + 1 + 2);
        let candidates = lookup_table_candidates(&payer, &ixs);
        assert_eq!(candidates.len(), 3 + 34);
        assert!(!candidates.contains(&liquidator) && !candidates.contains(&ballast::ID));
        let plan = create_lookup_table(payer, payer, 0, &candidates).unwrap();
        assert_eq!(plan.transactions.len(), 2);
        for t in &plan.transactions {
            assert!(legacy_transaction_size(&payer, t) <= PACKET_DATA_SIZE);
        }
        let m = message_for(&payer, &ixs, &[plan.account()], Hash::default()).unwrap();
        assert!(matches!(m, VersionedMessage::V0(_)));
        assert!(transaction_size(&m) <= PACKET_DATA_SIZE);
        // Without the table it cannot be sent.
        assert!(message_for(&payer, &ixs, &[], Hash::default()).is_err());
    }

    /// The keeper's decision by position count: with the liquidator paying, a liquidation with
    /// its compute budget fits a legacy transaction up to 13 assets priced (1,189 bytes) and
    /// needs a lookup table from 14 on (1,255; 1,387 at 16); sent as v0 through a table of its
    /// non-signer accounts it stays under 500 bytes at every count.
    #[test]
    fn the_legacy_limit_falls_between_13_and_14_assets() {
        for assets in 1..=17 {
            let mut ix = liquidate_ix(assets);
            ix.accounts[1].is_signer = true;
            let liquidator = ix.accounts[1].pubkey;
            let ixs = with_compute_budget(&[ix], 0);
            let size = legacy_transaction_size(&liquidator, &ixs);
            assert_eq!(needs_lookup_table(&liquidator, &ixs), assets >= 14, "{assets} assets: {size} bytes");
            if [13, 14, 16].contains(&assets) {
                assert_eq!(size, [1_189, 1_255, 0, 1_387][assets - 13]);
            }
            let table = AddressLookupTableAccount {
                key: Pubkey::new_unique(),
                addresses: lookup_table_candidates(&liquidator, &ixs),
            };
            let m = checked_v0_message(&liquidator, &ixs, &[table], Hash::default()).unwrap();
            assert!(transaction_size(&m) < 500, "{assets} assets: v0 {} bytes", transaction_size(&m));
            // 4 + 2n accounts, payer = liquidator, two programs; over 38 only from 17 assets
            assert_eq!(account_locks(&liquidator, &ixs), 4 + 2 * assets + 2);
        }
    }

    #[test]
    fn a_program_past_static_index_37_is_detected() {
        let payer = Pubkey::new_unique();
        // 37 readonly accounts plus the payer and the program: the program lands at index 38 or
        // before, depending on how its address sorts among the readonly accounts.
        let accounts: Vec<AccountMeta> =
            (0..37).map(|_| AccountMeta::new_readonly(Pubkey::new_unique(), false)).collect();
        let last = Pubkey::new_from_array([0xff; 32]);
        let first = Pubkey::new_from_array([0; 32]);
        let high = Instruction { program_id: last, accounts: accounts.clone(), data: vec![] };
        let low = Instruction { program_id: first, accounts: accounts[1..].to_vec(), data: vec![] };
        assert!(program_index_overflows(&payer, std::slice::from_ref(&high)));
        assert!(!program_index_overflows(&payer, std::slice::from_ref(&low)));
        assert!(!program_index_overflows(&payer, &[liquidate_ix(2)]));
    }

    #[test]
    fn a_small_transaction_stays_legacy() {
        let payer = Pubkey::new_unique();
        let ixs = [liquidate_ix(2)];
        let m = message_for(&payer, &ixs, &[], Hash::default()).unwrap();
        assert!(matches!(m, VersionedMessage::Legacy(_)));
        assert_eq!(transaction_size(&m), legacy_transaction_size(&payer, &ixs));
    }
}
