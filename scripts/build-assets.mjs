// Copies the front-end packages' built files from node_modules into static/vendor/,
// where Django's staticfiles (and whitenoise) serve them. Run by `make assets`.
import { cpSync, mkdirSync, rmSync } from "node:fs";

const vendor = "static/vendor";
const files = [
  // Tabler: a design system compiled on Bootstrap 5 (the same classes, its own look); Bootstrap's
  // own JavaScript drives the components.
  ["@tabler/core/dist/css/tabler.min.css", "tabler.min.css"],
  ["@tabler/core/dist/css/tabler.min.css.map", "tabler.min.css.map"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap.bundle.min.js.map"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  // Alpine's CSP build: evaluates attribute expressions without eval / new Function.
  ["@alpinejs/csp/dist/cdn.min.js", "alpine-csp.min.js"],
  ["sortablejs/Sortable.min.js", "sortable.min.js"],
  ["fullcalendar/index.global.min.js", "fullcalendar.min.js"],
  ["@fullcalendar/core/locales-all.global.min.js", "fullcalendar-locales.min.js"],
  ["chart.js/dist/chart.umd.min.js", "chart.umd.min.js"],
  ["chart.js/dist/chart.umd.min.js.map", "chart.umd.min.js.map"],
  // Dashboards' grid: widgets moved and resized by dragging; no eval, no inline handlers.
  ["gridstack/dist/gridstack-all.js", "gridstack-all.js"],
  ["gridstack/dist/gridstack-all.js.map", "gridstack-all.js.map"],
  ["gridstack/dist/gridstack.min.css", "gridstack.min.css"],
  // The note editor: no eval, no inline handlers; its own <style> element is allowed by style-src.
  ["trix/dist/trix.umd.min.js", "trix.umd.min.js"],
  ["trix/dist/trix.umd.min.js.map", "trix.umd.min.js.map"],
  ["trix/dist/trix.css", "trix.css"],
  // Unicode text (ș, ł, ђ, Cyrillic) in generated PDFs.
  ["dejavu-fonts-ttf/ttf/DejaVuSans.ttf", "fonts/DejaVuSans.ttf"],
  ["dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", "fonts/DejaVuSans-Bold.ttf"],
  ["dejavu-fonts-ttf/LICENSE", "fonts/LICENSE-DejaVu"],
];

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
for (const [source, target] of files) {
  cpSync(`node_modules/${source}`, `${vendor}/${target}`, { recursive: true });
}
console.log(`copied ${files.length} front-end assets into ${vendor}/`);
