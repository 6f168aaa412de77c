// Builds Engage's front-end into engage/static/ (`npm run build`).
// The output is committed so that running the site needs Python only; rebuild after changing
// assets/ or upgrading govuk-frontend, and commit the result.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "assets");
const govuk = path.join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = path.join(root, "engage", "static");
// Must match $govuk-assets-path in assets/scss/engage.scss and Flask's static_url_path.
const assetsUrl = "/static/govuk/assets/";

const govukVersion = JSON.parse(
  fs.readFileSync(path.join(root, "node_modules", "govuk-frontend", "package.json"), "utf8"),
).version;

function write(relPath, content) {
  const file = path.join(out, relPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  console.log(`  ${path.relative(root, file)} (${Buffer.byteLength(content)} bytes)`);
}

function fail(message) {
  console.error(`build failed: ${message}`);
  process.exit(1);
}

// 1. Stylesheet. quietDeps hides deprecation warnings raised inside govuk-frontend itself.
const { css } = sass.compile(path.join(src, "scss", "engage.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
});
if (/GDS Transport|@font-face/.test(css)) {
  fail("engage.css must not contain the GDS Transport font or any @font-face");
}
write("css/engage.css", `${css}\n`);

// 2. Only the govuk-frontend assets the stylesheet actually references (no GOV.UK crown icons).
fs.rmSync(path.join(out, "govuk"), { recursive: true, force: true });
const urls = new Set([...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]));
for (const url of urls) {
  if (url.startsWith("data:")) continue;
  if (!url.startsWith(assetsUrl)) fail(`unexpected url() in engage.css: ${url}`);
  const rel = url.slice(assetsUrl.length);
  const from = path.join(govuk, "assets", rel);
  if (!fs.existsSync(from)) fail(`engage.css references ${url} but ${from} does not exist`);
  write(path.join("govuk", "assets", rel), fs.readFileSync(from));
}

// 3. JavaScript: the govuk-frontend ES module (source map comment dropped, licence noted) and our init.
const js = fs
  .readFileSync(path.join(govuk, "govuk-frontend.min.js"), "utf8")
  .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "");
write(
  "js/govuk-frontend.min.js",
  `/*! govuk-frontend ${govukVersion} | MIT Licence | (c) Crown copyright */\n${js}\n`,
);
write("js/init.js", fs.readFileSync(path.join(src, "js", "init.js")));

// 4. Engage's own icon (the GOV.UK favicons are the crown, which only GOV.UK may use).
write("images/favicon.svg", fs.readFileSync(path.join(src, "images", "favicon.svg")));

console.log(`built with govuk-frontend ${govukVersion}, sass ${sass.info.split("\t")[1]}`);
