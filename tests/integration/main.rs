//! Integration tests: signed transactions against the Ballast program in solana-program-test.

mod adversarial;
mod bad_inputs;
mod factors;
mod futures;
mod fuzz;
mod governance;
mod lending;
mod liquidation;
mod margin;
mod markets;
mod options;
mod oracles;
