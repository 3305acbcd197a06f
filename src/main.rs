//! The browser entry point: mounts the app.

fn main() {
    console_error_panic_hook::set_once();
    care_portal::unboot();
    leptos::mount::mount_to_body(care_portal::App);
}
