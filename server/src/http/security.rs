//! The headers for a browser's safety: on every answer a strict Content Security Policy
//! (each page's allows its own inline scripts, and the app and the console run under it
//! with no violation; an answer that is not a page nor the worker gets one that allows
//! nothing), no sniffing and HSTS behind https; on pages, the worker and API answers no
//! framing and no Referer (capability links such as `/claims/{id}` must not leak); API
//! answers are not stored by caches unless a route says otherwise; pre-compressed
//! assets vary by `Accept-Encoding`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use care_rules::Journey;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

#[derive(Clone)]
pub struct SecurityHeaders {
    /// The policy of each journey's page (`care_rules::Journey`).
    journeys: Vec<(Journey, HeaderValue)>,
    /// The staff console's.
    staff: HeaderValue,
    hsts: Option<HeaderValue>,
}

impl SecurityHeaders {
    /// The policies of the apps built in `web_dir` (each journey's page and the
    /// console's): a page's inline loader scripts and style are allowed by hash, computed
    /// now because every build writes new loaders. Each page allows only its own, so a
    /// page's policy is not the 8 hashes of them all (350 bytes more per page).
    /// `payment_origins`, when online payment is on, are the provider's script and API
    /// (Stripe.js loads from one, talks to the other and frames its card field).
    pub fn new(web_dir: &Path, https: bool, payment_origins: &[String]) -> SecurityHeaders {
        let policy = |page: &str| policy(&web_dir.join(page), payment_origins);
        SecurityHeaders {
            journeys: Journey::ALL
                .iter()
                .map(|&journey| (journey, policy(&journey.page())))
                .collect(),
            staff: policy("staff/index.html"),
            hsts: https.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
        }
    }

    /// The policy of the page at `path`: the console's under `/staff`, else its
    /// journey's (the home page's for an address no journey claims, as web.rs serves).
    fn page(&self, path: &str) -> HeaderValue {
        if path == "/staff" || path.starts_with("/staff/") {
            return self.staff.clone();
        }
        let journey = Journey::for_path(path);
        self.journeys
            .iter()
            .find(|(j, _)| *j == journey)
            .map_or_else(|| self.staff.clone(), |(_, policy)| policy.clone())
    }
}

/// The policy of the built page at `page`.
fn policy(page: &Path, payment_origins: &[String]) -> HeaderValue {
    let html = std::fs::read_to_string(page).unwrap_or_default();
    let mut scripts: Vec<String> = inline(&html, "script").map(hash).collect();
    let mut styles: Vec<String> = inline(&html, "style").map(hash).collect();
    for hashes in [&mut scripts, &mut styles] {
        hashes.sort();
        hashes.dedup();
    }
    let payment: String = payment_origins.iter().map(|o| format!(" {o}")).collect();
    let frames = if payment_origins.is_empty() {
        String::new()
    } else {
        format!("; frame-src{payment}")
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}{payment}; style-src 'self'{}; \
         img-src 'self' data:; media-src 'self' blob:; connect-src 'self'{payment}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'{frames}",
        sources(&scripts),
        sources(&styles),
    );
    HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'self'"))
}

fn sources(hashes: &[String]) -> String {
    hashes.iter().map(|h| format!(" '{h}'")).collect()
}

fn hash(content: &str) -> String {
    format!(
        "sha256-{}",
        STANDARD.encode(Sha256::digest(content.as_bytes()))
    )
}

/// The contents of the inline `<tag>` elements of a page (those without `src`).
fn inline<'a>(html: &'a str, tag: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find(&open)?;
            let after = &rest[start + open.len()..];
            let head_end = after.find('>')?;
            let head = &after[..head_end];
            // `<scripts>` is another element: look on after its name.
            if !(head.is_empty() || head.starts_with([' ', '\t', '\n'])) {
                rest = after;
                continue;
            }
            let body = &after[head_end + 1..];
            let end = body.find(&close)?;
            rest = &body[end + close.len()..];
            if !head.contains("src=") {
                return Some(&body[..end]);
            }
        }
    })
}

/// The policy of an answer that is no page: nothing may load or run in it.
pub const NOTHING: &str = "default-src 'none'; frame-ancestors 'none'";

/// The offline worker's policy: it fetches from its own origin, nothing else.
pub const WORKER: &str = "default-src 'self'";

/// Whether the answer is a page a browser renders as a document (an error answer
/// without a type counts, to be safe).
fn is_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_none_or(|t| t.starts_with("text/html"))
}

fn set_if_absent(headers: &mut HeaderMap, name: header::HeaderName, value: HeaderValue) {
    headers.entry(name).or_insert(value);
}

pub async fn add(
    State(security): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api");
    let worker = request.uri().path() == "/sw.js";
    let page = security.page(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A policy governs only what runs a document: a page, or a worker by its own script.
    // Scripts, Wasm, icons and JSON are not run as one, so they get the policy that
    // allows nothing (should one be opened as a page) in 45 bytes instead of the
    // app's 700, which every asset and API answer of a first visit carried; the worker
    // gets its own short one.
    let document = is_page(headers);
    let policy = if worker {
        // The worker only fetches from its own origin.
        HeaderValue::from_static(WORKER)
    } else if document {
        page
    } else {
        HeaderValue::from_static(NOTHING)
    };
    set_if_absent(headers, header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Framing and the Referer are a document's (and the worker's fetches'): a script,
    // Wasm or icon is neither framed nor fetches with its own policy (the app's bundled
    // module imports nothing), so they go without these 52 bytes. API answers keep
    // them, as they always have.
    if document || worker || api {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if let Some(hsts) = &security.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
    }
    if api {
        // Claims, cases, staff and owners' answers carry personal data.
        set_if_absent(
            headers,
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    } else {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{hash, inline};

    #[test]
    fn finds_the_inline_scripts_and_styles_only() {
        let html = "<script src=/a.js></script><script type=module>import x;</script>\
                    <style>p{}</style><scripts>no</scripts><script>\nb()</script>";
        assert_eq!(
            inline(html, "script").collect::<Vec<_>>(),
            ["import x;", "\nb()"]
        );
        assert_eq!(inline(html, "style").collect::<Vec<_>>(), ["p{}"]);
        // The CSP hash of `alert(1)`, as browsers compute it.
        assert_eq!(
            hash("alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }
}
