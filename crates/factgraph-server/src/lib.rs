//! factgraph over HTTP: one store served to many clients — concurrent readers and one
//! writer at a time — as a JSON API (`docs/server.md`) and a browser view.
//!
//! The server knows nothing of the terminal: the CLI's `serve` subcommand opens the
//! store, builds a [`Config`] and calls [`Server::bind`].

mod assets;
