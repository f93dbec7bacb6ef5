//! solana-program-test's chain (the `program-test` feature): the integration tests' BanksClient,
//! with the program natively or from an SBF build, and clock control.

use crate::{dao, native_entry, BPF_LOADER};
use anchor_lang::prelude::{Clock, Pubkey, Rent};
use solana_account::Account;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use std::path::Path;

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
