//! Polish by default, whatever the browser's own languages; English with one click,
//! remembered in localStorage.

use crate::i18n::*;
use leptos::prelude::*;

/// Where the language switch keeps the owner's choice.
const LANG_KEY: &str = "care-lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Polish unless the owner chose English with the switch: the browser's own languages
/// are not asked (the provider would follow them). This effect runs after the
/// provider's, so it wins.
#[component]
pub fn ChosenLanguage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            let chosen = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
            let locale = if chosen.as_deref() == Some("en") {
                Locale::en
            } else {
                Locale::pl
            };
            i18n.set_locale(locale);
        }
    });
}

/// The switch; the button speaks the language it switches to.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let other = move || match i18n.get_locale() {
        Locale::pl => Locale::en,
        Locale::en => Locale::pl,
    };
    view! {
        <button
            type="button"
            class="lang-switch"
            lang=move || other().as_str()
            aria-label=move || t_string!(i18n, switch_language_label).to_string()
            on:click=move |_| {
                let locale = other();
                if let Some(s) = storage() {
                    let _ = s.set_item(LANG_KEY, locale.as_str());
                }
                i18n.set_locale(locale);
            }
        >
            {t!(i18n, switch_language)}
        </button>
    }
}
