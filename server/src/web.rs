//! Serving the built browser app: files from Trunk's output, the pre-compressed
//! variants when the browser accepts them, and `index.html` for every client route.

use axum::Router;
use axum::http::{HeaderValue, header};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn app(web_dir: &Path) -> Router {
    let index = ServeFile::new(web_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(web_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    // Asset names carry a content hash, but index.html does not: make browsers
    // revalidate so a new build is picked up at once.
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
