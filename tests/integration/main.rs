//! Integration tests: signed transactions against the Ballast program in solana-program-test.

mod bad_inputs;
mod lending;
mod liquidation;
mod margin;
mod oracles;
