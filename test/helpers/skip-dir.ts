/** Environment variable naming the directory where skipped tests are recorded (set by scripts/run-tests.ts). */
export const SKIP_DIR_ENV = 'MESH_PREFLIGHT_SKIP_DIR';
