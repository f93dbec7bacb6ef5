//! How much of the heap an instruction has used so far, for measurement
//! (`scripts/sbf/liquidation16.sh` reads the `heap used:` line the liquidate handler logs).
//!
//! The program runs with the entrypoint's default bump allocator
//! (`solana_program_entrypoint::BumpAllocator` over `HEAP_START_ADDRESS`, `HEAP_LENGTH` = 32 KiB):
//! it hands out memory from the top of the region downward and keeps the lowest address handed
//! out in the first `usize` of the region (0 until the first allocation). Nothing is ever freed,
//! so the distance from the top to that address is the high-water mark.
//!
//! A `RequestHeapFrame` larger than 32 KiB does not help this allocator: its length is fixed at
//! 32 KiB, so it returns null (and the program aborts) past that whatever the frame.

/// Start of the program heap region in the SBF virtual machine.
pub const HEAP_START: usize = 0x3_0000_0000;
/// The default allocator's length (the runtime's default heap frame).
pub const HEAP_LENGTH: usize = 32 * 1024;

/// Bytes of heap the bump allocator has handed out so far in this instruction.
#[cfg(target_os = "solana")]
pub fn heap_used() -> usize {
    // SAFETY: the first usize of the heap region is the allocator's own position word, always
    // mapped and initialised (zero) by the runtime; reading it does not disturb the allocator.
    let pos = unsafe { core::ptr::read_volatile(HEAP_START as *const usize) };
    if pos == 0 {
        0
    } else {
        (HEAP_START + HEAP_LENGTH).saturating_sub(pos)
    }
}

/// Off chain the host allocator is in use: nothing to measure.
#[cfg(not(target_os = "solana"))]
pub fn heap_used() -> usize {
    0
}
