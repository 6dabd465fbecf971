// Preloaded into the built CLI by test/e2e/bundle.test.ts (NODE_OPTIONS=--import=<this>): appends one
// JSON line per loaded module ({"load": url}) and per spawned process ({"spawn": [file, ...args]}) to
// $MESH_PREFLIGHT_AUDIT_OUT. Test-only; never part of the package.
import { appendFileSync } from 'node:fs';
import childProcess from 'node:child_process';
import { register, syncBuiltinESMExports } from 'node:module';

const out = process.env.MESH_PREFLIGHT_AUDIT_OUT;
if (out) {
  const record = (entry) => appendFileSync(out, `${JSON.stringify(entry)}\n`);
  const spawn = childProcess.spawn;
  childProcess.spawn = function auditedSpawn(file, args, ...rest) {
    record({ spawn: [file, ...(Array.isArray(args) ? args : [])] });
    return spawn.call(this, file, args, ...rest);
  };
  syncBuiltinESMExports();
  register('./audit-hooks.mjs', import.meta.url, { data: { out } });
}
