// Build the web app into serai/api/static (run: npm install && npm run build, in web/).
// The output is committed, so users and tests need neither Node.js nor npm.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "serai", "api", "static");
const ml = join(here, "node_modules", "maplibre-gl");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "src", "app.js")],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  outfile: join(out, "app.js"),
  legalComments: "eof",
  logLevel: "info",
});
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
copyFileSync(join(here, "src", "app.css"), join(out, "app.css"));
copyFileSync(join(ml, "dist", "maplibre-gl.css"), join(out, "maplibre-gl.css"));
copyFileSync(join(ml, "dist", "maplibre-gl-worker.mjs"), join(out, "maplibre-gl-worker.mjs"));
const version = JSON.parse(readFileSync(join(ml, "package.json"), "utf8")).version;
writeFileSync(
  join(out, "THIRD-PARTY-LICENSES.md"),
  `# Third-party code in this folder\n\n` +
    `app.js bundles and maplibre-gl-worker.mjs / maplibre-gl.css are MapLibre GL JS ${version} ` +
    `(npm package maplibre-gl, BSD-3-Clause), with its dependencies' licence notices at the end of app.js.\n\n` +
    "```\n" + readFileSync(join(ml, "LICENSE.txt"), "utf8") + "\n```\n\n" +
    "countries.geojson: Natural Earth 1:50m admin 0 countries (public domain), clipped and simplified " +
    "by web/tools/countries.py.\n"
);
console.log(`built ${out} (maplibre-gl ${version})`);
