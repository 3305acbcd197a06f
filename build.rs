//! Generates the app's i18n module from `locales/*.json`; a key missing in a locale or
//! misspelt in the code fails the build.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // `interpolate_display`: translated strings with values (for attributes and titles).
    let config = Config::new("pl")?
        .add_locale("en")?
        .parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out.clone())?;
    choose_no_locale_from_the_browser(&out.join("mod.rs"))
}

/// The app picks its language itself (Polish, or English when the owner switched:
/// `src/ui/language.rs`), yet leptos_i18n's provider first matches the browser's
/// languages against the locales with `icu_locale_core`'s parser: 9 KB of Wasm in every
/// bundle for a choice the app then overrides. leptos_i18n has no option to skip it, so
/// the generated `Locale` overrides the trait's default `find_locale` with the default
/// locale. If a new leptos_i18n generates the impl differently, the build stops here.
fn choose_no_locale_from_the_browser(module: &Path) -> Result<(), Box<dyn Error>> {
    const ANCHOR: &str = "fn to_base_locale (self) -> Self { self }";
    let code = std::fs::read_to_string(module)?;
    if code.matches(ANCHOR).count() != 1 {
        return Err(format!(
            "{}: no single `{ANCHOR}` to add `find_locale` to",
            module.display()
        )
        .into());
    }
    let code = code.replace(
        ANCHOR,
        &format!("{ANCHOR} fn find_locale<T: AsRef<[u8]>>(_: &[T]) -> Self {{ Self::default() }}"),
    );
    std::fs::write(module, code)?;
    Ok(())
}
