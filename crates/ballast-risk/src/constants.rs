//! The engine's constants, declared once. The program has its own module for program limits
//! (`ballast::constants`); neither re-declares these.

/// One basis point is 1/10_000.
pub const BPS_DENOMINATOR: u32 = 10_000;

/// One part per million is 1/1_000_000.
pub const PPM_DENOMINATOR: u32 = 1_000_000;

/// Seconds in the 365-day year that rates and volatilities are annualised over.
pub const SECONDS_PER_YEAR: i64 = 31_536_000;

/// Decimals of the quote unit that values are expressed in (micro-USD).
pub const QUOTE_DECIMALS: i32 = 6;

/// Correlation groups a group can define (group ids 1..=8; 0 is none).
pub const MAX_CORRELATION_GROUPS: usize = 8;
