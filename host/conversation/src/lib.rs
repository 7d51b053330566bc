//! statbox's conversation layer, shared by the terminal chat and the Telegram bot.
//!
//! So far: [`parser`], which turns a plain-language request ("Show correlation between
//! sales and profit") into an analysis with a confidence score.

pub mod conversation;
pub mod parser;
pub mod store;

pub use conversation::{Conversation, Input, Reply, slug};
pub use parser::{Intent, ParseError, Parsed, examples, parse};
pub use store::SessionStore;
