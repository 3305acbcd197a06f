//! Component tests in a real browser (wasm-bindgen-test in headless Chromium): the
//! code field, the cost calculator and the eligibility panel, each mounted alone and
//! driven through the DOM as a person would.
#![cfg(target_arch = "wasm32")]

use care_portal::activation::code_field::CodeField;
use care_portal::activation::eligibility::EligibilityPanel;
use care_portal::home::calculator::Calculator;
use care_portal::i18n::*;
use care_rules::api::{CoverageDocument, DeviceDocument};
use care_rules::{Coverage, Plan, Product, Serial, Term, Timestamp};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts `view` in a fresh element, in Polish, and returns that element.
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + Send + 'static) -> HtmlElement {
    let document = document();
    let root: HtmlElement = document
        .create_element("section")
        .expect("element")
        .unchecked_into();
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("appended");
    let handle = mount_to(root.clone(), move || {
        view! {
            <I18nContextProvider>
                <Polish />
                {view()}
            </I18nContextProvider>
        }
    });
    // Keep it mounted for the rest of the test.
    std::mem::forget(handle);
    root
}

#[component]
fn Polish() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| i18n.set_locale(Locale::pl));
}

async fn settle() {
    for _ in 0..3 {
        tick().await;
    }
}

fn input_event() -> Event {
    let init = EventInit::new();
    init.set_bubbles(true);
    Event::new_with_event_init_dict("input", &init).expect("event")
}

fn change_event() -> Event {
    let init = EventInit::new();
    init.set_bubbles(true);
    Event::new_with_event_init_dict("change", &init).expect("event")
}

fn text(root: &HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .expect("selector")
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

async fn type_code(root: &HtmlElement, typed: &str) -> HtmlInputElement {
    let input: HtmlInputElement = root
        .query_selector("#code")
        .expect("selector")
        .expect("input")
        .unchecked_into();
    input.set_value(typed);
    input.dispatch_event(&input_event()).expect("dispatched");
    settle().await;
    input
}

#[wasm_bindgen_test]
async fn the_code_field_formats_while_typing_and_catches_a_typo() {
    let value = RwSignal::new(String::new());
    let root = mount(move || {
        view! { <CodeField value server_error=Signal::derive(|| None::<String>) required_error=Signal::derive(|| None::<String>) /> }
    });
    settle().await;
    let input = type_code(&root, "abcd efgh").await;
    assert_eq!(input.value(), "ABCD-EFGH");
    assert_eq!(value.get_untracked(), "ABCD-EFGH");
    assert!(
        text(&root, "#code-error").contains("Wpisano 8 z 16 znaków."),
        "{}",
        text(&root, "#code-error")
    );
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );

    let valid = care_rules::Code::from_payload([3; 15]).to_string();
    let last = if valid.ends_with('0') { "1" } else { "0" };
    let typo = format!("{}{last}", &valid[..valid.len() - 1]);
    let input = type_code(&root, &typo).await;
    assert!(
        text(&root, "#code-error").contains("Kod ma literówkę"),
        "{}",
        text(&root, "#code-error")
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("code-hint code-error code-notice")
    );

    let input = type_code(&root, &valid.to_lowercase()).await;
    assert_eq!(input.value(), valid);
    assert!(text(&root, "#code-error").contains("Kod wygląda poprawnie."));
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );

    type_code(&root, "ABCU").await;
    assert!(
        text(&root, "#code-error").contains("„U”"),
        "{}",
        text(&root, "#code-error")
    );
}

#[wasm_bindgen_test]
async fn the_calculator_shows_each_fee_and_the_total() {
    let root = mount(|| view! { <Calculator /> });
    settle().await;
    let count: HtmlSelectElement = root
        .query_selector("#calc-count")
        .expect("selector")
        .expect("select")
        .unchecked_into();
    count.set_value("4");
    count.dispatch_event(&change_event()).expect("dispatched");
    settle().await;
    let rows = root.query_selector_all("tbody tr").expect("rows");
    assert_eq!(rows.length(), 4);
    let cells: Vec<String> = (0..rows.length())
        .filter_map(|i| rows.item(i).and_then(|r| r.text_content()))
        .collect();
    assert_eq!(
        cells,
        [
            "1169,00 zł169,00 zł",
            "2179,00 zł348,00 zł",
            "3179,00 zł527,00 zł",
            "4179,00 zł706,00 zł"
        ]
    );
    assert!(text(&root, ".reward").contains("nie jest objęty nagrodą"));

    let product: HtmlSelectElement = root
        .query_selector("#calc-product")
        .expect("selector")
        .expect("select")
        .unchecked_into();
    product.set_value("osmo-mobile-6");
    product.dispatch_event(&change_event()).expect("dispatched");
    settle().await;
    let first = root
        .query_selector("tbody tr")
        .expect("row")
        .and_then(|r| r.text_content())
        .unwrap_or_default();
    assert_eq!(first, "159,00 zł59,00 zł");
    assert!(text(&root, ".reward").contains("gwarancja producenta wydłuży się o 12 miesięcy"));
}

fn device(activated_at: Option<Timestamp>, terms: &[Term]) -> DeviceDocument {
    let product = Product::find("osmo-360").expect("product");
    let serial = Serial::parse("SN0000000001").expect("serial");
    let coverage = Coverage::restore(terms.to_vec(), 0);
    DeviceDocument {
        serial: serial.as_str().to_owned(),
        product_id: product.id.to_owned(),
        activated_at,
        coverage: coverage.as_ref().map(|c| {
            CoverageDocument::build(
                &serial,
                product,
                Some(c),
                None,
                care_rules::Timestamp::UNIX_EPOCH,
            )
        }),
    }
}

#[wasm_bindgen_test]
async fn the_eligibility_panel_tells_direct_video_extension_and_refusal() {
    let now: Timestamp = "2026-11-24T10:00:00Z".parse().expect("instant");
    let plan = RwSignal::new(Plan::Annual);
    let doc = RwSignal::new(device(None, &[]));
    let root = mount(move || {
        view! { <EligibilityPanel device=doc plan=plan now=Signal::derive(move || now) verification_id=RwSignal::new(String::new()) tried=Signal::derive(|| false) /> }
    });
    settle().await;
    assert!(
        text(&root, ".eligibility").contains("Urządzenie jest nowe"),
        "{}",
        text(&root, ".eligibility")
    );

    doc.set(device(
        Some(now - jiff::SignedDuration::from_hours(24 * 10)),
        &[],
    ));
    settle().await;
    let shown = text(&root, ".eligibility");
    assert!(
        shown.contains("Bez filmu aktywujesz do 14.12.2026, 11:00 (zostało 20 dni)"),
        "{shown}"
    );

    doc.set(device(
        Some(now - jiff::SignedDuration::from_hours(24 * 31)),
        &[],
    ));
    settle().await;
    assert!(text(&root, ".eligibility").contains("najpierw potrzebny jest film"));
    assert!(
        root.query_selector("#verification-id")
            .expect("selector")
            .is_some()
    );

    let running = Term::new(
        Plan::Annual,
        "2026-06-01T00:00:00Z".parse().expect("instant"),
    );
    doc.set(device(None, &[running]));
    settle().await;
    let shown = text(&root, ".eligibility");
    assert!(
        shown.contains("Ochrona potrwa do 01.06.2028, 02:00; pozostanie wymian: 4."),
        "{shown}"
    );

    plan.set(Plan::TwoYear);
    settle().await;
    assert!(text(&root, ".eligibility").contains("Ochronę można przedłużyć tylko planem rocznym."));
}
