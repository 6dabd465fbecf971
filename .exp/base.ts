import { report } from './measure.ts'; report('node');
