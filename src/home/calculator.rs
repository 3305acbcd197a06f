//! The cost calculator: pick a product and a number of replacements (1 to 6) and see
//! the fee of each and the total, from the fee schedule in the rules (R8), with what
//! the plans give and whether the model earns the warranty reward (R9).

use crate::format::lang;
use crate::i18n::*;
use care_rules::catalog::PRODUCTS;
use care_rules::{Money, Product};
use leptos::prelude::*;

/// The fee of each of the first `count` replacements and the running total.
pub fn schedule(product: &Product, count: u32) -> Vec<(u32, Money, Money)> {
    let mut total = Money::ZERO;
    (1..=count)
        .map(|n| {
            let fee = product.fee(n);
            total = total.checked_add(fee).unwrap_or(total);
            (n, fee, total)
        })
        .collect()
}

#[component]
pub fn Calculator() -> impl IntoView {
    let i18n = use_i18n();
    let product_id = RwSignal::new(PRODUCTS[0].id.to_owned());
    let count = RwSignal::new(2u32);
    let product = Memo::new(move |_| Product::find(&product_id.get()).unwrap_or(&PRODUCTS[0]));
    let rows = move || {
        let lang = lang(i18n.get_locale());
        schedule(product.get(), count.get())
            .into_iter()
            .map(|(n, fee, total)| {
                view! {
                    <tr>
                        <th scope="row">{n}</th>
                        <td class="money">{fee.display(lang)}</td>
                        <td class="money">{total.display(lang)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card calculator" aria-labelledby="calc-title">
            <h2 id="calc-title">{t!(i18n, home_calc_title)}</h2>
            <div class="calc-controls">
                <div class="field">
                    <label for="calc-product">{t!(i18n, home_product_label)}</label>
                    <select
                        id="calc-product"
                        on:change:target=move |ev| product_id.set(ev.target().value())
                        prop:value=move || product_id.get()
                    >
                        {PRODUCTS
                            .iter()
                            .map(|p| view! { <option value=p.id>{p.name}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="calc-count">{t!(i18n, home_calc_count_label)}</label>
                    <select
                        id="calc-count"
                        on:change:target=move |ev| count.set(ev.target().value().parse().unwrap_or(1))
                        prop:value=move || count.get().to_string()
                    >
                        {(1..=6u32).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <table class="fees" aria-live="polite">
                <caption>{t!(i18n, home_calc_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, home_calc_replacement)}</th>
                        <th scope="col">{t!(i18n, home_calc_fee)}</th>
                        <th scope="col">{t!(i18n, home_calc_total)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <h3>{t!(i18n, home_plans_title)}</h3>
            <ul class="plans">
                <li>{t!(i18n, home_plan_annual)}</li>
                <li>{t!(i18n, home_plan_two_year)}</li>
                <li>{t!(i18n, home_plan_extension)}</li>
                <li>{t!(i18n, home_plan_video)}</li>
            </ul>
            <p class="reward" class:none=move || !product.get().warranty_reward>
                {move || {
                    if product.get().warranty_reward {
                        t!(i18n, home_reward_yes).into_any()
                    } else {
                        t!(i18n, home_reward_no).into_any()
                    }
                }}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osmo_360_costs_169_then_179_each() {
        let osmo = Product::find("osmo-360").expect("in catalogue");
        let grosze: Vec<(u32, u32, u32)> = schedule(osmo, 4)
            .into_iter()
            .map(|(n, fee, total)| (n, fee.grosze(), total.grosze()))
            .collect();
        assert_eq!(
            grosze,
            [
                (1, 16900, 16900),
                (2, 17900, 34800),
                (3, 17900, 52700),
                (4, 17900, 70600)
            ]
        );
    }
}
