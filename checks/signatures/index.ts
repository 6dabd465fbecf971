/** The signature catalogue, in one explicit list; the engine orders by priority, not by position. */
import type { Signature } from './types.ts';
import { accessSignatures } from './access.ts';
import { backendSignatures } from './backend.ts';
import { kernelSignatures } from './kernel.ts';
import { genericSignatures, meshSignatures } from './mesh.ts';
import { nftablesSignatures } from './nftables.ts';

export type { Signature } from './types.ts';

/** Every shipped signature. */
export const signatures: readonly Signature[] = [
  ...accessSignatures,
  ...kernelSignatures,
  ...backendSignatures,
  ...meshSignatures,
  ...nftablesSignatures,
  ...genericSignatures,
];
