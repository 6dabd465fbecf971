import { report } from './measure.ts'; import { Command } from 'commander'; new Command('x').option('--a').parse(['node','x']); report('commander');
