// Issue #18: the workbench's service worker. It makes the workbench installable (a PWA on an
// agent's phone) and shows buyers' messages as notifications where pages cannot construct them
// (Android). It caches nothing: the workbench is live data, and a stale app would be worse than
// none — every request goes to the network as if no worker were here.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', () => {
  // No respondWith: the browser fetches as usual.
});
// A tap on a notification brings the workbench forward on that conversation.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const conversationId = event.notification.data && event.notification.data.conversationId;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).pathname.startsWith('/workbench/'));
      if (open) {
        if (conversationId) open.postMessage({ type: 'open-conversation', conversationId });
        return open.focus();
      }
      return self.clients.openWindow(`/workbench/${conversationId ? `#c=${conversationId}` : ''}`);
    }),
  );
});
