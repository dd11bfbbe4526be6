#![doc = include_str!("../README.md")]

pub mod ast;
mod error;
mod parser;
mod print;

pub use error::{line_col, ParseError};
pub use parser::{parse, MAX_CHAIN, MAX_INPUT_BYTES, MAX_NESTING};
pub use print::print;
