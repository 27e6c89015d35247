// Checks a built book the way readers meet it, in headless Chromium, with the site served from
// a local static server under a sub-path (as GitHub Pages serves a project site):
//
// - layout: at phone and tablet widths no page scrolls sideways;
// - accessibility: axe-core finds no serious or critical violation in mdbook-exec's output in
//   any of mdBook's five themes, nor elsewhere in the light and coal themes beyond the listed
//   findings in mdBook's own theme; figures have a text alternative;
// - links: every link, stylesheet (with its @imports and url()s), font, script, image and
//   download of every page resolves, fragments name an element of their page, nothing leaves
//   the sub-path, and the 404 page works at any depth;
// - print: print.html prints to a PDF with an outline and working internal links, where no
//   chapter title ends a page and no figure caption begins one;
// - explorations: every control moves (by keyboard for a slider), and within the same animation
//   frame the figure's parts and the values that follow it show the frame the controls name,
//   with no layout jump and no console error; the same again with each such page opened from
//   file://, as a copy of the site on disk is;
//
// Pages are found by walking the site, so whatever the book adds (explorations, folded code,
// downloads, error panels) is checked without listing it here.
//
//   node check.mjs --site <dir> --base /<repository>/ [--chromium <path>] [--out <dir>]
//
// Prints one line per finding and exits 1 when there is any; `--out` keeps screenshots and the
// PDF for a person to look at.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import puppeteer from "puppeteer-core";
import { serve } from "./serve.mjs";
import { checkPdf, printExpectations, printOverflow } from "./pdf.mjs";

const require = createRequire(import.meta.url);

const { values: args } = parseArgs({
  options: {
    site: { type: "string" },
    base: { type: "string", default: "/book/" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    out: { type: "string" },
    // For iterating on one part: layout, axe, links, explore or pdf (default: all of them).
    only: { type: "string" },
  },
});

/** Widths at which no page may scroll sideways: a phone and a portrait tablet. */
const WIDTHS = [390, 768];
/** The width at which accessibility and links are checked: a laptop, sidebar shown. */
const DESKTOP = 1280;
/** mdBook's five themes: axe-core runs in each, the rest of the checks in the first. */
const THEMES = ["light", "rust", "coal", "navy", "ayu"];
/**
 * The themes in which findings outside mdbook-exec's own output are compared with the list
 * below. In the others only mdbook-exec's output is judged (the theme's own findings there are
 * mdBook's to fix), and every serious finding inside it fails.
 */
const LISTED_THEMES = ["light", "coal"];
/** What mdbook-exec writes into a page: its `exec-*` elements and the formulas KaTeX set. */
const OURS = "[class^='exec-'], [class*=' exec-'], .katex";

/**
 * Findings of axe-core in mdBook 0.5.4's own theme, which a book cannot change without
 * replacing or restyling the theme. Each names the rule, the elements (a CSS selector the
 * offending element matches), the themes where it occurs and why it is accepted. Nothing inside
 * mdbook-exec's own output (`exec-*` classes, KaTeX) is ever accepted; a finding on any other
 * element fails, and so does an entry that no longer matches anything, so this list stays true.
 */
const MDBOOK_THEME_FINDINGS = [
  {
    rule: "aria-allowed-attr",
    selector: "#mdbook-sidebar-toggle",
    themes: ["light", "coal"],
    why: "the theme's sidebar toggle is a <label> with aria-controls; only a replaced index.hbs could change it",
  },
  {
    rule: "aria-prohibited-attr",
    selector: "#mdbook-sidebar-toggle",
    themes: ["light", "coal"],
    why: "the same <label> carries aria-label, which a label without a role may not; the template's markup",
  },
  {
    rule: "color-contrast",
    selector: "#mdbook-menu-bar *, #mdbook-sidebar *",
    themes: ["coal"],
    why: "coal's menu title and sidebar colours (current chapter, current heading) on its dark background",
  },
  {
    rule: "color-contrast",
    selector: "main a, main a *",
    themes: ["coal"],
    why: "coal's link colour (#2b79a2 on #141617, about 3.8:1) on the book's own markdown links; references to figures, tables and equations are mdbook-exec's and are styled to pass",
  },
  {
    rule: "link-in-text-block",
    selector: "main a",
    themes: ["coal"],
    why: "the theme tells the book's markdown links from text by colour alone; against coal's grey text no link colour reaches 3:1 while keeping 4.5:1 on the background (mdbook-exec's references are underlined)",
  },
  {
    rule: "color-contrast",
    selector: ".table-wrapper th, .table-wrapper th *",
    themes: ["coal"],
    why: "coal's table header background (hsl(200, 7%, 28%)) under its grey text, in markdown tables",
  },
  {
    rule: "document-title",
    page: "toc.html",
    selector: "html",
    themes: ["light", "coal"],
    why: "toc.html is the sidebar's table of contents, framed into pages for readers without JavaScript; the theme gives it no <title>",
  },
  {
    rule: "color-contrast",
    selector: "code .hljs-attr",
    themes: ["coal"],
    why: "the syntax colours of highlight.js's theme that coal uses (keys in TOML examples)",
  },
];

const runs = (part) => !args.only || args.only === part;

const findings = [];
const finding = (what) => findings.push(what);

async function htmlPages(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".html")) {
      out.push(relative(dir, join(entry.parentPath ?? entry.path, entry.name)).split("\\").join("/"));
    }
  }
  return out.sort();
}

/** A new browser context whose pages start in `theme`. */
async function context(browser, theme) {
  const ctx = await browser.createBrowserContext();
  ctx.preparePage = async (page) => {
    await page.evaluateOnNewDocument((t) => {
      localStorage.setItem("mdbook-theme", t);
      // print.html prints itself on load; printing is done here through the protocol.
      window.print = () => {};
    }, theme);
  };
  return ctx;
}

/** Opens `url` in a fresh page of `ctx`, recording every failed request against `where`. */
async function open(ctx, url, width, where) {
  const page = await ctx.newPage();
  await ctx.preparePage(page);
  const seen = new Set();
  const failed = (url, why) => {
    // Chromium asks for /favicon.ico at the server's root by itself when a page (toc.html)
    // names no icon; that is no reference of the site's.
    if (new URL(url).pathname === "/favicon.ico" || seen.has(url)) return;
    seen.add(url);
    finding(`${where}: ${url} ${why}`);
  };
  page.on("response", (res) => {
    // The 404 page is expected to answer 404 itself.
    if (res.status() >= 400 && res.url() !== url) failed(res.url(), `answered ${res.status()}`);
  });
  page.on("requestfailed", (req) => failed(req.url(), `failed to load (${req.failure()?.errorText})`));
  page.on("pageerror", (err) => finding(`${where}: script error: ${err.message}`));
  page.on("console", (msg) => {
    // A resource that fails is reported above with its address.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) finding(`${where}: console error: ${msg.text()}`);
  });
  await page.setViewport({ width, height: 900 });
  const response = await page.goto(url, { waitUntil: "load" });
  await page.evaluate(() => document.fonts.ready);
  return { page, response };
}

// ---------------------------------------------------------------------------------------
// Layout

/** What makes a page wider than its window, or null when it fits. Runs in the page. */
function sidewaysScroll() {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    for (const c of el.classList) s += `.${c}`;
    return s;
  };
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) parts.unshift(name(e));
    return parts.slice(-4).join(" > ");
  };
  // Content inside a box that clips or scrolls sideways does not widen the page.
  const contained = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== "visible") return true;
    }
    return false;
  };
  // An element that sticks out while its parent does not is where the overflow starts.
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    const p = el.parentElement?.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0 && p && p.right <= width + 1 && !contained(el)) {
      culprits.push(`${path(el)} (right edge at ${Math.round(r.right)} px)`);
    }
  }
  return { scrollWidth: root.scrollWidth, width, culprits: culprits.slice(0, 4) };
}

async function checkLayout(ctx, url, name, width) {
  const { page } = await open(ctx, url, width, `${name} at ${width} px`);
  const wide = await page.evaluate(sidewaysScroll);
  if (wide) {
    finding(
      `layout: ${name} at ${width} px is ${wide.scrollWidth} px wide and scrolls sideways; ` +
        `sticking out: ${wide.culprits.join("; ") || "(nothing found)"}`,
    );
  }
  if (args.out && width === WIDTHS[0]) {
    await page.screenshot({ path: join(args.out, `${name.replaceAll("/", "_")}-${width}.png`), fullPage: true });
  }
  await page.close();
}

// ---------------------------------------------------------------------------------------
// Accessibility

const AXE = require.resolve("axe-core/axe.min.js");
const allowUsed = new Set();

async function checkAxe(page, name, theme) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    for (const node of v.nodes) {
      const target = node.target.at(-1);
      const candidates = MDBOOK_THEME_FINDINGS.map((a, i) => ({ ...a, i })).filter(
        (a) => a.rule === v.id && a.themes.includes(theme) && (!a.page || a.page === name),
      );
      // Which entries describe the element; none does for mdbook-exec's own output.
      const { ours, matched } = await page.evaluate(
        (target, selectors, OURS) => {
          const el = document.querySelector(target);
          if (!el) return { ours: false, matched: [] };
          if (el.closest(OURS)) return { ours: true, matched: [] };
          return { ours: false, matched: selectors.filter((s) => el.matches(s.selector)).map((s) => s.i) };
        },
        target,
        candidates.map(({ selector, i }) => ({ selector, i })),
        OURS,
      );
      if (!ours && !LISTED_THEMES.includes(theme)) continue;
      if (matched.length) {
        matched.forEach((i) => allowUsed.add(i));
        continue;
      }
      const summary = (node.failureSummary || "").split("\n").slice(1, 2).join(" ").trim();
      finding(`axe (${theme}): ${name}: ${v.id} (${v.impact}) on \`${node.target.join(" ")}\`: ${v.help}. ${summary}`);
    }
  }
}

/**
 * What a screen reader gets from mdbook-exec's output: every figure's image is named by its
 * caption (with its number, and math as words, not TeX) and a chart is described by its
 * series; checks and printed output are text that is not hidden from assistive technology.
 */
async function checkScreenReader(page, name) {
  for (const figure of await page.$$("figure.exec-figure")) {
    const svg = await figure.$("svg");
    const { id, number, desc } = await figure.evaluate((f) => ({
      id: f.id || "(no id)",
      number: f.querySelector("figcaption .exec-number")?.textContent.trim() ?? "",
      desc: f.querySelector("svg > desc")?.textContent.trim() ?? "",
    }));
    const node = svg && (await page.accessibility.snapshot({ root: svg, interestingOnly: false }));
    const said = `${node?.name ?? ""}`;
    if (node?.role !== "image" && node?.role !== "img") finding(`screen reader: ${name}: figure ${id} is not an image (role ${node?.role})`);
    if (!number || !said.includes(number.replace(/:$/, ""))) finding(`screen reader: ${name}: figure ${id} is named "${said}", not by its caption`);
    if (/\$|\\[a-zA-Z]/.test(said)) finding(`screen reader: ${name}: figure ${id}'s name holds raw TeX: ${said}`);
    if (desc && !(node?.description ?? "").includes(desc.slice(0, 20))) finding(`screen reader: ${name}: figure ${id}'s <desc> is not its description`);
  }
  const hidden = await page.evaluate(() =>
    [...document.querySelectorAll(".exec-checks li, .exec-output pre")]
      // An exploration's other frames are hidden on purpose until a control shows them.
      .filter((el) => !el.closest(".exec-variant:not([data-exec-default])"))
      .filter((el) => el.closest("[aria-hidden='true']") || !el.innerText.trim())
      .map((el) => el.className || el.tagName),
  );
  for (const h of hidden) finding(`screen reader: ${name}: a ${h} is hidden from screen readers or empty`);
}

// ---------------------------------------------------------------------------------------
// Explorations

/**
 * The state of every group that follows an exploration: for each, which frames (or values)
 * its visible alternative is for. Runs in the page.
 */
function explorationState(key) {
  const groups = [...document.querySelectorAll(".exec-variants")].filter((g) => g.getAttribute("data-exec-explore") === key);
  return groups.map((g) => {
    const shown = [...g.children].filter((c) => c.classList.contains("exec-variant") && !c.hasAttribute("data-exec-off"));
    return {
      by: g.getAttribute("data-exec-by") || "frame",
      inProse: !g.closest("figure"),
      variants: [...g.children].filter((c) => c.classList.contains("exec-variant")).length,
      shown: shown.map((c) => c.getAttribute("data-exec-frames")),
      html: shown.map((c) => c.innerHTML.length).join(","),
    };
  });
}

/** Whether "0-3 7" holds `i`. */
function inSet(set, i) {
  return set.split(" ").filter(Boolean).some((part) => {
    const [a, b] = part.split("-").map(Number);
    return i >= a && i <= (b ?? a);
  });
}

async function checkExplorations(page, name) {
  const figures = await page.$$("figure[data-exec-explore][data-exec-shape]");
  for (const figure of figures) {
    const { key, shape, hidden } = await figure.evaluate((f) => ({
      key: f.getAttribute("data-exec-explore"),
      shape: f.getAttribute("data-exec-shape").split(" ").map(Number),
      hidden: f.querySelector(".exec-controls").hidden,
    }));
    const where = `exploration: ${name}: ${key}`;
    if (hidden) finding(`${where}: the controls stay hidden although the script ran`);
    const controls = await figure.$$("[data-exec-param]");
    if (controls.length !== shape.length) {
      finding(`${where}: ${controls.length} controls for ${shape.length} parameters`);
      continue;
    }
    const before = await page.evaluate(explorationState, key);
    if (!before.some((g) => g.variants > 1)) finding(`${where}: nothing on the page has alternatives to switch`);
    const height = await figure.evaluate((f) => f.getBoundingClientRect().height);
    for (const [p, control] of controls.entries()) {
      const tag = await control.evaluate((c) => c.tagName);
      const from = Number(await control.evaluate((c) => c.value));
      if (tag === "INPUT") {
        // A reader with a keyboard: focus the slider and press an arrow key.
        await control.focus();
        await page.keyboard.press(from + 1 < shape[p] ? "ArrowRight" : "ArrowLeft");
      } else {
        await control.select(String(from + 1 < shape[p] ? from + 1 : from - 1));
      }
      // The input handler switches synchronously, so the state read right after the event,
      // before the browser paints again, is what the next frame shows.
      const values = await Promise.all(controls.map((c) => c.evaluate((e) => Number(e.value))));
      if (values[p] === from) {
        finding(`${where}: control ${p + 1} did not move`);
        continue;
      }
      const frame = values.reduce((acc, v, i) => acc * shape[i] + v, 0);
      const after = await page.evaluate(explorationState, key);
      let changed = false;
      for (const [g, state] of after.entries()) {
        if (state.variants <= 1) continue;
        const want = state.by === "frame" ? frame : values[Number(state.by.slice(1))];
        if (state.shown.length !== 1 || !inSet(state.shown[0], want)) {
          finding(`${where}: after moving control ${p + 1}, group ${g + 1}${state.inProse ? " (in the prose)" : ""} shows ${JSON.stringify(state.shown)}, not the alternative for ${want}`);
        }
        if (state.html !== before[g].html || state.shown[0] !== before[g].shown[0]) changed = true;
      }
      if (!changed) finding(`${where}: moving control ${p + 1} changed nothing on the page`);
      const now = await figure.evaluate((f) => f.getBoundingClientRect().height);
      if (Math.abs(now - height) > 0.5) finding(`${where}: moving control ${p + 1} changed the figure's height from ${height} to ${now}`);
    }
  }
  return figures.length;
}

// ---------------------------------------------------------------------------------------
// Links and resources

/** Everything a page refers to, with the ids it defines; runs in the page. */
function references() {
  const refs = [];
  const add = (kind, url, text) => url && refs.push({ kind, url, text: (text || "").trim().slice(0, 40) });
  for (const a of document.querySelectorAll("a[href]")) add(a.hasAttribute("download") ? "download" : "link", a.href, a.textContent);
  for (const l of document.querySelectorAll("link[href]")) add(`link rel=${l.rel}`, l.href);
  for (const s of document.querySelectorAll("script[src]")) add("script", s.src);
  for (const i of document.querySelectorAll("img[src], source[src], iframe[src], object[data]")) add(i.tagName.toLowerCase(), i.src || i.data);
  for (const u of document.querySelectorAll("image[href], use[href]")) add(u.tagName.toLowerCase(), new URL(u.getAttribute("href"), document.baseURI).href);
  // mdBook's search loads its index only when a reader opens the search bar.
  if (typeof path_to_searchindex_js === "string") {
    add("search index", new URL(`${typeof path_to_root === "string" ? path_to_root : ""}${path_to_searchindex_js}`, document.baseURI).href);
  }
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  for (const a of document.querySelectorAll("a[name]")) ids.push(a.name);
  return { refs, ids };
}

/**
 * What a stylesheet loads: its @imports and url()s. A font's `src` lists formats in order of
 * preference and a browser loads the first it supports, so only the first of each list counts;
 * the rest (KaTeX lists WOFF and TrueType after WOFF2, which every current browser reads) are
 * fallbacks that the site does not ship.
 */
function cssReferences(css) {
  const refs = [];
  const urls = (text) => [...text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]);
  const rest = css.replace(/@font-face\s*\{([^}]*)\}/g, (_, body) => {
    const first = urls(body)[0];
    if (first) refs.push({ kind: "font", ref: first });
    return "";
  });
  for (const m of rest.matchAll(/@import\s+(?:url\(\s*)?["']?([^"')\s;]+)/g)) refs.push({ kind: "@import", ref: m[1] });
  for (const ref of urls(rest.replace(/@import[^;]*;/g, ""))) refs.push({ kind: "url()", ref });
  return refs;
}

/** Loads every same-site URL once and checks links into pages name an existing element. */
class Crawl {
  constructor(site) {
    this.site = site;
    this.status = new Map(); // url without fragment -> Promise<{status, type, text}>
    this.ids = new Map(); // page url -> Set of ids
    this.pending = []; // { from, kind, url, text }
  }

  add(from, { refs, ids }, pageUrl) {
    this.ids.set(pageUrl, new Set(ids));
    for (const r of refs) this.pending.push({ from, ...r });
  }

  fetch(url) {
    if (!this.status.has(url)) {
      this.status.set(
        url,
        fetch(url).then(async (res) => {
          const type = res.headers.get("content-type") || "";
          const text = /css|html/.test(type) ? await res.text() : "";
          return { status: res.status, type, text };
        }),
      );
    }
    return this.status.get(url);
  }

  async check() {
    const seenCss = new Set();
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      await Promise.all(batch.map((r) => this.checkOne(r, seenCss)));
    }
  }

  async checkOne({ from, kind, url, text }, seenCss) {
    const u = new URL(url);
    if (u.protocol === "mailto:" || u.protocol === "javascript:") return;
    if (u.origin !== this.site.origin) {
      if (u.protocol !== "https:") finding(`links: ${from}: ${kind} to ${url} is not https`);
      return; // No network here; other sites are not checked.
    }
    const label = `${kind}${text ? ` "${text}"` : ""}`;
    if (!u.pathname.startsWith(new URL(this.site.url).pathname)) {
      finding(`links: ${from}: ${label} points to ${u.pathname}, outside the site's sub-path`);
      return;
    }
    const bare = u.origin + u.pathname;
    const res = await this.fetch(bare);
    if (res.status !== 200) {
      finding(`links: ${from}: ${label} to ${u.pathname} answered ${res.status}`);
      return;
    }
    if (u.hash.length > 1 && res.type.includes("html")) {
      const id = decodeURIComponent(u.hash.slice(1));
      const ids = this.ids.get(bare) ?? new Set([...res.text.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]));
      if (!ids.has(id)) finding(`links: ${from}: ${label} to ${u.pathname}${u.hash}: the page has no element with that id`);
    }
    if (res.type.includes("css") && !seenCss.has(bare)) {
      seenCss.add(bare);
      for (const { kind, ref } of cssReferences(res.text)) {
        if (!ref.startsWith("data:")) this.pending.push({ from: u.pathname, kind, url: new URL(ref, bare).href, text: "" });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------

async function main() {
  if (!args.site || !args.base.startsWith("/") || !args.base.endsWith("/")) {
    console.error("usage: node check.mjs --site <dir> --base /<sub-path>/ [--chromium <path>] [--out <dir>]");
    process.exit(2);
  }
  if (args.out) await mkdir(args.out, { recursive: true });
  const pages = await htmlPages(args.site);
  const site = await serve(args.site, args.base);
  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const crawl = new Crawl(site);
  let explorations = 0;
  let fromFile = 0;
  const withExplorations = [];
  try {
    for (const theme of runs("axe") ? THEMES : THEMES.slice(0, 1)) {
      const ctx = await context(browser, theme);
      for (const name of pages) {
        const url = site.url + name;
        const { page } = await open(ctx, url, DESKTOP, `${name} (${theme})`);
        if (runs("axe")) await checkAxe(page, name, theme);
        if (theme === THEMES[0]) {
          if (runs("links")) crawl.add(name, await page.evaluate(references), url);
          if (runs("axe")) await checkScreenReader(page, name);
          if (runs("explore")) {
            const found = await checkExplorations(page, name);
            if (found) withExplorations.push(name);
            explorations += found;
          }
          if (runs("layout")) for (const width of WIDTHS) await checkLayout(ctx, url, name, width);
        }
        await page.close();
      }
      await ctx.close();
    }
    // The same again from file://, as a copy of the site on disk is opened: no server at all.
    if (runs("explore")) {
      const ctx = await context(browser, "light");
      for (const name of withExplorations) {
        const url = pathToFileURL(join(resolve(args.site), name)).href;
        const { page } = await open(ctx, url, DESKTOP, `${name} (file://)`);
        fromFile += await checkExplorations(page, `${name} (file://)`);
        await page.close();
      }
      await ctx.close();
      if (fromFile !== explorations) finding(`explorations: ${explorations} work when served, ${fromFile} from file://`);
    }
    if (runs("links")) await checkNotFound(browser, site, crawl);
    await crawl.check();
    if (runs("pdf")) await printAndCheck(browser, site);
  } finally {
    await browser.close();
    await site.close();
  }
  MDBOOK_THEME_FINDINGS.forEach((a, i) => {
    if (runs("axe") && !allowUsed.has(i)) finding(`axe: the accepted mdBook finding ${a.rule} on \`${a.selector}\` no longer occurs: remove it from the list`);
  });
  for (const f of findings) console.log(f);
  console.log(`checked ${pages.length} pages and ${explorations} explorations (${fromFile} of them again from file://): ${findings.length} finding(s)`);
  process.exit(findings.length ? 1 : 0);
}

/** The 404 page, served for a missing path at two depths, and everything it links to. */
async function checkNotFound(browser, site, crawl) {
  const ctx = await context(browser, "light");
  for (const missing of ["no-such-page.html", "no/such/folder/page.html"]) {
    const url = site.url + missing;
    const { page, response } = await open(ctx, url, DESKTOP, `404 at ${missing}`);
    if (response.status() !== 404) finding(`404: ${missing} answered ${response.status()}, not 404`);
    const refs = await page.evaluate(references);
    // Fragments on the 404 page point into other pages; its own ids are not those pages'.
    crawl.add(`404 page at ${missing}`, { refs: refs.refs, ids: [] }, url);
    await page.close();
  }
  await ctx.close();
}

async function printAndCheck(browser, site) {
  const ctx = await context(browser, "light");
  const { page } = await open(ctx, site.url + "print.html", DESKTOP, "print.html (print)");
  const expected = await page.evaluate(printExpectations);
  // The outline comes from the headings, and tagging gives it (and screen readers) structure.
  const pdf = await page.pdf({ outline: true, tagged: true, format: "letter", timeout: 120_000 });
  // Paper does not scroll. The printable width of A4 with Chromium's default margins of 0.4 in
  // (the narrower of A4 and letter): 210 mm - 0.8 in = 717 CSS px.
  await page.emulateMediaType("print");
  await page.setViewport({ width: 717, height: 1000 });
  for (const f of await page.evaluate(printOverflow)) finding(`print: ${f}`);
  await page.close();
  await ctx.close();
  if (args.out) await writeFile(join(args.out, "book.pdf"), pdf);
  for (const f of checkPdf(pdf, expected)) finding(`pdf: ${f}`);
}

await main();
