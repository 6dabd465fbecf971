/** The checks, in report order. A new check is one file under checks/ plus one line here. */
import type { AnyCheck } from '../src/core/check.ts';
import { initContainersCheck } from './init-containers.ts';
import { iptablesBackendCheck } from './iptables-backend.ts';
import { kernelCheck } from './kernel.ts';
import { modulesCheck } from './modules.ts';
import { nftBinaryCheck } from './nft-binary.ts';
import { osCheck } from './os.ts';
import { rulesDryRunCheck } from './rules-dry-run.ts';
import { sysctlCheck } from './sysctl.ts';

export const allChecks: readonly AnyCheck[] = [
  kernelCheck,
  osCheck,
  modulesCheck,
  iptablesBackendCheck,
  nftBinaryCheck,
  rulesDryRunCheck,
  sysctlCheck,
  initContainersCheck,
];
