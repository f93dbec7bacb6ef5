//! Compute-unit probes: where an instruction's units go, stage by stage.
//!
//! `cu_probe!("stage")` logs `cu: stage` and then the runtime's remaining compute units
//! (`sol_log_compute_units`), in an SBF build with the `cu-probes` feature only; everywhere else
//! it expands to nothing, so the deploy build and the host builds carry no trace of it.
//! `scripts/sbf/probes.sh` builds the program with the feature, runs the LiteSVM benchmark and
//! turns the log into a table per stage (the units between a probe and the one before it, less
//! the probes' own cost, summed over every time the stage ran).

#[cfg(all(feature = "cu-probes", target_os = "solana"))]
extern "C" {
    fn sol_log_compute_units_();
}

/// Logs the remaining compute units (see the module doc).
#[cfg(all(feature = "cu-probes", target_os = "solana"))]
#[inline(never)]
pub fn log_compute_units() {
    // SAFETY: a syscall with no arguments, no memory access.
    unsafe { sol_log_compute_units_() }
}

/// `cu_probe!("stage")`: logs `cu: stage` and the remaining compute units in a `cu-probes` SBF
/// build; nothing otherwise.
#[macro_export]
macro_rules! cu_probe {
    ($stage:literal) => {{
        #[cfg(all(feature = "cu-probes", target_os = "solana"))]
        {
            ::anchor_lang::solana_program::log::sol_log(concat!("cu: ", $stage));
            $crate::cu::log_compute_units();
        }
    }};
}
