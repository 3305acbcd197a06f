//! Serving the built browser app: files from Trunk's output, the pre-compressed
//! variants (brotli, gzip) when the browser accepts them, and `index.html` for every
//! client route.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The owners' app at `/`, and the staff console (a separate bundle) under `/staff`.
pub fn app(web_dir: &Path) -> Router {
    Router::new()
        .nest_service("/staff", spa(&web_dir.join("staff")))
        .fallback_service(spa(web_dir))
        .layer(middleware::from_fn(cache_policy))
}

/// A single-page app's files, with its `index.html` for every client route.
fn spa(dir: &Path) -> ServeDir<ServeFile> {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index)
}

/// Trunk puts a content hash in every asset's name (`app-0123abcd….js`): those never
/// change and are cached for a year. Everything else, index.html above all, is
/// revalidated, so a new build is picked up at once.
async fn cache_policy(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let policy = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Whether the file name ends in `-<8 or more hex digits>` (Trunk writes a 64-bit hash
/// without leading zeros; then maybe `_bg`, as
/// wasm-bindgen names the Wasm file) before its extension.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-').is_some_and(|(_, tail)| {
        let hash = tail.strip_suffix("_bg").unwrap_or(tail);
        hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed("/care-portal-7b44c32392703277_bg.wasm"));
        assert!(is_hashed("/care-portal-7b44c32392703277.js"));
        assert!(is_hashed("/main-e5dda4f91822c6d2.css"));
        assert!(is_hashed("/staff/care-portal-382a2e0aacfb38a_bg.wasm"));
        assert!(!is_hashed("/care-refresh-logo.svg"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/favicon.svg"));
        assert!(!is_hashed("/activate"));
    }
}
