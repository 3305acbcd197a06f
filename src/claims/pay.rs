//! Paying a claim on its page, by card (3-D Secure in Stripe's window) or BLIK (the
//! 6-digit code, confirmed in the bank's app). Stripe.js is loaded only when the owner
//! chooses to pay; the claim's status then follows by itself until it reads paid.

use super::api;
use super::stripe_js::CardForm;
use crate::api::ApiError;
use crate::clock::sleep;
use crate::i18n::*;
use crate::refusal::message;
use crate::ui::{FieldNotes, FormError, described_by};
use care_rules::api::{
    OnlinePayment, PayWith, PaymentFailure, PaymentInstructions, PaymentProgress, PaymentState,
};
use care_rules::{ClaimStatus, Lang};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;

/// The failure in the owner's words.
pub fn failure_text(i18n: I18nContext<Locale>, failure: PaymentFailure) -> String {
    match failure {
        PaymentFailure::CardDeclined => t_string!(i18n, pay_failed_declined),
        PaymentFailure::InsufficientFunds => t_string!(i18n, pay_failed_funds),
        PaymentFailure::ExpiredCard => t_string!(i18n, pay_failed_expired),
        PaymentFailure::IncorrectCvc => t_string!(i18n, pay_failed_cvc),
        PaymentFailure::AuthenticationFailed => t_string!(i18n, pay_failed_authentication),
        PaymentFailure::BlikCodeInvalid => t_string!(i18n, pay_failed_blik),
        PaymentFailure::Other => t_string!(i18n, pay_failed_other),
    }
    .to_string()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Card,
    Blik,
}

/// What the panel shares with its steps.
#[derive(Clone, Copy)]
struct Panel {
    claim: StoredValue<String>,
    lang: Lang,
    i18n: I18nContext<Locale>,
    payment: RwSignal<Option<OnlinePayment>>,
    card: StoredValue<Option<CardForm>, LocalStorage>,
    busy: RwSignal<bool>,
    note: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    on_paid: Callback<()>,
}

impl Panel {
    fn refused(self, e: &ApiError) {
        let text = match e {
            ApiError::Refused(p) => message(self.i18n, p.code, None),
            ApiError::Network => t_string!(self.i18n, error_network).to_string(),
            ApiError::Server => t_string!(self.i18n, error_server).to_string(),
        };
        self.error.set(Some(text));
    }

    /// Asks for the claim every 2 s, for up to 2 minutes, until it reads paid (`true`)
    /// or a failure is known.
    async fn follow(self) -> bool {
        for _ in 0..60 {
            sleep(2000).await;
            let Ok(doc) = api::claim(&self.claim.get_value(), self.lang).await else {
                continue;
            };
            if doc.status != ClaimStatus::AwaitingPayment {
                return true;
            }
            if let Some(failure) = doc.payment.and_then(|p| p.last_failure) {
                self.note.set(None);
                self.error.set(Some(failure_text(self.i18n, failure)));
                return false;
            }
        }
        self.note
            .set(Some(t_string!(self.i18n, pay_still_waiting).to_string()));
        false
    }

    /// Follows the confirmation's answer; `true` once the claim is paid.
    async fn progress(self, progress: PaymentProgress, method: Method) -> bool {
        match progress.state {
            PaymentState::Succeeded => {
                self.note
                    .set(Some(t_string!(self.i18n, pay_succeeded).to_string()));
                true
            }
            PaymentState::Failed => {
                self.note.set(None);
                let failure = progress.failure.unwrap_or(PaymentFailure::Other);
                self.error.set(Some(failure_text(self.i18n, failure)));
                false
            }
            PaymentState::RequiresAction if method == Method::Card => {
                let secret = progress.client_secret.unwrap_or_default();
                let Some(card) = self.card.get_value() else {
                    return false;
                };
                match card.authenticate(&secret).await {
                    Ok(()) => {
                        self.note
                            .set(Some(t_string!(self.i18n, pay_checking).to_string()));
                        self.follow().await
                    }
                    Err(text) => {
                        self.note.set(None);
                        self.error.set(Some(if text.is_empty() {
                            failure_text(self.i18n, PaymentFailure::AuthenticationFailed)
                        } else {
                            text
                        }));
                        false
                    }
                }
            }
            PaymentState::RequiresAction | PaymentState::Processing => {
                let text = if method == Method::Blik {
                    t_string!(self.i18n, pay_confirm_in_bank)
                } else {
                    t_string!(self.i18n, pay_checking)
                };
                self.note.set(Some(text.to_string()));
                self.follow().await
            }
        }
    }
}

/// The BLIK code as typed: six digits, spaces ignored.
fn blik_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

#[component]
pub fn PayOnline(
    claim: String,
    instructions: PaymentInstructions,
    lang: Lang,
    on_paid: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let panel = Panel {
        claim: StoredValue::new(claim),
        lang,
        i18n,
        payment: RwSignal::new(None),
        card: StoredValue::new_local(None),
        busy: RwSignal::new(false),
        note: RwSignal::new(None),
        error: RwSignal::new(instructions.last_failure.map(|f| failure_text(i18n, f))),
        on_paid,
    };
    // BLIK first: the way most owners in Poland pay, and it needs no Stripe.js.
    let method = RwSignal::new(Method::Blik);
    let blik = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let blik_error = Signal::derive(move || {
        (tried.get() && blik_code(&blik.get()).is_none())
            .then(|| t_string!(i18n, pay_blik_invalid).to_string())
    });
    let amount = instructions.amount_grosze.display(lang);

    let open = move |_| {
        panel.busy.set(true);
        panel.error.set(None);
        spawn_local(async move {
            match api::start_payment(&panel.claim.get_value(), lang).await {
                Ok(payment) => panel.payment.set(Some(payment)),
                Err(e) => panel.refused(&e),
            }
            panel.busy.set(false);
        });
    };
    // Stripe.js is loaded when the owner chooses the card, not before.
    let choose_card = move |_| {
        method.set(Method::Card);
        let Some(payment) = panel.payment.get_untracked() else {
            return;
        };
        if panel.card.with_value(Option::is_some) {
            return;
        }
        panel.busy.set(true);
        spawn_local(async move {
            // The card field's place is shown once this change has rendered.
            sleep(0).await;
            match CardForm::mount(&payment.js_url, &payment.publishable_key, "card-element").await {
                Ok(card) => panel.card.set_value(Some(card)),
                Err(_) => panel
                    .error
                    .set(Some(t_string!(i18n, pay_provider_failed).to_string())),
            }
            panel.busy.set(false);
        });
    };
    let pay = move |_| {
        panel.error.set(None);
        let chosen = method.get_untracked();
        let with = match chosen {
            Method::Blik => {
                tried.set(true);
                let Some(code) = blik_code(&blik.get_untracked()) else {
                    return;
                };
                Some(PayWith::Blik { code })
            }
            Method::Card => None,
        };
        panel.busy.set(true);
        spawn_local(async move {
            let mut paid = false;
            let with = match with {
                Some(with) => Some(with),
                None => match panel.card.get_value() {
                    Some(card) => match card.token().await {
                        Ok(token) => Some(PayWith::Card { token }),
                        Err(text) => {
                            panel.error.set(Some(text));
                            None
                        }
                    },
                    None => None,
                },
            };
            if let Some(with) = with {
                panel
                    .note
                    .set(Some(t_string!(i18n, pay_paying).to_string()));
                match api::confirm_payment(&panel.claim.get_value(), &with, lang).await {
                    Ok(progress) => paid = panel.progress(progress, chosen).await,
                    Err(e) => {
                        panel.note.set(None);
                        panel.refused(&e);
                    }
                }
            }
            panel.busy.set(false);
            // Last: the page reads the claim again, and this panel goes.
            if paid {
                panel.on_paid.run(());
            }
        });
    };

    view! {
        <div class="pay-online">
            {move || panel.payment.get().is_none().then(|| {
                let amount = amount.clone();
                view! {
                    <button type="button" on:click=open disabled=move || panel.busy.get()>
                        {t!(i18n, pay_online, amount = amount.clone())}
                    </button>
                    <p class="hint">{t!(i18n, pay_online_hint)}</p>
                }
            })}
            <div hidden=move || panel.payment.get().is_none()>
                <fieldset class="pay-methods">
                    <legend>{t!(i18n, pay_method)}</legend>
                    <label><input type="radio" name="pay-method" value="blik"
                        prop:checked=move || method.get() == Method::Blik
                        on:change=move |_| method.set(Method::Blik) />"BLIK"</label>
                    <label><input type="radio" name="pay-method" value="card"
                        prop:checked=move || method.get() == Method::Card
                        on:change=choose_card />{t!(i18n, pay_card)}</label>
                </fieldset>
                <div class="field" hidden=move || method.get() != Method::Card>
                    <p class="field-label">{t!(i18n, pay_card_label)}</p>
                    <div id="card-element" class="card-element"></div>
                </div>
                <div class="field" hidden=move || method.get() != Method::Blik>
                    <label for="blik-code">{t!(i18n, pay_blik_label)}</label>
                    <input id="blik-code" class="code-input" inputmode="numeric" autocomplete="one-time-code"
                        maxlength="7"
                        aria-describedby=described_by("blik-code", true)
                        aria-invalid=move || if blik_error.get().is_some() { "true" } else { "false" }
                        prop:value=move || blik.get()
                        on:input:target=move |ev| blik.set(ev.target().value()) />
                    <FieldNotes id="blik-code".to_owned()
                        hint=Some(Signal::derive(move || t_string!(i18n, pay_blik_hint).to_string()))
                        error=blik_error />
                </div>
                <button type="button" on:click=pay disabled=move || panel.busy.get()>
                    {move || if panel.busy.get() { t_string!(i18n, pay_paying).to_string() } else { t_string!(i18n, pay_submit).to_string() }}
                </button>
            </div>
            <p class="status-line info" role="status" hidden=move || panel.note.get().is_none()>{move || panel.note.get()}</p>
            <FormError error=panel.error />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::blik_code;

    #[test]
    fn a_blik_code_is_six_digits_as_typed() {
        assert_eq!(blik_code("123 456").as_deref(), Some("123456"));
        assert_eq!(blik_code("12345"), None);
        assert_eq!(blik_code("12345a"), None);
    }
}
