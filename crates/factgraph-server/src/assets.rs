//! The browser view's files, built into the binary so that `factgraph serve` needs
//! nothing beside it (and no CDN): the page, its script and style, and the vendored
//! graph library with its licence.

/// A file of the browser view: its content type and bytes.
pub struct Asset {
    /// The `Content-Type` it is served with.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $type:literal) => {
        ($path, Asset { content_type: $type, bytes: include_bytes!(concat!("../web/", $path)) })
    };
}

/// Every file under `web/`, by its path there (`index.html` is served at `/`, the
/// others under `/assets/`).
const ASSETS: &[(&str, Asset)] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("vendor/cytoscape.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/LICENSE-cytoscape.txt", "text/plain; charset=utf-8"),
    asset!("vendor/README.md", "text/markdown; charset=utf-8"),
];

/// The asset at `path` (relative to `web/`), if there is one.
pub fn asset(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|(p, _)| *p == path).map(|(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_by_its_path_and_nothing_else_is() {
        assert!(asset("index.html").is_some_and(|a| a.content_type.starts_with("text/html")));
        assert!(asset("app.js").is_some());
        assert!(asset("../Cargo.toml").is_none());
        assert!(asset("").is_none());
    }
}
