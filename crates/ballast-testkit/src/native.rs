//! A program compiled for the host, run by LiteSVM as a builtin: the bridge solana-program-test
//! builds for its `processor!`, without the bank, accounts-db and banks server program-test
//! brings along (682 of the 807 crates of a program-test build).
//!
//! The runtime calls a builtin with its `InvokeContext`. [`invoke_builtin_function`] serializes
//! the instruction's accounts in the SBF input format, deserializes them into `AccountInfo`s,
//! calls the program, and writes the writable accounts back. While the program runs, its
//! syscalls (CPI, sysvars, return data, stack height) reach the same `InvokeContext` through
//! [`HostSyscalls`], installed once per process as solana-program's syscall stubs. `msg!`
//! prints to stdout (solana-msg's host behaviour), which is the sandbox's timeline.
//!
//! One bridge per process: solana-program's syscall stubs are global, and program-test's bridge
//! installs its own when it starts (the sandbox and the tests are separate processes).
//!
//! What the host cannot give a program: compute metering of its own code (only a builtin's
//! fixed charge), SBF's stack and heap limits, and the VM's stricter ABI checks. Measure those
//! on the SBF build (`scripts/sbf/`).

use anchor_lang::prelude::{AccountInfo, Pubkey};
use solana_instruction::error::{InstructionError, UNSUPPORTED_SYSVAR};
use solana_instruction::Instruction;
use solana_program_entrypoint::{deserialize, ProcessInstruction, SUCCESS};
use solana_program_error::{ProgramError, ProgramResult};
use solana_program_runtime::serialization::serialize_parameters;
use solana_program_runtime::stable_log;
use solana_svm_timings::ExecuteTimings;
use solana_sysvar::SysvarSerialize;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Once};

pub use solana_program_runtime::invoke_context::{BuiltinFunctionWithContext, InvokeContext};
pub use solana_program_runtime::solana_sbpf::error::EbpfError;
pub use solana_program_runtime::solana_sbpf::vm::{get_runtime_environment_key, EbpfVm};

thread_local! {
    /// The `InvokeContext` of the builtin running on this thread (innermost, during a CPI).
    static INVOKE_CONTEXT: Cell<usize> = const { Cell::new(0) };
}

/// Points the thread's syscalls at `context` until dropped, then back at the previous context
/// (the caller's, during a CPI, or none): a syscall after the transaction ends finds no context
/// instead of a dead one.
struct ContextGuard(usize);

impl ContextGuard {
    fn set(context: &mut InvokeContext) -> ContextGuard {
        ContextGuard(INVOKE_CONTEXT.with(|c| c.replace(context as *mut InvokeContext as usize)))
    }
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        INVOKE_CONTEXT.with(|c| c.set(self.0));
    }
}

fn invoke_context<'a, 'b>() -> &'a mut InvokeContext<'b, 'b> {
    let ptr = INVOKE_CONTEXT.with(Cell::get);
    assert!(ptr != 0, "a syscall outside a builtin: no InvokeContext on this thread");
    // SAFETY: set by `invoke_builtin_function` on this thread for the builtin that is running;
    // the runtime keeps the context alive until the builtin returns.
    unsafe { &mut *(ptr as *mut InvokeContext<'b, 'b>) }
}

/// The builtin-function shape the runtime calls, for a host-compiled entrypoint:
/// `native_builtin!(path::to::entry)`.
#[macro_export]
macro_rules! native_builtin {
    ($entry:path) => {{
        let builtin: $crate::native::BuiltinFunctionWithContext = |vm, _a0, _a1, _a2, _a3, _a4| {
            // SAFETY: the runtime passes a pointer into the EbpfVm it built for this call, at
            // the runtime-environment offset (as solana-program-test's `processor!` reads it).
            let vm = unsafe {
                &mut *((vm as *mut u64).offset(-($crate::native::get_runtime_environment_key() as isize))
                    as *mut $crate::native::EbpfVm<$crate::native::InvokeContext>)
            };
            vm.program_result = $crate::native::invoke_builtin_function($entry, vm.context_object_pointer)
                .map_err($crate::native::EbpfError::SyscallError)
                .into();
        };
        builtin
    }};
}

/// Runs `entry` for the current instruction of `context` (see the module's doc).
pub fn invoke_builtin_function(
    entry: ProcessInstruction,
    context: &mut InvokeContext,
) -> Result<u64, Box<dyn std::error::Error>> {
    install_host_syscalls();
    let _context = ContextGuard::set(context);
    // A builtin must consume some units.
    context.consume_checked(1)?;
    let logs = context.get_log_collector();
    let instruction = context.transaction_context.get_current_instruction_context()?;
    let program_id = *instruction.get_program_key()?;
    stable_log::program_invoke(&logs, &program_id, context.get_stack_height());
    let accounts: HashSet<u16> = (0..instruction.get_number_of_instruction_accounts()).collect();
    let mask_rent_epoch = context.get_feature_set().mask_out_rent_epoch_in_vm_serialization;
    // No VM: neither the stricter ABI nor direct mapping applies.
    let (mut input, _regions, _lengths, _data_offset) =
        serialize_parameters(&instruction, false, false, mask_rent_epoch)?;
    // SAFETY: `input` is the SBF input serialization of this instruction and outlives `infos`.
    let (program_key, infos, data) = unsafe { deserialize(&mut input.as_slice_mut()[0] as *mut u8) };

    match std::panic::catch_unwind(AssertUnwindSafe(|| entry(program_key, &infos, data))) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let err = InstructionError::from(u64::from(e));
            stable_log::program_failure(&logs, &program_id, &err);
            return Err(Box::new(err));
        }
        Err(_) => {
            let err = InstructionError::ProgramFailedToComplete;
            stable_log::program_failure(&logs, &program_id, &err);
            return Err(Box::new(err));
        }
    }
    stable_log::program_success(&logs, &program_id);

    // A CPI pushed and popped instruction contexts: read the current one again before writing
    // the accounts back.
    let by_key: HashMap<&Pubkey, &AccountInfo> = infos.iter().map(|a| (a.key, a)).collect();
    let instruction = context.transaction_context.get_current_instruction_context()?;
    for i in accounts {
        let mut account = instruction.try_borrow_instruction_account(i)?;
        if !account.is_writable() {
            continue;
        }
        let Some(info) = by_key.get(account.get_key()) else { continue };
        if account.get_lamports() != info.lamports() {
            account.set_lamports(info.lamports())?;
        }
        if account.can_data_be_resized(info.data_len()).is_ok() {
            account.set_data_from_slice(&info.data.borrow())?;
        }
        if account.get_owner() != info.owner {
            account.set_owner(info.owner.as_ref())?;
        }
    }
    Ok(0)
}

fn install_host_syscalls() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        solana_sysvar::program_stubs::set_syscall_stubs(Box::new(HostSyscalls));
    });
}

/// Copies a sysvar from the runtime's cache to `out`, charging what the syscall charges.
fn copy_sysvar<T: SysvarSerialize + Clone>(sysvar: Result<Arc<T>, InstructionError>, out: *mut u8) -> u64 {
    let context = invoke_context();
    let cost = context.get_execution_cost().sysvar_base_cost + T::size_of() as u64;
    if context.consume_checked(cost).is_err() {
        panic!("exceeded the compute budget reading a sysvar");
    }
    match sysvar {
        // SAFETY: the caller passes a pointer to a `T` (solana-sysvar's `get` does).
        Ok(value) => unsafe {
            *(out as *mut T) = T::clone(&value);
            SUCCESS
        },
        Err(_) => UNSUPPORTED_SYSVAR,
    }
}

/// The syscalls of a host-compiled program, answered from the running builtin's `InvokeContext`.
struct HostSyscalls;

impl solana_sysvar::program_stubs::SyscallStubs for HostSyscalls {
    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let context = invoke_context();
        let logs = context.get_log_collector();
        let caller = *context
            .transaction_context
            .get_current_instruction_context()
            .unwrap()
            .get_program_key()
            .unwrap();
        stable_log::program_invoke(&logs, &instruction.program_id, context.get_stack_height());
        // Bad seeds and a missing account abort the program on chain (the VM stops it; no error
        // comes back to it): a panic here does the same, as program-test's bridge does.
        let signers = signers_seeds
            .iter()
            .map(|seeds| {
                Pubkey::create_program_address(seeds, &caller)
                    .unwrap_or_else(|e| panic!("CPI signer seeds of {caller}: {e}"))
            })
            .collect::<Vec<_>>();
        context.prepare_next_instruction(instruction.clone(), &signers).map_err(program_error)?;

        // The caller's AccountInfo changes go into the runtime's accounts before the callee runs.
        let tx = &context.transaction_context;
        let caller_ix = tx.get_current_instruction_context().map_err(program_error)?;
        let callee_ix = tx.get_next_instruction_context().map_err(program_error)?;
        let mut written_back = Vec::new();
        for meta in callee_ix.instruction_accounts().iter() {
            let key = tx.get_key_of_account_at_index(meta.index_in_transaction).map_err(program_error)?;
            let info_index = account_infos
                .iter()
                .position(|info| info.key == key)
                .unwrap_or_else(|| panic!("CPI to {}: no AccountInfo for {key}", instruction.program_id));
            let info = &account_infos[info_index];
            let in_caller = caller_ix
                .get_index_of_account_in_instruction(meta.index_in_transaction)
                .map_err(program_error)?;
            let mut account = caller_ix.try_borrow_instruction_account(in_caller).map_err(program_error)?;
            if account.get_lamports() != info.lamports() {
                account.set_lamports(info.lamports()).map_err(program_error)?;
            }
            let data = info.try_borrow_data()?;
            match account.can_data_be_resized(data.len()) {
                Ok(()) => account.set_data_from_slice(&data).map_err(program_error)?,
                Err(e) if account.get_data() != *data => return Err(program_error(e)),
                Err(_) => {}
            }
            // The owner last: lamports and data may only change while the caller owns it.
            if account.get_owner() != info.owner {
                account.set_owner(info.owner.as_ref()).map_err(program_error)?;
            }
            if meta.is_writable() {
                written_back.push((meta.index_in_transaction, info_index));
            }
        }

        let mut units = 0;
        context.process_instruction(&mut units, &mut ExecuteTimings::default()).map_err(program_error)?;

        // The callee's changes go back into the caller's AccountInfos.
        let caller_ix =
            context.transaction_context.get_current_instruction_context().map_err(program_error)?;
        for (index_in_transaction, info_index) in written_back {
            let in_caller =
                caller_ix.get_index_of_account_in_instruction(index_in_transaction).map_err(program_error)?;
            let account = caller_ix.try_borrow_instruction_account(in_caller).map_err(program_error)?;
            let info = &account_infos[info_index];
            **info.try_borrow_mut_lamports()? = account.get_lamports();
            if info.owner != account.get_owner() {
                // AccountInfo holds its owner by shared reference; the System program's assign
                // (an account created by CPI) changes it. program-test writes it the same way.
                // SAFETY: the owner lives in the input buffer this builtin owns for the call.
                #[allow(invalid_reference_casting)]
                unsafe {
                    *(info.owner as *const Pubkey as *mut Pubkey) = *account.get_owner();
                }
            }
            let new_data = account.get_data();
            if info.data_len() != new_data.len() {
                info.resize(new_data.len())?;
            }
            info.try_borrow_mut_data()?.copy_from_slice(new_data);
        }
        stable_log::program_success(&logs, &instruction.program_id);
        Ok(())
    }

    fn sol_get_clock_sysvar(&self, out: *mut u8) -> u64 {
        copy_sysvar(invoke_context().get_sysvar_cache().get_clock(), out)
    }

    fn sol_get_epoch_schedule_sysvar(&self, out: *mut u8) -> u64 {
        copy_sysvar(invoke_context().get_sysvar_cache().get_epoch_schedule(), out)
    }

    fn sol_get_epoch_rewards_sysvar(&self, out: *mut u8) -> u64 {
        copy_sysvar(invoke_context().get_sysvar_cache().get_epoch_rewards(), out)
    }

    fn sol_get_rent_sysvar(&self, out: *mut u8) -> u64 {
        copy_sysvar(invoke_context().get_sysvar_cache().get_rent(), out)
    }

    fn sol_get_last_restart_slot(&self, out: *mut u8) -> u64 {
        copy_sysvar(invoke_context().get_sysvar_cache().get_last_restart_slot(), out)
    }

    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        let (program, data) = invoke_context().transaction_context.get_return_data();
        Some((*program, data.to_vec()))
    }

    fn sol_set_return_data(&self, data: &[u8]) {
        let tx = &mut invoke_context().transaction_context;
        let caller = *tx.get_current_instruction_context().unwrap().get_program_key().unwrap();
        tx.set_return_data(caller, data.to_vec()).unwrap();
    }

    fn sol_get_stack_height(&self) -> u64 {
        invoke_context().get_stack_height() as u64
    }
}

/// A runtime error as the program sees a failed CPI.
fn program_error(e: InstructionError) -> ProgramError {
    ProgramError::try_from(e).unwrap_or_else(|e| panic!("a CPI failed with {e:?}, which has no ProgramError"))
}
