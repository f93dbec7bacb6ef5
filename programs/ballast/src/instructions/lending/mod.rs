//! Token movements by the owner (or delegate): deposit, withdraw, borrow, repay, and the accounts they share (`TokenMove`).

pub mod borrow;
pub mod deposit;
pub mod repay;
pub mod token_accounts;
pub mod withdraw;

pub use borrow::*;
pub use deposit::*;
pub use repay::*;
pub use token_accounts::*;
pub use withdraw::*;
