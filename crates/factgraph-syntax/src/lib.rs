#![doc = include_str!("../README.md")]

pub mod ast;
mod error;
mod keywords;
mod parser;
mod print;
mod scan;

pub use error::{line_col, ParseError};
pub use keywords::KEYWORDS;
pub use parser::{parse, parse_with, Params, MAX_CHAIN, MAX_INPUT_BYTES, MAX_NESTING};
pub use print::{print, print_expr};
pub use scan::{is_complete, line_states, strip_comments, LineState};
