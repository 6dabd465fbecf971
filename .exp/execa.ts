import { report } from './measure.ts'; import { execa } from 'execa'; await execa('true'); report('execa');
