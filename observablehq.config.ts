// Observable Framework configuration: a static, offline, self-hosted report. Pages are added to the
// sidebar in reading order: the data, then the model, its training and metrics, then the classifier.
export default {
  title: "FER2013, measured",
  root: "src",
  output: "dist",
  // The default global stylesheet pulls web fonts from a CDN; src/style.css bundles everything locally.
  globalStylesheets: [],
  style: "style.css",
  pages: [
    {name: "Dataset explorer", path: "/pages/dataset"},
    {name: "Architecture", path: "/pages/architecture"},
    {name: "Training", path: "/pages/training"},
    {name: "Metrics", path: "/pages/metrics"},
    {name: "Classifier", path: "/pages/classifier"},
    {name: "Browser check", path: "/pages/browser-check"},
    {name: "The original project, checked", path: "/pages/original"}
  ],
  // An inline icon: without one the browser asks the server for /favicon.ico, a 404 on every page.
  head: `<meta name="color-scheme" content="light dark"><link rel="icon" href="data:image/svg+xml,${encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#e9a03b"/>' +
      '<circle cx="5.5" cy="6.5" r="1" fill="#1b1e23"/><circle cx="10.5" cy="6.5" r="1" fill="#1b1e23"/>' +
      '<path d="M4.8 9.6q3.2 3 6.4 0" stroke="#1b1e23" stroke-width="1.2" fill="none" stroke-linecap="round"/></svg>'
  )}">`,
  footer: "FER2013: Goodfellow et al., \"Challenges in Representation Learning\", ICML 2013 workshop. This site loads nothing from other origins.",
  toc: false,
  search: false,
  linkify: true
};
