// Custom-elements manifest of the viewer plugin's Lit components (`npm run docs`: scripts/docs.mjs
// runs the analyzer with this config, then writes docs/components.md from the manifest).

/** Drops private/protected members: the manifest documents what pages may use, not internals. */
function publicOnly() {
  return {
    name: 'tilesr-public-only',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules ?? []) {
        for (const d of mod.declarations ?? []) {
          if (d.members) d.members = d.members.filter((m) => !m.privacy || m.privacy === 'public');
          if (d.members?.length === 0) delete d.members;
        }
      }
    },
  };
}

export default {
  // shared/live-viewer.ts: the viewers' base class, analyzed so their inherited members are listed
  globs: ['plugin/components/*/*.ts'],
  exclude: ['plugin/components/**/*.test.ts', 'plugin/components/shared/!(live-viewer).ts'],
  outdir: '.',
  litelement: true,
  dev: false,
  // package.json's "customElements" field is set once by hand; the analyzer must not rewrite it per run
  packagejson: false,
  plugins: [publicOnly()],
};
