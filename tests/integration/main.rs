//! Integration tests: signed transactions against the Ballast program in solana-program-test.

mod bad_inputs;
mod factors;
mod lending;
mod liquidation;
mod margin;
mod oracles;
