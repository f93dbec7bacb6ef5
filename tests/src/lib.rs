//! Test harness: a solana-program-test chain with the Ballast program (native, via `processor!`),
//! the real SPL Token and Token-2022 programs that program-test ships, and Pyth accounts built
//! byte for byte in their real formats under their real owners (the chain itself is
//! `ballast-testkit`'s, shared with the sandbox).

//!
//! Instructions come from the SDK's builders (`ballast_sdk::ix`, `GroupSnapshot`), health and
//! pricing from the SDK's snapshot functions over the program's own engine, so a test exercises
//! the same code a client runs. The harness adds what only tests need: the invariants checked
//! after every send (`invariants`), raw-account snapshots, and the odd building block
//! adversarial tests assemble bad inputs from.
//!
//! - `env`: the chain, sending, the clock, raw accounts, SPL tokens, reading state;
//! - `accounts`: the group, listing assets with their oracles, traders' margin accounts;
//! - `builders`: every Ballast instruction, built by the SDK, and sending them;
//! - `pricing`: health and liquidatability computed off chain as the program computes them;
//! - `invariants`: the book-keeping invariants;
//! - `compute`, `config`, `errors`: compute-unit measurement, default configs, error matching.

mod accounts;
mod builders;
mod compute;
mod config;
mod env;
mod errors;
mod invariants;
mod pricing;

pub use ballast_testkit::pyth;
pub use ballast_testkit::{sbf_so_dir, BPF_LOADER, SPL_TOKEN, TOKEN_2022};
pub use compute::*;
pub use config::{default_config, every_factor_config, every_factor_group_config, group_config};
pub use errors::{assert_ballast_error, code, custom_error};

use solana_keypair::Keypair;
use solana_program_test::{BanksClientError, ProgramTestContext};

pub use anchor_lang::prelude::{Clock, Pubkey};
pub use ballast::error::BallastError;
pub use ballast::health_accounts::OraclePolicy;
pub use ballast::math::I80F48;
pub use ballast::risk::HealthType;

/// Deterministic start time for every test chain.
pub const T0: i64 = 1_700_000_000;

/// One listed token as the tests know it.
#[derive(Clone, Debug)]
pub struct TestAsset {
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub decimals: u8,
    pub asset: Pubkey,
    pub vault: Pubkey,
    pub oracle: Pubkey,
    pub index: u16,
}

pub struct TestEnv {
    pub ctx: ProgramTestContext,
    pub admin: Keypair,
    /// The group's risk guardian.
    pub guardian: Keypair,
    pub group: Pubkey,
    pub assets: Vec<TestAsset>,
    /// Every margin account created through the harness: the invariants sum over them.
    pub margin_accounts: Vec<Pubkey>,
    /// Check the invariants after every successful transaction (on by default).
    pub check_invariants: bool,
    nonce: u64,
}

pub type TxResult = Result<(), BanksClientError>;

pub use ballast_sdk::ix::{asset_address, margin_account_address, vault_address};
