//! Instructions grouped by who sends them; one file per instruction: its Accounts struct and its
//! handler.

pub mod account;
pub mod crank;
pub mod derivatives;
pub mod governance;
pub mod lending;
pub mod liquidation;
pub mod view;

pub use account::*;
pub use crank::*;
pub use derivatives::*;
pub use governance::*;
pub use lending::*;
pub use liquidation::*;
pub use view::*;
