//! Serving the built browser app: files from Trunk's output, the pre-compressed
//! variants (brotli, gzip) when the browser accepts them, and for every client route
//! the page of the bundle its journey is built in (`care_rules::journey`).

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use care_rules::Journey;
use std::convert::Infallible;
use std::path::Path;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;
use tower_http::services::{ServeDir, ServeFile};

/// The owners' app at `/`, one bundle per journey, and the staff console (a separate
/// bundle) under `/staff`.
pub fn app(web_dir: &Path) -> Router {
    let pages: Vec<(Journey, ServeFile)> = Journey::ALL
        .iter()
        .map(|&journey| (journey, page(&web_dir.join(journey.page()))))
        .collect();
    let journey_page = tower::service_fn(move |request: Request| {
        let journey = Journey::for_path(request.uri().path());
        let file = pages
            .iter()
            .find(|(j, _)| *j == journey)
            .map(|(_, file)| file.clone());
        async move {
            match file {
                Some(file) => file.oneshot(request).await.map(IntoResponse::into_response),
                None => Ok::<_, Infallible>(StatusCode::NOT_FOUND.into_response()),
            }
        }
    });
    Router::new()
        .nest_service(
            "/staff",
            files(
                &web_dir.join("staff"),
                page(&web_dir.join("staff/index.html")),
            ),
        )
        .fallback_service(files(web_dir, journey_page))
        .layer(middleware::from_fn(cache_policy))
}

/// A built page, pre-compressed.
fn page(path: &Path) -> ServeFile {
    ServeFile::new(path).precompressed_br().precompressed_gzip()
}

/// A folder of built files, and `fallback` for every other address (a client route).
fn files<F>(dir: &Path, fallback: F) -> ServeDir<BoxCloneSyncService<Request, Response, Infallible>>
where
    F: tower::Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
    F::Response: IntoResponse,
    F::Future: Send + 'static,
{
    let fallback = BoxCloneSyncService::new(fallback.map_response(IntoResponse::into_response));
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(fallback)
}

/// Trunk puts a content hash in every asset's name (`app-0123abcd….js`): those never
/// change and are cached for a year. The icon is kept a day (the page and the offline
/// worker both ask for it on a first visit; an old icon for a day harms nobody).
/// Everything else, index.html above all, is revalidated, so a new build is picked up
/// at once.
async fn cache_policy(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let ok = response.status().is_success();
    // By what was served: an unknown `/x.svg` gets the home page, which is revalidated.
    let icon = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"image/"));
    let policy = if hashed && ok {
        "public, max-age=31536000, immutable"
    } else if icon && ok {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    if hashed && ok {
        // Never revalidated, and fetched whole: its date and range support are 65
        // bytes of every first visit's Wasm and JS that nothing reads.
        headers.remove(header::LAST_MODIFIED);
        headers.remove(header::ACCEPT_RANGES);
    }
    response
}

/// Whether the file name ends in `-<8 or more hex digits>` (Trunk writes a 64-bit hash
/// without leading zeros; then maybe `_bg`, as
/// wasm-bindgen names the Wasm file) before its extension.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    // A file name has an extension; a client route such as `/claims/CR-ABCD2345` (whose
    // claim number looks like a hash) does not, and gets its page revalidated.
    let Some((stem, _extension)) = name.split_once('.') else {
        return false;
    };
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
        assert!(!is_hashed("/claims/CR-ABCD2345"));
        assert!(!is_hashed("/verification/0123abcd-0123abcd"));
    }
}
