import { report } from './measure.ts'; import { z } from 'zod'; z.object({ a: z.string() }).parse({ a: 'x' }); report('zod');
