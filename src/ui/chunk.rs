//! Parts of a journey fetched on first use. In the release build (`--features split`,
//! which `cargo xtask` builds and splits) what a [`chunk!`] function returns, and all
//! code only it reaches, goes into a Wasm file of its own that the page fetches the
//! first time the function is called: a first visit downloads only what its page
//! shows. Without the feature (the tests, `trunk serve`) it is ordinary code.
//!
//! A part is declared in the entry point of the one bundle it is split from
//! (`src/bundles/`), and handed to the pages as a [`Load`]: the splitter's export of
//! a part is kept by every binary the declaration is compiled into, so declared here
//! it would weigh on every bundle's first load.

use crate::api::ApiError;
use crate::ui::{Loading, RequestFailed};
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

#[doc(hidden)]
pub use leptos::wasm_split;

/// A part that could not be fetched (offline, or the server is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkMissing;

impl From<wasm_split::SplitLoaderError> for ChunkMissing {
    fn from(_: wasm_split::SplitLoaderError) -> ChunkMissing {
        ChunkMissing
    }
}

/// How a page gets a part: a function declared by [`chunk!`].
pub type Load<T> = fn() -> Pin<Box<dyn Future<Output = Result<T, ChunkMissing>>>>;

/// `chunk!(fn name() -> T = value;)` declares `name`, a [`Load<T>`] whose `value` (a
/// view function, say) lives in a part of its own. A failed fetch is an `Err`, not a
/// panic (which would stop the whole app), and the next call tries again.
#[macro_export]
macro_rules! chunk {
    ($(#[$doc:meta])* fn $name:ident() -> $part:ty = $value:expr;) => {
        $(#[$doc])*
        fn $name() -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<
            Output = ::std::result::Result<$part, $crate::chunk::ChunkMissing>,
        >>> {
            #[cfg_attr(
                feature = "split",
                $crate::chunk::wasm_split::wasm_split(
                    $name,
                    wasm_split_path = $crate::chunk::wasm_split,
                    fallible
                )
            )]
            fn $name() -> ::std::result::Result<$part, $crate::chunk::ChunkMissing> {
                ::std::result::Result::Ok($value)
            }
            #[cfg(feature = "split")]
            return ::std::boxed::Box::pin($name());
            #[cfg(not(feature = "split"))]
            return ::std::boxed::Box::pin(::std::future::ready($name()));
        }
    };
}

/// What `render` makes of a part once it is here: the loading line meanwhile, and if
/// it cannot be fetched, the network failure's card with a retry.
pub fn later<T>(
    load: Load<T>,
    render: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let part = LocalResource::new(load);
    let retry = Callback::new(move |()| part.refetch());
    view! {
        <Suspense fallback=Loading>
            {move || part.get().map(|loaded| match loaded {
                Ok(part) => render(part),
                Err(ChunkMissing) => view! { <RequestFailed error=ApiError::Network retry /> }.into_any(),
            })}
        </Suspense>
    }
}

/// A page that is a part of its own.
pub fn later_page(load: Load<fn() -> AnyView>) -> impl IntoView {
    later(load, |page| page())
}
