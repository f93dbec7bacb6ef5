//! The in-process chain that the integration tests (`ballast-tests`) and the sandbox both run
//! on: solana-program-test with the Ballast program (natively, or from an SBF build), the real
//! SPL Token and Token-2022 programs that program-test ships, Pyth accounts built byte for byte
//! in their real formats ([`pyth`]), SPL token plumbing ([`token`]), clock control, and a
//! stand-in DAO program whose PDA can sign as an admin ([`dao`]).
//!
//! Only the plumbing lives here; what each side does on the chain (the tests' harness with its
//! invariants, the sandbox's replay) stays with it.

pub mod dao;
pub mod pyth;
pub mod token;

use anchor_lang::prelude::{Clock, Pubkey, Rent};
use solana_account::Account;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use std::path::{Path, PathBuf};

pub use ballast_sdk::chain::banks::{native_entry, unique_instructions, BanksChain};

pub const SPL_TOKEN: Pubkey = spl_token_interface::ID;
pub const TOKEN_2022: Pubkey = spl_token_2022_interface::ID;
/// The BPF loader that program-test loads an .so under.
pub const BPF_LOADER: Pubkey = Pubkey::from_str_const("BPFLoader2111111111111111111111111111111111");

/// The folder of an SBF build to run instead of the native program, from `BALLAST_SBF_SO_DIR`
/// (a folder holding `ballast.so`, as `scripts/sbf/build.sh` makes).
pub fn sbf_so_dir() -> Option<PathBuf> {
    std::env::var_os("BALLAST_SBF_SO_DIR").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// A program-test chain with the Ballast program: native (through `processor!`) when `sbf_so_dir`
/// is None, else the `ballast.so` in that folder, in the chain's real virtual machine with compute
/// metering.
pub fn program_test(sbf_so_dir: Option<&Path>) -> ProgramTest {
    match sbf_so_dir {
        Some(dir) => {
            let so = dir.join("ballast.so");
            let data = std::fs::read(&so)
                .unwrap_or_else(|e| panic!("BALLAST_SBF_SO_DIR: cannot read {}: {e}", so.display()));
            // As program-test's own `add_program` loads an .so: an executable account owned by
            // the BPF loader.
            let mut pt = ProgramTest::default();
            pt.prefer_bpf(true);
            pt.add_account(
                ballast::ID,
                Account {
                    lamports: Rent::default().minimum_balance(data.len()).max(1),
                    data,
                    owner: BPF_LOADER,
                    executable: true,
                    rent_epoch: 0,
                },
            );
            pt
        }
        None => {
            let mut pt = ProgramTest::new("ballast", ballast::ID, processor!(native_entry));
            pt.prefer_bpf(false);
            pt
        }
    }
}

/// Starts [`program_test`]'s chain, with the stand-in DAO program ([`dao`]) beside Ballast.
pub async fn start(sbf_so_dir: Option<&Path>) -> ProgramTestContext {
    let mut pt = program_test(sbf_so_dir);
    // a native builtin in both modes (`prefer_bpf` only decides how `add_program` loads)
    pt.prefer_bpf(false);
    pt.add_program("dao_relay", dao::ID, processor!(dao_entry));
    pt.start_with_context().await
}

fn dao_entry(
    program_id: &Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    dao::process(program_id, accounts, data)
}

pub async fn clock(ctx: &mut ProgramTestContext) -> Clock {
    ctx.banks_client.get_sysvar().await.unwrap()
}

/// The chain's `unix_timestamp`.
pub async fn now(ctx: &mut ProgramTestContext) -> i64 {
    clock(ctx).await.unix_timestamp
}

/// Sets the clock's `unix_timestamp` in the current slot.
pub async fn set_unix_time(ctx: &mut ProgramTestContext, unix_timestamp: i64) {
    let mut clock = clock(ctx).await;
    clock.unix_timestamp = unix_timestamp;
    ctx.set_sysvar(&clock);
}

/// Moves the chain one slot on (for a fresh blockhash) and sets its clock to `unix_timestamp`:
/// warping recomputes the timestamp from the wall clock, so it is put back on the caller's
/// timeline.
pub async fn warp_to_time(ctx: &mut ProgramTestContext, unix_timestamp: i64) {
    let before = clock(ctx).await;
    ctx.warp_to_slot(before.slot + 1).unwrap();
    set_unix_time(ctx, unix_timestamp).await;
}

/// [`warp_to_time`] `secs` after the chain's current time.
pub async fn advance_time(ctx: &mut ProgramTestContext, secs: i64) {
    let t = now(ctx).await;
    warp_to_time(ctx, t + secs).await;
}

pub async fn rent(ctx: &ProgramTestContext) -> Rent {
    ctx.banks_client.get_rent().await.unwrap()
}
