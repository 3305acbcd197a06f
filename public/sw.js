// The owners' app offline. The app comes as one bundle per journey (home, coverage,
// activation, verification, claims: rules/src/journey.rs); `cargo xtask` lists each
// bundle's page and hashed JS and Wasm below at build time, and names the cache after
// the build, so a new build installs a new worker with a new cache and deletes the old.
//
// Kept: on install, the bundles of the pages open now (their files come from the HTTP
// cache: nothing is downloaded twice); every other bundle on its first use. So a reload
// without a network shows the app, and the calculator and every preview run (the rules
// are in the Wasm).
//
// Never touched: the API (`/api/…`, always the network: what needs the server says so
// in the page), the staff console, and other origins. Navigations go to the network
// first, so a page is always the current one while online; offline, a journey never
// opened here gets the home bundle, which says that page needs the internet once. A
// bundle's page is kept under its own address (`/`, `/bundle/<journey>/`), never under
// a page's address (claim and case links are capabilities).
const BUILD = 'BUILD';
const SHELLS = {};
// The parts of the bundles fetched on first use (the wizard's later steps, say): kept
// once fetched, so a step seen online also works offline.
const PARTS = [];

// The journey of an address, by its first segment, as `Journey::for_path` decides.
const FIRST_SEGMENT = { coverage: 'coverage', activate: 'activation', verification: 'verification', claims: 'claims', me: 'owner' };
const journeyOf = (path) => FIRST_SEGMENT[path.split('/')[1]] || 'home';
const pageOf = (journey) => SHELLS[journey][0];
const kept = new Set([...Object.values(SHELLS).flat(), ...PARTS]);

// A bundle's page as the open window got it: from the browser's cache, never again from
// the network (the address may be a capability link, and the page was just downloaded);
// if the browser kept none, the page at its own address.
const keepPage = (cache, journey, address) =>
  fetch(address, { cache: 'only-if-cached', mode: 'same-origin' })
    .then((response) => (response.ok ? response : Promise.reject(new Error('not kept'))))
    .catch(() => fetch(pageOf(journey)))
    .then((response) => (response.ok ? cache.put(pageOf(journey), response) : Promise.reject(new Error(`${pageOf(journey)}: ${response.status}`))));

self.addEventListener('install', (event) => {
  event.waitUntil(
    Promise.all([self.clients.matchAll({ type: 'window', includeUncontrolled: true }), caches.open(BUILD)])
      .then(([windows, cache]) => {
        const open = new Map(windows.map((w) => [journeyOf(new URL(w.url).pathname), w.url]));
        return Promise.all([...open].flatMap(([journey, address]) => [
          keepPage(cache, journey, address),
          cache.addAll(SHELLS[journey].slice(1)),
        ]));
      })
      .then(() => self.skipWaiting()),
  );
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
    const page = pageOf(journeyOf(url.pathname));
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            event.waitUntil(caches.open(BUILD).then((cache) => cache.put(page, copy)));
          }
          return response;
        })
        .catch(() => caches.match(page).then((shell) => shell || caches.match(pageOf('home')))),
    );
    return;
  }
  if (!kept.has(url.pathname)) return;
  event.respondWith(
    caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(BUILD).then((cache) => cache.put(request, copy)));
      }
      return response;
    })),
  );
});
