import { readFileSync } from 'node:fs';
import { projectFile } from './project-files.js';

export const SERVICE_VERSION: string = JSON.parse(readFileSync(projectFile('package.json'), 'utf8')).version;
