import { report } from './measure.ts'; await fetch('data:,x').catch(() => 0); report('fetch');
