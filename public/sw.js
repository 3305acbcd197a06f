// The owners' app offline: the app shell (index.html and the hashed JS and Wasm that
// `cargo xtask` lists below at build time) is kept in a cache named after the build,
// so a reload without a network shows the app, and the calculator and every preview
// run (the rules are in the Wasm). A new build installs a new worker with a new cache
// and deletes the old one.
//
// Never touched: the API (`/api/…`, always the network: what needs the server says so
// in the page), the staff console, and other origins. Navigations go to the network
// first, so a page is always the current one while online; only the shell is stored,
// under `/`, never a page's own address (claim and case links are capabilities).
const BUILD = 'BUILD';
const SHELL = [];

self.addEventListener('install', (event) => {
  // The hashed files come from the browser's HTTP cache (they were just loaded and
  // are immutable), so installing downloads nothing again.
  event.waitUntil(caches.open(BUILD).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== BUILD).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/staff' || url.pathname.startsWith('/staff/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => caches.match('/')));
    return;
  }
  event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
});
