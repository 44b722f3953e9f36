// Builds riskroute's static assets from installed npm packages, fully offline:
//   Sass (GOV.UK Frontend, system font) -> static/riskroute.css
//   govuk-frontend ES module, htmx and our own scripts -> static/
// Run with `npm run build` (the Makefile's `assets` target does it after `npm ci`).
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../../..");
const modules = join(root, "node_modules");
const out = resolve(here, "../static");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "js"), { recursive: true });

const css = sass.compile(join(here, "scss/application.scss"), {
  loadPaths: [modules],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
if (/GDS Transport|url\(/.test(css.css)) {
  // The only url() GOV.UK Frontend emits is the reserved font or the crest: neither may ship.
  throw new Error("compiled CSS references GOV.UK-only fonts or images");
}
writeFileSync(join(out, "riskroute.css"), css.css);

const copies = [
  [join(modules, "govuk-frontend/dist/govuk/govuk-frontend.min.js"), join(out, "js/govuk-frontend.min.js")],
  [join(modules, "htmx.org/dist/htmx.min.js"), join(out, "js/htmx.min.js")],
];
for (const file of readdirSync(join(here, "js"))) {
  copies.push([join(here, "js", file), join(out, "js", file)]);
}
copyFileSync(join(here, "favicon.svg"), join(out, "favicon.svg"));
for (const [from, to] of copies) copyFileSync(from, to);

console.log(`built ${out}: riskroute.css (${css.css.length} bytes), ${copies.length} scripts`);
