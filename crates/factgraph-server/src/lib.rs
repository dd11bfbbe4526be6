//! factgraph over HTTP: one store served to many clients — concurrent readers and one
//! writer at a time — as a JSON API (`docs/server.md`) and a browser view.
//!
//! The server knows nothing of the terminal: the CLI's `serve` subcommand opens the
//! store, builds a [`Config`] and calls [`Server::bind`]. Queries run on tokio's
//! blocking pool, since the engine's work is synchronous and CPU-bound: a long query
//! holds one thread and never the event loop, so point questions keep being answered
//! beside it (`docs/ARCHITECTURE.md` says why axum on tokio).

mod api;
mod assets;
mod client;
mod error;
mod subgraph;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use factgraph::{Graph, Limits};

pub use client::{Client, Health, RemoteError, Schema, Source};
pub use error::{ApiError, ServerError};

/// How a server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen. Port 0 picks a free one ([`Server::local_addr`] tells which).
    pub bind: SocketAddr,
    /// The bearer token writes need. `None` refuses every write, unless the caller
    /// makes one with [`random_token`] (the CLI does, and writes it beside the store).
    pub token: Option<String>,
    /// Refuse every write, whatever the token.
    pub read_only: bool,
    /// The most a request may ask for (rows, hops, depth, time); requests may ask for
    /// less.
    pub limits: Limits,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// Origins allowed to call the API from a browser page of their own (CORS); none
    /// by default.
    pub cors: Vec<String>,
    /// Queries running at once; more wait their turn.
    pub max_running: usize,
}

impl Config {
    /// A loopback server on a free port, with the default limits and no token.
    pub fn loopback() -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            token: None,
            read_only: false,
            limits: Limits { deadline: Some(Duration::from_secs(30)), ..Limits::default() },
            max_body: 1 << 20,
            cors: Vec::new(),
            max_running: 64,
        }
    }
}

/// A token of 32 random hex digits (128 bits), for a server whose user gave none.
pub fn random_token() -> Result<String, ServerError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::Token(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A server bound to its address, not yet serving.
pub struct Server {
    listener: std::net::TcpListener,
    runtime: tokio::runtime::Runtime,
    state: Arc<api::State>,
}

impl Server {
    /// Checks the configuration and binds the address. Binding to anything but
    /// loopback without a token is refused: the API would be open to the network
    /// with nothing to stop writes or tell users apart.
    pub fn bind(graph: Arc<Graph>, config: Config) -> Result<Server, ServerError> {
        if !config.bind.ip().is_loopback() && config.token.is_none() {
            return Err(ServerError::OpenWithoutToken(config.bind));
        }
        if config.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(ServerError::Token("the token is empty".to_owned()));
        }
        let listener = std::net::TcpListener::bind(config.bind)
            .map_err(|source| ServerError::Bind { addr: config.bind, source })?;
        listener.set_nonblocking(true).map_err(|source| ServerError::Bind { addr: config.bind, source })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("factgraph-serve")
            .build()
            .map_err(ServerError::Runtime)?;
        let state = Arc::new(api::State::new(graph, config));
        Ok(Server { listener, runtime, state })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.config.bind)
    }

    /// Serves until `shutdown` completes, then lets running requests finish.
    pub fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let Server { listener, runtime, state } = self;
        let addr = listener.local_addr().unwrap_or(state.config.bind);
        runtime.block_on(async move {
            let listener =
                tokio::net::TcpListener::from_std(listener).map_err(|source| ServerError::Bind { addr, source })?;
            let app = api::router(state);
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(|source| ServerError::Bind { addr, source })
        })
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub fn run(self) -> Result<(), ServerError> {
        self.run_then(|| {})
    }

    /// Serves until Ctrl-C or SIGTERM, calling `ready` once both are caught: what
    /// `ready` announces (the address, for other processes) can then be answered by
    /// a signal without killing the process before it cleans up. (The handlers were
    /// installed only when serving began, so a SIGTERM sent right after the
    /// announcement could end the process at once.)
    pub fn run_then(self, ready: impl FnOnce()) -> Result<(), ServerError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let caught = {
                let _in = self.runtime.enter();
                (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
            };
            ready();
            self.run_until(async move {
                match caught {
                    (Ok(mut term), Ok(mut int)) => {
                        tokio::select! {
                            _ = term.recv() => {}
                            _ = int.recv() => {}
                        }
                    }
                    _ => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            })
        }
        #[cfg(not(unix))]
        {
            ready();
            self.run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
        }
    }

    /// Serves on a thread of its own until [`Running::stop`] (or until dropped).
    pub fn spawn(self) -> Running {
        let addr = self.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("factgraph-serve".to_owned())
            .spawn(move || {
                self.run_until(async move {
                    let _ = stopped.await;
                })
            })
            .ok();
        Running { addr, stop: Some(stop), thread }
    }
}

/// A server serving on its own thread; see [`Server::spawn`].
pub struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServerError>>>,
}

impl Running {
    /// Its address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops it and waits for running requests to finish.
    pub fn stop(mut self) -> Result<(), ServerError> {
        self.shut()
    }

    fn shut(&mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(ServerError::Panicked),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shut();
    }
}
