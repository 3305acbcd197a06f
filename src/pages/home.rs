use care_rules::catalog::PRODUCTS;
use care_rules::{Lang, Product};
use leptos::prelude::*;

/// The home page: what each product's replacements cost, straight from the rules
/// compiled into the app (no request).
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <h1>"Care Refresh"</h1>
        <p class="lead">
            "Ochrona DJI Care Refresh: aktywuj plan, sprawdź ochronę, zgłoś naprawę."
        </p>
        <section aria-labelledby="products-heading">
            <h2 id="products-heading">"Produkty i opłaty za wymianę"</h2>
            <ul class="products">
                {PRODUCTS.iter().map(|p| view! { <ProductCard product=p/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ProductCard(product: &'static Product) -> impl IntoView {
    let fees = product
        .fee_schedule
        .iter()
        .map(|fee| fee.display(Lang::Pl))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <li class="product">
            <h3>{product.name}</h3>
            <p>"Opłata za kolejne wymiany: " <span class="money">{fees}</span></p>
        </li>
    }
}
