// Observable Framework configuration: a static, offline, self-hosted report.
export default {
  title: "FER2013, measured",
  root: "src",
  output: "dist",
  // The default stylesheet pulls web fonts from a CDN; ours is self-contained.
  globalStylesheets: [],
  pages: [
    {name: "Dataset explorer", path: "/pages/dataset"}
  ],
  head: '<meta name="color-scheme" content="light dark">',
  footer: "Computed on your own machine from FER2013 (Goodfellow et al., 2013). No face leaves your device.",
  search: false,
  linkify: true
};
