// The workspace's service worker: it makes the app installable and shows the offline page when a
// page cannot be loaded for want of a network. It caches only that page and its static files —
// never a page with a tenant's records, so nothing is left behind on a shared device.
"use strict";

var CACHE = "relata-offline-v1";
var OFFLINE_URL = "/offline/";

self.addEventListener("install", function (event) {
  // The page registering the worker names the static files the offline page needs (their names
  // carry content hashes in production).
  var assets = new URL(self.location.href).searchParams.getAll("asset");
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll([OFFLINE_URL].concat(assets));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) {
        return caches.delete(key);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE_URL); }));
    return;
  }
  var url = new URL(request.url);
  if (url.origin === self.location.origin && url.pathname.indexOf("/static/") === 0) {
    // Network first, the cached copy offline: a stale stylesheet never outlives a deploy.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(request).then(function (cached) { return cached || Response.error(); });
    }));
  }
});
