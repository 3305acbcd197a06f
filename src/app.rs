use crate::pages::{Home, NotFound};
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

/// The whole app: the header, and one page per route.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="site-header">
                <A href="/" attr:class="brand">"Care Refresh"</A>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                </Routes>
            </main>
        </Router>
    }
}
