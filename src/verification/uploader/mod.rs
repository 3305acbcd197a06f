//! The video upload: checks the file (the rules' type, size and duration limits, the
//! duration from the browser's own metadata) before sending, then sends it with tus in
//! chunks with a progress bar, speed and time left, pause and resume, automatic retry
//! after a dropped connection, and resume after a reload. The decisions live in
//! [`machine`]; this module is the view and the loop that follows them.

pub mod machine;
mod resume;
pub mod tus;

use crate::clock::sleep;
use crate::format::{duration, lang, left, size};
use crate::i18n::*;
use crate::ui::{FieldNotes, described_by};
use care_rules::Timestamp;
use care_rules::verification::video;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use machine::{AfterChunk, Checked, Failure, FileIdentity, Phase, percent};
use tus::InFlight;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::File;

fn identity(file: &File) -> FileIdentity {
    FileIdentity {
        name: file.name(),
        size: file.size(),
        modified: file.last_modified(),
    }
}

/// Waits before attempt number `attempt`, counting down in the page; a pause cuts the
/// wait short.
async fn retry_wait(phase: RwSignal<Phase>, attempt: u32) {
    for left in (1..=machine::retry_delay(attempt)).rev() {
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

type JsCallback = Closure<dyn FnMut()>;

/// The video's length from the browser's own metadata, or `None` if it cannot read it.
async fn video_duration(file: &File) -> Option<f64> {
    let document = web_sys::window()?.document()?;
    let video: web_sys::HtmlVideoElement =
        document.create_element("video").ok()?.dyn_into().ok()?;
    let url = web_sys::Url::create_object_url_with_blob(file).ok()?;
    video.set_preload("metadata");
    // The outcomes may fire more than once (an error, then the timeout): the callbacks
    // are ordinary closures kept alive until the end of this function, and a promise
    // settles once whatever calls it after.
    let mut settle: Option<(JsCallback, JsCallback)> = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let loaded = Closure::<dyn FnMut()>::new({
            let resolve = resolve.clone();
            move || {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::TRUE);
            }
        });
        let failed = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::FALSE);
        });
        settle = Some((loaded, failed));
    });
    let (loaded, failed) = settle.as_ref()?;
    video.set_onloadedmetadata(Some(loaded.as_ref().unchecked_ref()));
    video.set_onerror(Some(failed.as_ref().unchecked_ref()));
    let timeout = web_sys::window().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(
            failed.as_ref().unchecked_ref(),
            5000,
        )
        .ok()
    });
    video.set_src(&url);
    let loaded = wasm_bindgen_futures::JsFuture::from(promise).await.ok()? == JsValue::TRUE;
    // Nothing may call the closures once they are dropped at the end.
    video.set_onloadedmetadata(None);
    video.set_onerror(None);
    if let (Some(w), Some(id)) = (web_sys::window(), timeout) {
        w.clear_timeout_with_handle(id);
    }
    let _ = web_sys::Url::revoke_object_url(&url);
    let seconds = video.duration();
    (loaded && seconds.is_finite()).then_some(seconds)
}

/// The signals the send loop moves and the view shows.
#[derive(Clone, Copy)]
struct Progress {
    phase: RwSignal<Phase>,
    sent: RwSignal<f64>,
    speed: RwSignal<f64>,
}

/// Sends `file` to its end, or until paused or refused, as [`machine`] decides.
async fn send(case_id: String, file: File, progress: Progress, in_flight: InFlight) -> bool {
    let Progress { phase, sent, speed } = progress;
    let mut attempt: u32 = 0;
    let mut url = resume::load(&case_id).map(|s| s.url);
    loop {
        if phase.get_untracked() != Phase::Sending {
            return false;
        }
        let current = match &url {
            Some(u) => u.clone(),
            None => match tus::create(&case_id, file.size(), &file.name(), &file.type_()).await {
                Ok(created) => {
                    resume::save(&case_id, &identity(&file), &created);
                    url = Some(created.clone());
                    created
                }
                Err(tus::TusError::Status(status, _)) => {
                    phase.set(Phase::Failed(Failure::Refused(status)));
                    return false;
                }
                Err(_) => {
                    attempt += 1;
                    retry_wait(phase, attempt).await;
                    continue;
                }
            },
        };
        let offset = match tus::offset(&current).await {
            Ok(Some(offset)) => offset,
            Ok(None) => {
                // The upload is gone (replaced or removed): start a new one.
                resume::forget(&case_id);
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
        let Some((start, end)) = machine::next_chunk(offset, file.size()) else {
            break;
        };
        let Ok(blob) = file.slice_with_f64_and_f64(start, end) else {
            phase.set(Phase::Failed(Failure::Unreadable));
            return false;
        };
        let started = js_sys::Date::now();
        let before = speed.get_untracked();
        let on_progress = Box::new(move |loaded: f64| {
            sent.set(start + loaded);
            let elapsed = (js_sys::Date::now() - started) / 1000.0;
            if elapsed > 0.5 {
                speed.set(machine::smoothed_speed(before, loaded / elapsed));
            }
        });
        let outcome = tus::patch(&current, start, &blob, &in_flight, on_progress).await;
        if outcome.is_err() {
            // What the browser handed to the network is not what the server has: the
            // bar goes back to the last stored byte, and the speed is unknown again.
            sent.set(start);
            speed.set(0.0);
        }
        match machine::after_chunk(&outcome) {
            AfterChunk::Continue => attempt = 0,
            AfterChunk::AskOffset => {}
            AfterChunk::Stop => return false,
            AfterChunk::Fail(failure) => {
                resume::forget(&case_id);
                phase.set(Phase::Failed(failure));
                return false;
            }
            AfterChunk::Retry => {
                attempt += 1;
                retry_wait(phase, attempt).await;
            }
        }
    }
    resume::forget(&case_id);
    sent.set(file.size());
    phase.set(Phase::Done);
    true
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
    let progress = Progress {
        phase: RwSignal::new(Phase::Idle),
        sent: RwSignal::new(0.0f64),
        speed: RwSignal::new(0.0f64),
    };
    let Progress { phase, sent, speed } = progress;
    let total = RwSignal::new(0.0f64);
    let in_flight = StoredValue::new_local(InFlight::default());
    let saved = resume::load(&case_id).filter(|s| resume.as_ref().is_some_and(|r| r.url == s.url));
    let case = StoredValue::new(case_id);

    let choose = move |chosen: File| {
        checked.set(Checked::Checking);
        phase.set(Phase::Idle);
        spawn_local(async move {
            let seconds = video_duration(&chosen).await;
            let interrupted = resume::load(&case.get_value()).map(|s| s.identity());
            checked.set(machine::check(
                &identity(&chosen),
                &chosen.type_(),
                seconds,
                interrupted.as_ref(),
            ));
            total.set(chosen.size());
            sent.set(0.0);
            file.set(Some(chosen));
        });
    };
    let on_file = move |ev: web_sys::Event| {
        let chosen = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(chosen) = chosen {
            choose(chosen);
        }
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(chosen) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            choose(chosen);
        }
    };
    let start = move || {
        let Some(chosen) = file.get_untracked() else {
            return;
        };
        phase.set(Phase::Sending);
        let (case_id, flight) = (case.get_value(), in_flight.get_value());
        spawn_local(async move {
            if send(case_id, chosen, progress, flight).await {
                on_done.run(());
            }
        });
    };
    let pause = move |_| {
        phase.set(Phase::Paused);
        in_flight.get_value().abort();
    };
    let start_over = move |_| {
        resume::forget(&case.get_value());
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
        Checked::Problem(p) => Some(problem_text(i18n, p)),
        Checked::Unreadable => Some(t_string!(i18n, file_unplayable).to_string()),
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
                duration = seconds.map(duration).unwrap_or_default()
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
            let later = care_rules::time::after(now, jiff::SignedDuration::from_secs(seconds));
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
        Phase::Retrying(_) if !online() => Some(t_string!(i18n, upload_offline).to_string()),
        Phase::Retrying(seconds) => Some(t_string!(i18n, upload_retrying, seconds).to_string()),
        Phase::Done => Some(t_string!(i18n, upload_done).to_string()),
        Phase::Failed(failure) => Some(failure_text(i18n, failure)),
        Phase::Idle | Phase::Sending => None,
    };
    let accept = video::TYPES
        .iter()
        .chain(video::EXTENSIONS.iter())
        .copied()
        .collect::<Vec<_>>()
        .join(",");
    let sending = move || matches!(phase.get(), Phase::Sending | Phase::Retrying(_));
    let done = move || phase.get() == Phase::Done;
    view! {
        <section class="uploader">
            {reselect}
            <div class="field" hidden=move || sending() || done()>
                <label for="video-file" class="dropzone" class:dragging=move || dragging.get()
                    on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop>
                    <span class="dropzone-title">{t!(i18n, file_label)}</span>{" "}
                    <span class="dropzone-action">{t!(i18n, file_choose)}</span>
                </label>
                <input
                    id="video-file"
                    class="file-input"
                    type="file"
                    accept=accept
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
                {move || can_send().then(|| view! {
                    <button type="button" on:click=move |_| start()>
                        {move || if phase.get() == Phase::Paused { t!(i18n, upload_resume).into_any() } else { t!(i18n, upload_start).into_any() }}
                    </button>
                })}
                {move || sending().then(|| view! {
                    <button type="button" class="secondary" on:click=pause>{t!(i18n, upload_pause)}</button>
                })}
            </div>
            <div class="progress" hidden=move || sent.get() == 0.0 && !sending()>
                <label for="upload-progress">{t!(i18n, upload_progress_label)}</label>
                <progress id="upload-progress" max=move || total.get() as u64 value=move || sent.get() as u64></progress>
                <p aria-live="polite">{progress_text}</p>
                <p>{speed_text}</p>
            </div>
            <p class="upload-phase" role="status">{phase_text}</p>
        </section>
    }
}

/// Whether the browser believes it is online.
fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn problem_text(i18n: I18nContext<Locale>, problem: video::Problem) -> String {
    match problem {
        video::Problem::WrongType => t_string!(i18n, file_wrong_type),
        video::Problem::TooLarge => t_string!(i18n, file_too_large),
        video::Problem::TooShort => t_string!(i18n, file_too_short),
        video::Problem::TooLong => t_string!(i18n, file_too_long),
    }
    .to_string()
}

fn failure_text(i18n: I18nContext<Locale>, failure: Failure) -> String {
    match failure {
        Failure::Unreadable => t_string!(i18n, file_unreadable).to_string(),
        Failure::Refused(415) => t_string!(i18n, refusal_unsupported_media_type).to_string(),
        Failure::Refused(413) => t_string!(i18n, file_too_large).to_string(),
        Failure::Refused(_) => t_string!(i18n, error_server).to_string(),
    }
}
