// MathJax 3 for the equations of the pages (pymdownx.arithmatex, generic mode) and of the
// tutorial notebook's Markdown cells (mkdocs-jupyter renders them with $...$ and $$...$$);
// nothing else is scanned, so a "$" elsewhere is left alone.
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex|jp-RenderedMarkdown" },
};
document$.subscribe(() => { MathJax.typesetPromise(); });
