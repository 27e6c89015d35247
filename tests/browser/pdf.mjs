// Checks a PDF printed from print.html against what the page says it holds, reading the PDF
// with poppler's `pdftohtml -xml` (text with positions and fonts per page, link annotations
// with their destination page, and the outline).
//
// - The outline (bookmarks) names every chapter.
// - A link within the book (to a figure, a table, an equation, another chapter) is a link in
//   the PDF too, and it leads to the page where its target is (the target's named
//   destination, which `pdfinfo -dests` lists).
// - No heading is the last text of its page, no caption that follows its figure begins a
//   page, and no caption that precedes its table ends one.
// - Nothing is wider than the text on paper (`printOverflow`, checked in the page itself).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What print.html holds, to hold the PDF against; runs in the page. */
export function printExpectations() {
  const norm = (s) => s.replace(/\s+/g, " ").trim();
  // The visible text only: KaTeX's MathML copy is not printed.
  const text = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll(".katex-mathml").forEach((m) => m.remove());
    return norm(copy.textContent);
  };
  const main = document.querySelector("main") ?? document.body;
  const label = (figure) => {
    const caption = figure.querySelector("figcaption");
    const number = caption?.querySelector(".exec-number");
    return number ? text(number) : caption ? text(caption).slice(0, 24) : "";
  };
  const figures = [...main.querySelectorAll("figure")].map((f) => {
    const caption = f.querySelector(":scope > figcaption");
    return { label: label(f), captionFirst: caption === f.firstElementChild };
  });
  // Links within the book (figures, tables, equations, other chapters); a heading's link to
  // itself (mdBook's `a.header`) leads nowhere new.
  const references = [];
  for (const a of main.querySelectorAll('a[href^="#"]:not(.header)')) {
    const id = decodeURIComponent(a.hash.slice(1));
    if (document.getElementById(id) && text(a)) references.push({ text: text(a), id });
  }
  return {
    chapters: [...main.querySelectorAll("h1")].map(text),
    headings: [...main.querySelectorAll("h1, h2, h3, h4")].map(text),
    figures,
    references,
  };
}

/**
 * What would be cut off on paper, where nothing scrolls: tables, formulas, code and figures
 * that reach past the right edge of the text. Runs in print.html under print media with the
 * viewport as wide as the printable part of the page.
 */
export function printOverflow() {
  const main = document.querySelector("main") ?? document.body;
  const edge = main.getBoundingClientRect().right;
  const found = [];
  for (const el of main.querySelectorAll("table, .katex-display > .katex, pre, figure svg, img")) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= edge + 1) continue;
    const number = el.closest("figure")?.querySelector(".exec-number")?.textContent;
    const what = number ?? `a ${el.tagName.toLowerCase()} ("${el.textContent.replace(/\s+/g, " ").trim().slice(0, 40)}")`;
    found.push(`${what} reaches ${Math.round(r.right - edge)} px past the text`);
  }
  return found;
}

const squash = (s) => s.replace(/&#160;|\u00a0/g, " ").replace(/\s+/g, " ").trim();
const unescape = (s) =>
  s.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** Pages (text lines in reading order, links) and outline items of a PDF, from poppler. */
function readPdf(pdf) {
  const dir = mkdtempSync(join(tmpdir(), "pdf-check-"));
  try {
    const file = join(dir, "book.pdf");
    writeFileSync(file, pdf);
    const xml = execFileSync("pdftohtml", ["-xml", "-i", "-q", "-stdout", file], { maxBuffer: 1 << 28 }).toString();
    const pages = [];
    for (const m of xml.matchAll(/<page number="(\d+)"[^>]*>([\s\S]*?)<\/page>/g)) {
      const lines = [];
      const links = [];
      for (const t of m[2].matchAll(/<text top="(\d+)" left="(\d+)"[^>]*>(.*?)<\/text>/g)) {
        const body = t[3];
        lines.push({ top: +t[1], left: +t[2], bold: body.includes("<b>"), text: squash(unescape(body)) });
        for (const a of body.matchAll(/<a href="[^"#]*#(\d+)">(.*?)<\/a>/g)) links.push({ page: +a[1], text: squash(unescape(a[2])) });
      }
      lines.sort((a, b) => a.top - b.top || a.left - b.left);
      pages.push({ number: +m[1], lines: lines.filter((l) => l.text), links });
    }
    const outline = [...xml.matchAll(/<item page="(\d+)">(.*?)<\/item>/g)].map((i) => squash(unescape(i[2])));
    const dests = new Map();
    const listing = execFileSync("pdfinfo", ["-dests", file], { maxBuffer: 1 << 26 }).toString();
    for (const d of listing.matchAll(/^\s*(\d+)\s+\[.*\]\s+"(.*)"$/gm)) dests.set(d[2], +d[1]);
    return { pages, outline, dests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Findings about `pdf` (a Buffer) against `expected` (from `printExpectations`). */
export function checkPdf(pdf, expected) {
  const findings = [];
  const { pages, outline, dests } = readPdf(pdf);
  const flat = (s) => s.replace(/[\s-]/g, "");

  const listed = new Set(outline.map(flat));
  for (const chapter of expected.chapters) {
    if (!listed.has(flat(chapter))) findings.push(`the outline has no entry for the chapter "${chapter}"`);
  }

  // Headings link to themselves; those links are not references.
  const headingSet = new Set(expected.headings.map(flat));
  const links = pages.flatMap((p) => p.links.map((l) => ({ ...l, from: p.number }))).filter((l) => !headingSet.has(flat(l.text)));
  for (const ref of expected.references) {
    const target = dests.get(ref.id);
    if (!target) {
      findings.push(`"${ref.text}" links to #${ref.id}, which the PDF has no destination for`);
      continue;
    }
    // poppler gives a link's text as pieces: a link wrapped over lines comes in parts (the
    // first ending in its hyphen), and a piece may take in a word next to the link.
    const part = (l) => l.text.replace(/-$/, "");
    const found = links.filter((l) => l.text.includes(ref.text) || (part(l).length > 2 && ref.text.includes(part(l))));
    if (!found.length) findings.push(`"${ref.text}" (to #${ref.id}) is not a link in the PDF`);
    for (const l of found.filter((l) => l.page !== target && !expected.references.some((r) => r !== ref && dests.get(r.id) === l.page))) {
      findings.push(`the link "${ref.text}" on page ${l.from} leads to page ${l.page}, but #${ref.id} is on page ${target}`);
    }
  }

  const headings = expected.headings.map(flat);
  const isHeading = (line) => line.bold && line.text.length > 2 && headings.some((h) => h.includes(flat(line.text)));
  const after = expected.figures.filter((f) => !f.captionFirst && f.label).map((f) => f.label);
  const before = expected.figures.filter((f) => f.captionFirst && f.label).map((f) => f.label);
  for (const page of pages.slice(0, -1)) {
    const last = page.lines.at(-1);
    if (last && isHeading(last)) findings.push(`page ${page.number} ends with the heading "${last.text}"`);
    if (last && before.some((l) => last.text.startsWith(l))) findings.push(`page ${page.number} ends with the caption "${last.text}", apart from its table`);
  }
  for (const page of pages.slice(1)) {
    const first = page.lines[0];
    if (first && after.some((l) => first.text.startsWith(l))) findings.push(`page ${page.number} begins with the caption "${first.text}", apart from its figure`);
  }
  return findings;
}
