//! The few calls of Stripe.js the payment panel makes, through `js_sys::Reflect`: the
//! script is loaded only when the owner chooses to pay, so no page's first load grows,
//! and bindings generated for Stripe.js would add bytes for calls never made.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

fn get(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
}

/// `target.name(...args)`.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let method: Function = get(target, name)?.dyn_into()?;
    method.apply(target, &args.iter().collect::<Array>())
}

async fn awaited(value: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(value.dyn_into::<Promise>()?).await
}

/// Adds `<script src=url>` once and waits for it to run.
async fn load(url: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    if get(&window, "Stripe")?.is_function() {
        return Ok(());
    }
    let document = window.document().ok_or("no document")?;
    let script = document.create_element("script")?;
    script.set_attribute("src", url)?;
    let loaded = Promise::new(&mut |resolve, reject| {
        let _ = Reflect::set(&script, &"onload".into(), &resolve);
        let _ = Reflect::set(&script, &"onerror".into(), &reject);
    });
    document.head().ok_or("no head")?.append_child(&script)?;
    JsFuture::from(loaded).await.map(|_| ())
}

/// Stripe.js with the account's key, and a card field mounted at `#{mount}`.
#[derive(Clone)]
pub struct CardForm {
    stripe: JsValue,
    card: JsValue,
}

impl CardForm {
    pub async fn mount(js_url: &str, key: &str, mount: &str) -> Result<CardForm, JsValue> {
        load(js_url).await?;
        let window = web_sys::window().ok_or("no window")?;
        let constructor: Function = get(&window, "Stripe")?.dyn_into()?;
        let stripe = constructor.call1(&JsValue::UNDEFINED, &key.into())?;
        let elements = call(&stripe, "elements", &[])?;
        let card = call(&elements, "create", &["card".into()])?;
        call(&card, "mount", &[format!("#{mount}").into()])?;
        Ok(CardForm { stripe, card })
    }

    /// A token of the card typed, or Stripe's message about the card.
    pub async fn token(&self) -> Result<String, String> {
        let result = awaited(
            call(
                &self.stripe,
                "createToken",
                std::slice::from_ref(&self.card),
            )
            .map_err(describe)?,
        )
        .await
        .map_err(describe)?;
        let token = get(&result, "token").map_err(describe)?;
        match get(&token, "id").ok().and_then(|id| id.as_string()) {
            Some(id) => Ok(id),
            None => Err(message(&result)),
        }
    }

    /// 3-D Secure: the bank's check in Stripe's window; `Err` with Stripe's message when
    /// the owner or the bank says no.
    pub async fn authenticate(&self, client_secret: &str) -> Result<(), String> {
        let result = awaited(
            call(&self.stripe, "confirmCardPayment", &[client_secret.into()]).map_err(describe)?,
        )
        .await
        .map_err(describe)?;
        match get(&result, "error") {
            Ok(error) if !error.is_undefined() && !error.is_null() => Err(message(&result)),
            _ => Ok(()),
        }
    }
}

/// `result.error.message`, as Stripe words it for the owner.
fn message(result: &JsValue) -> String {
    get(result, "error")
        .and_then(|e| get(&e, "message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default()
}

fn describe(error: JsValue) -> String {
    error.as_string().unwrap_or_default()
}
