// mdbook-exec's page script: explorations, where a reader moves a control and the figure, the
// printed output and the values in the prose switch to another frame computed at build time;
// and formulas' glyphs put back as text (see `restoreGlyphs`).
//
// The page as built shows the default frame (that is all a reader without JavaScript, a search
// index or a printer sees). Every other variant of a frame's part waits, as HTML, in the
// `data-exec-variants` attribute of its group; this script puts them into the page once,
// stacked in the same grid cell and hidden, so the group keeps the size of its largest variant
// and switching only flips attributes (no layout jump, no parsing on input).
(function () {
  "use strict";

  // "0-3 7 9-10" -> a predicate over frame (or value) indices.
  function indexSet(text) {
    var ranges = (text || "").split(" ").filter(Boolean).map(function (part) {
      var ends = part.split("-").map(Number);
      return [ends[0], ends.length > 1 ? ends[1] : ends[0]];
    });
    return function (i) {
      for (var k = 0; k < ranges.length; k++) {
        if (i >= ranges[k][0] && i <= ranges[k][1]) return true;
      }
      return false;
    };
  }

  // Puts a group's variants into the page, each as a sibling of the default one.
  function unpack(group) {
    var inline = group.tagName === "SPAN" || group.tagName === "OUTPUT";
    var variants = JSON.parse(group.getAttribute("data-exec-variants") || "[]");
    group.removeAttribute("data-exec-variants");
    variants.forEach(function (v) {
      var el = document.createElement(inline ? "span" : "div");
      el.className = "exec-variant";
      el.setAttribute("data-exec-frames", v[0]);
      el.setAttribute("data-exec-off", "");
      el.innerHTML = v[1];
      group.appendChild(el);
    });
    var parts = [];
    for (var c = group.firstElementChild; c; c = c.nextElementSibling) {
      if (c.classList.contains("exec-variant")) parts.push({ el: c, has: indexSet(c.getAttribute("data-exec-frames")) });
    }
    return { by: group.getAttribute("data-exec-by"), parts: parts };
  }

  function show(group, index) {
    group.parts.forEach(function (p) {
      if (p.has(index)) p.el.removeAttribute("data-exec-off");
      else p.el.setAttribute("data-exec-off", "");
    });
  }

  function setUp(figure) {
    var key = figure.getAttribute("data-exec-explore");
    var sizes = (figure.getAttribute("data-exec-shape") || "").split(" ").map(Number);
    var inputs = Array.prototype.slice.call(figure.querySelectorAll("[data-exec-param]"));
    if (!key || inputs.length !== sizes.length) return;
    var groups = [];
    document.querySelectorAll(".exec-variants").forEach(function (g) {
      if (g.getAttribute("data-exec-explore") === key) groups.push(unpack(g));
    });

    function update() {
      var frame = 0;
      var chosen = inputs.map(function (input, p) {
        var i = Math.max(0, Math.min(sizes[p] - 1, Number(input.value) || 0));
        frame = frame * sizes[p] + i;
        var texts = input.getAttribute("data-exec-texts");
        if (texts && input.type === "range") input.setAttribute("aria-valuetext", JSON.parse(texts)[i]);
        return i;
      });
      groups.forEach(function (g) {
        var by = g.by;
        show(g, by && by.charAt(0) === "p" ? chosen[Number(by.slice(1))] : frame);
      });
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", update);
      input.addEventListener("change", update);
    });
    var controls = figure.querySelector(".exec-controls");
    if (controls) controls.hidden = false;
    update();
  }

  // A formula's glyphs arrive in `data-g` attributes (so that mdBook's search index, which reads
  // text only, holds each formula once, as its MathML), drawn by the stylesheet until this puts
  // them back as text: the page then is exactly what KaTeX wrote, down to the pixel.
  function restoreGlyphs() {
    document.querySelectorAll(".katex-html [data-g]").forEach(function (el) {
      el.insertBefore(document.createTextNode(el.getAttribute("data-g")), el.firstChild);
      el.removeAttribute("data-g");
    });
  }

  function start() {
    document.querySelectorAll("[data-exec-explore][data-exec-shape]").forEach(setUp);
    // After the explorations' variants are in the page, so that theirs are restored too.
    restoreGlyphs();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Boxes that scroll sideways (code, display math, tables on a narrow screen) take keyboard
// focus while they overflow, so that a reader without a mouse can scroll them too. Only the
// boxes that overflow are made focusable, and again whenever the window's width changes or a
// folded cell opens.
(function () {
  "use strict";

  var BOXES = "pre > code, .katex-display, .table-wrapper, .exec-table table";

  function mark() {
    document.querySelectorAll(BOXES).forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-exec-scrolls", "");
      } else if (!overflows && box.hasAttribute("data-exec-scrolls")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-exec-scrolls");
      }
    });
  }

  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      mark();
    });
  }

  window.addEventListener("load", mark);
  window.addEventListener("resize", later);
  // Code in a folded cell has no width until the fold opens (`toggle` does not bubble).
  document.addEventListener("toggle", later, true);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(later);
})();
