//! The video upload: checks the file (type, size, duration from the browser's own
//! metadata) before sending, then sends it with tus in chunks with a progress bar,
//! speed and time left, pause and resume, automatic retry after a dropped connection,
//! and resume after a reload (the upload's URL is kept in localStorage, and the same
//! file is asked for again).

use crate::components::field::{FieldNotes, described_by};
use crate::format::{duration, lang, left, size};
use crate::i18n::*;
use crate::tus::{self, InFlight, TusError};
use care_rules::Timestamp;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::File;

pub const MAX_BYTES: f64 = 2_147_483_648.0;
pub const MIN_SECONDS: f64 = 15.0;
pub const MAX_SECONDS: f64 = 600.0;
/// 8 MiB: big enough to be fast, small enough that a drop loses little.
const CHUNK: f64 = 8.0 * 1024.0 * 1024.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    WrongType,
    TooLarge,
    TooShort,
    TooLong,
}

/// The checks a file must pass before it is sent. `duration` is `None` when the
/// browser cannot read the video's metadata (a codec it lacks): then the server's
/// container check decides.
pub fn check_file(
    name: &str,
    mime: &str,
    bytes: f64,
    duration: Option<f64>,
) -> Result<(), FileProblem> {
    let lower = name.to_ascii_lowercase();
    let video = matches!(mime, "video/mp4" | "video/quicktime")
        || (mime.is_empty() && (lower.ends_with(".mp4") || lower.ends_with(".mov")));
    if !video {
        return Err(FileProblem::WrongType);
    }
    if bytes > MAX_BYTES {
        return Err(FileProblem::TooLarge);
    }
    match duration {
        Some(d) if d < MIN_SECONDS => Err(FileProblem::TooShort),
        Some(d) if d > MAX_SECONDS => Err(FileProblem::TooLong),
        _ => Ok(()),
    }
}

/// What is kept across a reload to resume an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub url: String,
    pub name: String,
    pub size: f64,
    pub modified: f64,
}

fn storage_key(case_id: &str) -> String {
    format!("care-upload:{case_id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub fn load_saved(case_id: &str) -> Option<Saved> {
    let text = storage()?.get_item(&storage_key(case_id)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

fn save(case_id: &str, saved: &Saved) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(saved)) {
        let _ = s.set_item(&storage_key(case_id), &text);
    }
}

fn forget(case_id: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&storage_key(case_id));
    }
}

fn identity(file: &File, url: &str) -> Saved {
    Saved {
        url: url.to_owned(),
        name: file.name(),
        size: file.size(),
        modified: file.last_modified(),
    }
}

/// Waits before attempt number `attempt` (1, 2, 4, 8, 15, then 30 s), counting down
/// in the page; a pause cuts the wait short.
async fn retry_wait(phase: RwSignal<Phase>, attempt: u32) {
    let seconds = [1u32, 2, 4, 8, 15, 30][(attempt.max(1) as usize - 1).min(5)];
    for left in (1..=seconds).rev() {
        if !matches!(phase.get_untracked(), Phase::Sending | Phase::Retrying(_)) {
            return;
        }
        phase.set(Phase::Retrying(left));
        sleep(1000).await;
    }
    if matches!(phase.get_untracked(), Phase::Retrying(_)) {
        phase.set(Phase::Sending);
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The video's length from the browser's own metadata, or `None` if it cannot read it.
async fn video_duration(file: &File) -> Option<f64> {
    let document = web_sys::window()?.document()?;
    let video: web_sys::HtmlVideoElement =
        document.create_element("video").ok()?.dyn_into().ok()?;
    let url = web_sys::Url::create_object_url_with_blob(file).ok()?;
    video.set_preload("metadata");
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let ok = Closure::once_into_js({
            let resolve = resolve.clone();
            move || resolve.call0(&JsValue::TRUE)
        });
        let failed = Closure::once_into_js({
            let resolve = resolve.clone();
            move || resolve.call0(&JsValue::FALSE)
        });
        video.set_onloadedmetadata(Some(ok.unchecked_ref()));
        video.set_onerror(Some(failed.unchecked_ref()));
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                failed.unchecked_ref(),
                5000,
            );
        }
    });
    video.set_src(&url);
    let loaded = wasm_bindgen_futures::JsFuture::from(promise).await.ok()? == JsValue::TRUE;
    let _ = web_sys::Url::revoke_object_url(&url);
    let seconds = video.duration();
    (loaded && seconds.is_finite()).then_some(seconds)
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    Sending,
    Paused,
    Retrying(u32),
    Done,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Checked {
    Nothing,
    Checking,
    Ready {
        name: String,
        bytes: f64,
        seconds: Option<f64>,
    },
    Problem(FileProblem),
    /// Another file than the one whose upload was interrupted.
    OtherFile,
}

#[component]
pub fn Uploader(
    #[prop(into)] case_id: String,
    /// The server's unfinished upload for this case, if any (to resume).
    #[prop(into)]
    resume: Option<care_rules::api::UploadProgress>,
    /// Called when the whole file has arrived.
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let file = RwSignal::new_local(None::<File>);
    let checked = RwSignal::new(Checked::Nothing);
    let phase = RwSignal::new(Phase::Idle);
    let sent = RwSignal::new(0.0f64);
    let total = RwSignal::new(0.0f64);
    let speed = RwSignal::new(0.0f64);
    let in_flight = StoredValue::new_local(InFlight::default());
    let saved = load_saved(&case_id).filter(|s| resume.as_ref().is_some_and(|r| r.url == s.url));
    let case = StoredValue::new(case_id);

    let on_file = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(chosen) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        checked.set(Checked::Checking);
        phase.set(Phase::Idle);
        spawn_local(async move {
            let seconds = video_duration(&chosen).await;
            let result = check_file(&chosen.name(), &chosen.type_(), chosen.size(), seconds);
            let interrupted = load_saved(&case.get_value());
            checked.set(match result {
                Err(problem) => Checked::Problem(problem),
                Ok(())
                    if interrupted.as_ref().is_some_and(|s| {
                        s.name != chosen.name()
                            || s.size != chosen.size()
                            || s.modified != chosen.last_modified()
                    }) =>
                {
                    Checked::OtherFile
                }
                Ok(()) => Checked::Ready {
                    name: chosen.name(),
                    bytes: chosen.size(),
                    seconds,
                },
            });
            total.set(chosen.size());
            file.set(Some(chosen));
        });
    };

    // Sends the file to its end, or until paused or refused.
    let send = move || {
        let Some(chosen) = file.get_untracked() else {
            return;
        };
        let case_id = case.get_value();
        phase.set(Phase::Sending);
        spawn_local(async move {
            let mut attempt: u32 = 0;
            let mut url = load_saved(&case_id).map(|s| s.url);
            loop {
                if phase.get_untracked() != Phase::Sending {
                    return;
                }
                let current = match &url {
                    Some(u) => u.clone(),
                    None => {
                        match tus::create(&case_id, chosen.size(), &chosen.name(), &chosen.type_())
                            .await
                        {
                            Ok(created) => {
                                save(&case_id, &identity(&chosen, &created));
                                url = Some(created.clone());
                                created
                            }
                            Err(TusError::Status(status, _)) => {
                                phase.set(Phase::Failed(status_message(i18n, status)));
                                return;
                            }
                            Err(_) => {
                                attempt += 1;
                                retry_wait(phase, attempt).await;
                                continue;
                            }
                        }
                    }
                };
                let offset = match tus::offset(&current).await {
                    Ok(Some(offset)) => offset,
                    Ok(None) => {
                        // The upload is gone (replaced or removed): start a new one.
                        forget(&case_id);
                        url = None;
                        continue;
                    }
                    Err(_) => {
                        attempt += 1;
                        retry_wait(phase, attempt).await;
                        continue;
                    }
                };
                sent.set(offset);
                if offset >= chosen.size() {
                    break;
                }
                let end = (offset + CHUNK).min(chosen.size());
                let Ok(blob) = chosen.slice_with_f64_and_f64(offset, end) else {
                    phase.set(Phase::Failed(t_string!(i18n, file_unreadable).to_string()));
                    return;
                };
                let started = js_sys::Date::now();
                let progress = Box::new(move |loaded: f64| {
                    sent.set(offset + loaded);
                    let elapsed = (js_sys::Date::now() - started) / 1000.0;
                    if elapsed > 0.5 {
                        speed.set(loaded / elapsed);
                    }
                });
                match tus::patch(&current, offset, &blob, &in_flight.get_value(), progress).await {
                    Ok(_) => attempt = 0,
                    Err(TusError::Aborted) => return,
                    Err(TusError::Status(409, _)) => {}
                    Err(TusError::Status(status, _)) if status < 500 => {
                        forget(&case_id);
                        phase.set(Phase::Failed(status_message(i18n, status)));
                        return;
                    }
                    Err(_) => {
                        attempt += 1;
                        retry_wait(phase, attempt).await;
                    }
                }
            }
            forget(&case_id);
            sent.set(chosen.size());
            phase.set(Phase::Done);
            on_done.run(());
        });
    };

    let pause = move |_| {
        phase.set(Phase::Paused);
        in_flight.get_value().abort();
    };
    let start_over = move |_| {
        forget(&case.get_value());
        if let Some(chosen) = file.get_untracked() {
            checked.set(Checked::Ready {
                name: chosen.name(),
                bytes: chosen.size(),
                seconds: None,
            });
        }
    };

    let lang = move || lang(i18n.get_locale());
    let saved_for_view = StoredValue::new(saved);
    let saved_name = move || saved_for_view.with_value(|s| s.as_ref().map(|s| s.name.clone()));
    let resume_state = StoredValue::new(resume);
    let resume_percent = move || {
        resume_state.with_value(|r| {
            r.as_ref()
                .map_or(0, |r| percent(r.offset as f64, r.length as f64))
        })
    };
    let file_error = Signal::derive(move || match checked.get() {
        Checked::Problem(p) => Some(
            match p {
                FileProblem::WrongType => t_string!(i18n, file_wrong_type),
                FileProblem::TooLarge => t_string!(i18n, file_too_large),
                FileProblem::TooShort => t_string!(i18n, file_too_short),
                FileProblem::TooLong => t_string!(i18n, file_too_long),
            }
            .to_string(),
        ),
        Checked::OtherFile => {
            saved_name().map(|name| t_string!(i18n, upload_other_file, name).to_string())
        }
        _ => None,
    });
    let file_status = Signal::derive(move || match checked.get() {
        Checked::Checking => Some(t_string!(i18n, file_checking).to_string()),
        Checked::Ready {
            name,
            bytes,
            seconds,
        } => Some(
            t_string!(
                i18n,
                file_ok,
                name,
                size = size(bytes as u64, lang()),
                duration = seconds.map(duration).unwrap_or_else(|| "—".to_owned())
            )
            .to_string(),
        ),
        _ => None,
    });
    let hint = Signal::derive(move || t_string!(i18n, file_hint).to_string());
    let reselect = move || {
        let resume_percent = resume_percent();
        saved_for_view.with_value(|s| s.clone()).filter(|_| phase.get() == Phase::Idle).map(|s| {
            view! { <p class="notice">{t!(i18n, upload_reselect, name = s.name, percent = resume_percent)}</p> }
        })
    };
    let can_send = move || {
        matches!(checked.get(), Checked::Ready { .. })
            && matches!(phase.get(), Phase::Idle | Phase::Paused | Phase::Failed(_))
    };
    let progress_text = move || {
        let (lang, done, all) = (lang(), sent.get(), total.get());
        t_string!(
            i18n,
            upload_progress,
            sent = size(done as u64, lang),
            total = size(all as u64, lang),
            percent = percent(done, all)
        )
        .to_string()
    };
    let speed_text = move || {
        let (lang, rate) = (lang(), speed.get());
        (rate > 0.0 && phase.get() == Phase::Sending).then(|| {
            let seconds = ((total.get() - sent.get()) / rate).max(0.0) as i64;
            let now = Timestamp::UNIX_EPOCH;
            let later = now + jiff::SignedDuration::from_secs(seconds);
            t_string!(
                i18n,
                upload_speed,
                speed = size(rate as u64, lang),
                left = left(now, later, lang)
            )
            .to_string()
        })
    };
    let phase_text = move || match phase.get() {
        Phase::Paused => Some(t_string!(i18n, upload_paused).to_string()),
        Phase::Retrying(seconds) => Some(t_string!(i18n, upload_retrying, seconds).to_string()),
        Phase::Done => Some(t_string!(i18n, upload_done).to_string()),
        Phase::Failed(reason) => Some(reason),
        Phase::Idle | Phase::Sending => None,
    };
    view! {
        <section class="uploader">
            {reselect}
            <div class="field">
                <label for="video-file">{t!(i18n, file_label)}</label>
                <input
                    id="video-file"
                    type="file"
                    accept="video/mp4,video/quicktime,.mp4,.mov"
                    aria-describedby=described_by("video-file", true)
                    aria-invalid=move || if file_error.get().is_some() { "true" } else { "false" }
                    on:change=on_file
                />
                <FieldNotes id="video-file" hint=Some(hint) error=file_error status=file_status />
            </div>
            {move || matches!(checked.get(), Checked::OtherFile).then(|| view! {
                <button type="button" class="secondary" on:click=start_over>{t!(i18n, upload_restart)}</button>
            })}
            <div class="upload-actions">
                <button type="button" disabled=move || !can_send() on:click=move |_| send()>
                    {move || if phase.get() == Phase::Paused { t!(i18n, upload_resume).into_any() } else { t!(i18n, upload_start).into_any() }}
                </button>
                <button
                    type="button"
                    class="secondary"
                    disabled=move || !matches!(phase.get(), Phase::Sending | Phase::Retrying(_))
                    on:click=pause
                >
                    {t!(i18n, upload_pause)}
                </button>
            </div>
            <div class="progress" hidden=move || total.get() == 0.0 || matches!(checked.get(), Checked::Problem(_))>
                <label for="upload-progress">{t!(i18n, upload_progress_label)}</label>
                <progress id="upload-progress" max=move || total.get() value=move || sent.get()></progress>
                <p aria-live="polite">{progress_text}</p>
                <p>{speed_text}</p>
            </div>
            <p class="upload-phase" role="status">{phase_text}</p>
        </section>
    }
}

fn percent(done: f64, all: f64) -> u32 {
    if all <= 0.0 {
        0
    } else {
        ((done / all) * 100.0).floor().clamp(0.0, 100.0) as u32
    }
}

fn status_message(i18n: I18nContext<Locale>, status: u16) -> String {
    match status {
        415 => t_string!(i18n, refusal_unsupported_media_type).to_string(),
        413 => t_string!(i18n, file_too_large).to_string(),
        _ => t_string!(i18n, error_server).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_checked_for_type_size_and_duration() {
        assert_eq!(check_file("a.mp4", "video/mp4", 1e6, Some(30.0)), Ok(()));
        assert_eq!(check_file("a.MOV", "", 1e6, None), Ok(()));
        assert_eq!(
            check_file("a.png", "image/png", 1e6, None),
            Err(FileProblem::WrongType)
        );
        assert_eq!(
            check_file("a.webm", "video/webm", 1e6, Some(30.0)),
            Err(FileProblem::WrongType)
        );
        assert_eq!(
            check_file("a.mp4", "video/mp4", MAX_BYTES, Some(30.0)),
            Ok(())
        );
        assert_eq!(
            check_file("a.mp4", "video/mp4", MAX_BYTES + 1.0, Some(30.0)),
            Err(FileProblem::TooLarge)
        );
        assert_eq!(
            check_file("a.mp4", "video/mp4", 1e6, Some(14.9)),
            Err(FileProblem::TooShort)
        );
        assert_eq!(check_file("a.mp4", "video/mp4", 1e6, Some(15.0)), Ok(()));
        assert_eq!(check_file("a.mp4", "video/mp4", 1e6, Some(600.0)), Ok(()));
        assert_eq!(
            check_file("a.mp4", "video/mp4", 1e6, Some(600.5)),
            Err(FileProblem::TooLong)
        );
    }

    #[test]
    fn percent_is_floored_and_bounded() {
        assert_eq!(percent(0.0, 0.0), 0);
        assert_eq!(percent(999.0, 1000.0), 99);
        assert_eq!(percent(1000.0, 1000.0), 100);
    }
}
