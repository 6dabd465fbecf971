/** Agent settings and a fixture-host check for tests that start the real agent. */
import type { AgentSettings } from '../../src/agent/agent.ts';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';
import { fixtureExec } from './fixture-exec.ts';

/** Settings for node n1 on an ephemeral port, no periodic run within a test, rechecks not throttled. */
export function agentSettings(overrides: Partial<AgentSettings> = {}): AgentSettings {
  return {
    options: checkOptions({ nodeName: 'n1' }),
    nodeName: 'n1',
    listen: { host: '127.0.0.1', port: 0 },
    intervalMs: 3_600_000,
    jitter: 0,
    labelPrefix: 'mesh-preflight.io/',
    heartbeatMinutes: 60,
    fix: 'off',
    recheckAuth: 'tokenreview',
    recheckMinIntervalMs: 0,
    nodesCacheMs: 0,
    ...overrides,
  };
}

/** A check of a fixture host root (test/fixtures/hosts/<host.current>); switch `current` between runs. */
export function fixtureCheck(host: { current: string }) {
  return (options: Parameters<typeof checkNode>[0], deps: Parameters<typeof checkNode>[1]) => {
    const dir = hostFixturePath(host.current);
    return checkNode({ ...options, hostRoot: dir }, { ...deps, exec: fixtureExec(dir) });
  };
}
