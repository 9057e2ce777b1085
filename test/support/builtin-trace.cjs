/* global require */
// Preloaded (node -r) into a CLI run: at exit, names on stderr every Node built-in module it loaded
// (`BUILTIN <name>`) and every CommonJS file it required (`REQUIRED <path>`), for tests of what a
// command costs at start-up. process.moduleLoadList is Node's own list of the internal modules it
// compiled; require.cache holds the CommonJS files (native addons' JavaScript included).
process.on('exit', () => {
  for (const m of process.moduleLoadList) if (m.startsWith('NativeModule ')) process.stderr.write(`BUILTIN ${m.slice(13)}\n`);
  for (const f of Object.keys(require.cache)) process.stderr.write(`REQUIRED ${f}\n`);
});
