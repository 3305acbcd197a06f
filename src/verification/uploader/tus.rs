//! The browser's side of tus 1.0: create an upload, ask its offset, send a chunk.
//! Written on `XMLHttpRequest` because `fetch` reports no upload progress; each call
//! becomes a future through a `Promise`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

const VERSION: &str = "1.0.0";
/// A request that makes no progress for this long is taken as a dropped connection:
/// a stalled mobile link may never report an error by itself.
const STALL_MS: f64 = 20_000.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TusError {
    /// The connection failed or dropped: try again.
    Network,
    /// The request was aborted (pause).
    Aborted,
    /// The server answered with this status (and problem body).
    Status(u16, String),
}

/// The request in flight, so that a pause can abort it.
#[derive(Clone, Default)]
pub struct InFlight(Rc<RefCell<Option<XmlHttpRequest>>>);

impl InFlight {
    pub fn abort(&self) {
        if let Some(xhr) = self.0.borrow_mut().take() {
            let _ = xhr.abort();
        }
    }
}

/// Sends `body` and waits for the answer; `on_progress` hears bytes sent so far.
async fn send(
    xhr: XmlHttpRequest,
    body: Option<&Blob>,
    in_flight: &InFlight,
    on_progress: Option<Box<dyn Fn(f64)>>,
) -> Result<XmlHttpRequest, TusError> {
    let outcome: Rc<RefCell<Option<TusError>>> = Rc::default();
    let last_progress = Rc::new(Cell::new(js_sys::Date::now()));
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let done = Closure::<dyn FnMut()>::new({
            let resolve = resolve.clone();
            move || {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let failed = Closure::<dyn FnMut()>::new({
            let resolve = resolve.clone();
            let outcome = outcome.clone();
            move || {
                outcome.borrow_mut().get_or_insert(TusError::Network);
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let aborted = Closure::<dyn FnMut()>::new({
            let outcome = outcome.clone();
            move || {
                // A stall the watchdog cut is a network failure, not a pause.
                outcome.borrow_mut().get_or_insert(TusError::Aborted);
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        xhr.set_onload(Some(done.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
        xhr.set_ontimeout(Some(failed.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(aborted.as_ref().unchecked_ref()));
        // The closures live as long as the request.
        done.forget();
        failed.forget();
        aborted.forget();
    });
    if let Ok(upload) = xhr.upload() {
        let last = last_progress.clone();
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            last.set(js_sys::Date::now());
            if let Some(report) = &on_progress {
                report(e.loaded());
            }
        });
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        progress.forget();
    }
    let watchdog = Closure::<dyn FnMut()>::new({
        let (xhr, outcome, last) = (xhr.clone(), outcome.clone(), last_progress.clone());
        move || {
            if js_sys::Date::now() - last.get() > STALL_MS && outcome.borrow().is_none() {
                *outcome.borrow_mut() = Some(TusError::Network);
                let _ = xhr.abort();
            }
        }
    });
    let watchdog_id = web_sys::window().and_then(|w| {
        w.set_interval_with_callback_and_timeout_and_arguments_0(
            watchdog.as_ref().unchecked_ref(),
            2000,
        )
        .ok()
    });
    *in_flight.0.borrow_mut() = Some(xhr.clone());
    let sent = match body {
        Some(blob) => xhr.send_with_opt_blob(Some(blob)),
        None => xhr.send(),
    };
    if sent.is_err() {
        return Err(TusError::Network);
    }
    let _ = JsFuture::from(promise).await;
    if let (Some(w), Some(id)) = (web_sys::window(), watchdog_id) {
        w.clear_interval_with_handle(id);
    }
    drop(watchdog);
    in_flight.0.borrow_mut().take();
    if let Some(error) = outcome.borrow_mut().take() {
        return Err(error);
    }
    let status = xhr.status().unwrap_or(0);
    if (200..300).contains(&status) {
        Ok(xhr)
    } else if status == 0 {
        Err(TusError::Network)
    } else {
        Err(TusError::Status(
            status,
            xhr.response_text().ok().flatten().unwrap_or_default(),
        ))
    }
}

fn request(method: &str, url: &str) -> Result<XmlHttpRequest, TusError> {
    let xhr = XmlHttpRequest::new().map_err(|_| TusError::Network)?;
    xhr.open(method, url).map_err(|_| TusError::Network)?;
    xhr.set_request_header("Tus-Resumable", VERSION)
        .map_err(|_| TusError::Network)?;
    Ok(xhr)
}

/// Byte counts are whole numbers, held in the `f64` the browser's `File` and `Blob` use;
/// they travel as integers, since formatting or parsing them as floats would bring
/// Rust's float formatting and parsing (some 20 KB of Wasm) for nothing.
fn bytes(count: f64) -> String {
    (count as u64).to_string()
}

fn parse_bytes(header: &str) -> Option<f64> {
    header.parse::<u64>().ok().map(|count| count as f64)
}

fn header(xhr: &XmlHttpRequest, name: &str) -> Option<String> {
    xhr.get_response_header(name).ok().flatten()
}

/// Creates an upload of `length` bytes for a verification case; returns its URL.
pub async fn create(
    case_id: &str,
    length: f64,
    file_name: &str,
    file_type: &str,
) -> Result<String, TusError> {
    // btoa takes Latin-1 only: every value here is ASCII (non-ASCII is dropped from names).
    let b64 = |s: &str| {
        web_sys::window()
            .and_then(|w| w.btoa(s).ok())
            .unwrap_or_default()
    };
    let ascii_name: String = file_name.chars().filter(char::is_ascii).collect();
    let metadata = format!(
        "verification_id {},filename {},filetype {}",
        b64(case_id),
        b64(&ascii_name),
        b64(file_type)
    );
    let xhr = request("POST", super::super::api::UPLOADS)?;
    xhr.set_request_header("Upload-Length", &bytes(length))
        .map_err(|_| TusError::Network)?;
    xhr.set_request_header("Upload-Metadata", &metadata)
        .map_err(|_| TusError::Network)?;
    let xhr = send(xhr, None, &InFlight::default(), None).await?;
    header(&xhr, "Location").ok_or(TusError::Status(201, String::new()))
}

/// The offset the server holds; `None` when the upload is gone.
pub async fn offset(url: &str) -> Result<Option<f64>, TusError> {
    let xhr = request("HEAD", url)?;
    match send(xhr, None, &InFlight::default(), None).await {
        Ok(xhr) => Ok(header(&xhr, "Upload-Offset").and_then(|o| parse_bytes(&o))),
        Err(TusError::Status(404 | 410, _)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Sends `chunk` at `offset`; returns the new offset.
pub async fn patch(
    url: &str,
    offset: f64,
    chunk: &Blob,
    in_flight: &InFlight,
    on_progress: Box<dyn Fn(f64)>,
) -> Result<f64, TusError> {
    let xhr = request("PATCH", url)?;
    xhr.set_request_header("Content-Type", "application/offset+octet-stream")
        .map_err(|_| TusError::Network)?;
    xhr.set_request_header("Upload-Offset", &bytes(offset))
        .map_err(|_| TusError::Network)?;
    let xhr = send(xhr, Some(chunk), in_flight, Some(on_progress)).await?;
    header(&xhr, "Upload-Offset")
        .and_then(|o| parse_bytes(&o))
        .ok_or(TusError::Status(204, String::new()))
}
