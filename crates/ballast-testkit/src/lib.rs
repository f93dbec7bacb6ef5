//! The in-process chains that the integration tests (`ballast-tests`) and the sandbox run on,
//! and what both need on them: the Ballast program compiled for the host ([`native_entry`]),
//! Pyth accounts built byte for byte in their real formats ([`pyth`]), SPL token plumbing
//! ([`token`], the SDK's), and a stand-in DAO program whose PDA can sign as an admin ([`dao`]).
//!
//! - [`svm::SvmChain`]: LiteSVM with the program as a host builtin ([`native`]), behind the SDK's
//!   `Chain`. The sandbox runs on it; it needs 319 crates of chain where program-test needs 682.
//! - With the `program-test` feature, [`program_test`] / [`start`]: solana-program-test with the
//!   program natively or from an SBF build, for the integration tests (BanksClient, clock
//!   control, the SBF lane).
//!
//! Only the plumbing lives here; what each side does on the chain (the tests' harness with its
//! invariants, the sandbox's replay) stays with it.

pub mod dao;
pub mod native;
pub mod pyth;
pub mod svm;
pub use ballast_sdk::token;

use anchor_lang::prelude::Pubkey;
use std::path::PathBuf;

#[cfg(feature = "program-test")]
mod bank;
#[cfg(feature = "program-test")]
pub use ballast_sdk::chain::banks::BanksChain;
pub use ballast_sdk::chain::unique_instructions;
#[cfg(feature = "program-test")]
pub use bank::*;

/// The program's Anchor entrypoint in the plain function shape a host builtin takes
/// (`native_builtin!`, program-test's `processor!`): Anchor ties all account lifetimes to one.
pub fn native_entry(
    program_id: &Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: the accounts outlive the call; Anchor only needs one lifetime for all of them.
    let accounts: &[anchor_lang::prelude::AccountInfo] = unsafe { core::mem::transmute(accounts) };
    ballast::entry(program_id, accounts, data)
}

pub const SPL_TOKEN: Pubkey = ballast_sdk::token::SPL_TOKEN;
pub const TOKEN_2022: Pubkey = spl_token_2022_interface::ID;
/// The BPF loader that program-test loads an .so under.
pub const BPF_LOADER: Pubkey = Pubkey::from_str_const("BPFLoader2111111111111111111111111111111111");

/// The folder of an SBF build to run instead of the native program, from `BALLAST_SBF_SO_DIR`
/// (a folder holding `ballast.so`, as `scripts/sbf/build.sh` makes).
pub fn sbf_so_dir() -> Option<PathBuf> {
    std::env::var_os("BALLAST_SBF_SO_DIR").filter(|v| !v.is_empty()).map(PathBuf::from)
}
