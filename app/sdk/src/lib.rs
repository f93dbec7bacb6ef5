//! Ballast SDK: everything a client needs to work with the program.
//!
//! - [`chain::Chain`]: the little a client needs from a cluster (accounts, program-account
//!   scans, sending), implemented over JSON-RPC and over program-test's in-process BanksClient.
//! - [`snapshot::GroupSnapshot`]: a group, all its assets and their oracles, loaded once and
//!   priced once, then used to compute any account's health with the program's own engine
//!   (`ballast::risk`), to the last unit.
//! - [`ix`]: builders for every instruction, with `remaining_accounts` in the documented order.
//! - [`tx`]: compute budgets, transaction size and lock checks, v0 messages with address lookup
//!   tables.
//! - [`config`]: governance parameters as files (`AssetParams`, `GroupParams`) and the parsers
//!   of addresses and Pyth feed ids; [`deploy`]: whole deployments described in one file.
//! - [`cosign`]: a futures trade signed in two places, the counterparty checking what it signs.
//! - [`token`]: SPL Token and Token-2022 mints, token accounts and mint_to.
//! - [`lookup_table`]: lookup tables on chain: decoding, the addresses a group's wide
//!   transactions need, and a table kept holding them (`Chain::send_versioned` sends through it).

pub mod chain;
pub mod config;
pub mod cosign;
pub mod deploy;
pub mod governance;
pub mod ix;
pub mod lookup_table;
pub mod markets;
pub mod pyth;
pub mod report;
pub mod snapshot;
pub mod token;
pub mod tx;

pub use ballast;
pub use chain::Chain;
pub use snapshot::{AccountHealth, GroupSnapshot};

use anchor_lang::prelude::Pubkey;

#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    #[error("account {0} not found")]
    AccountNotFound(Pubkey),
    #[error("account {0} is not a Ballast {1}")]
    WrongAccountType(Pubkey, &'static str),
    #[error("asset index {0} is not in the group")]
    UnknownAsset(u16),
    #[error("market index {0} is not in the group")]
    UnknownMarket(u16),
    #[error("no oracle account for asset {0}")]
    MissingOracle(u16),
    #[error("program error: {0}")]
    Program(String),
    /// A parameter file, deployment config, address or feed id that cannot be used as written.
    #[error("{0}")]
    Config(String),
    #[error("transport: {0}")]
    Transport(String),
    /// `Chain::wait_for_slot` gave up: the chain is still at `current`.
    #[error("the chain is at slot {current}, not yet at {slot}")]
    SlotNotReached { slot: u64, current: u64 },
}

pub type SdkResult<T> = Result<T, SdkError>;

/// Address of a Pyth sponsored price-feed account (the push oracle program's PDA for a feed id
/// on a shard): the account a pull-oracle asset pins unless governance chose another.
pub use ballast::oracle::pyth_pull::sponsored_feed_address;

/// Reads a zero-copy Ballast account (discriminator checked) from raw data.
pub fn decode<T: bytemuck::Pod + anchor_lang::Discriminator>(
    key: &Pubkey,
    data: &[u8],
    what: &'static str,
) -> SdkResult<T> {
    let size = 8 + core::mem::size_of::<T>();
    if data.len() < size || data[..8] != *T::DISCRIMINATOR {
        return Err(SdkError::WrongAccountType(*key, what));
    }
    Ok(bytemuck::pod_read_unaligned(&data[8..size]))
}
