// The shell blocks of README.md and docs/*.md, as a reader meets them, for the doc-command test.
//
// A fenced block tagged sh, bash or shell is run; other blocks are not, unless a directive names a
// file to write them to. A directive is an HTML comment on its own line just before the fence:
//   <!-- doc-test: skip (why) -->     do not run this shell block; the reason is required
//   <!-- doc-test: file src/x.ts -->  write this block (any language) to that file, relative to where
//                                     the reader is at that point (their current folder)
// After a curl command, a comment line starting with a status (`# 201 {...}`) is the status it must
// answer; a curl command with none must answer 2xx.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: string;
  text: string;
  /** What the test does with it. */
  action: { kind: 'run' } | { kind: 'skip'; reason: string } | { kind: 'write'; path: string } | { kind: 'ignore' };
  /** For a run block: the status each curl command must answer, in order ('2xx' when none is written). */
  expectedStatuses: string[];
}

const SHELL = new Set(['sh', 'bash', 'shell']);
const DIRECTIVE = /^<!--\s*doc-test:\s*(skip|file)\b\s*(.*?)\s*-->\s*$/;

/** Curl commands of a shell block and the status written after each. */
export function expectedStatuses(text: string): string[] {
  const statuses: string[] = [];
  let heredoc: string | undefined;
  let continued = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (heredoc !== undefined) {
      if (line === heredoc) heredoc = undefined;
      continue;
    }
    const status = /^#\s*(\d{3})\b/.exec(line)?.[1];
    if (status && statuses.at(-1) === '2xx?') statuses[statuses.length - 1] = status;
    if (!line.startsWith('#') && !continued && /(^|[\s;&|(`])curl\s/.test(line)) statuses.push('2xx?');
    continued = line.endsWith('\\');
    heredoc = /<<-?\s*'?"?(\w+)'?"?/.exec(line)?.[1] ?? heredoc;
  }
  return statuses.map((status) => (status === '2xx?' ? '2xx' : status));
}

export function docBlocks(root: string, file: string): DocBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!fence) continue;
    const [, indent, marker, language] = fence;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !new RegExp(`^\\s*${marker[0]}{${marker.length},}\\s*$`).test(lines[i]); i++) {
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i]);
    }
    const text = body.join('\n');
    const directive = DIRECTIVE.exec((lines[start - 1] ?? '').trim());
    let action: DocBlock['action'] = SHELL.has(language) ? { kind: 'run' } : { kind: 'ignore' };
    if (directive?.[1] === 'skip') {
      const reason = /^\((.+)\)$/.exec(directive[2])?.[1];
      if (!reason) throw new Error(`${file}:${start}: "doc-test: skip" needs a reason in parentheses`);
      action = { kind: 'skip', reason };
    } else if (directive?.[1] === 'file') {
      if (!directive[2]) throw new Error(`${file}:${start}: "doc-test: file" needs a path`);
      action = { kind: 'write', path: directive[2] };
    }
    blocks.push({ file, line: start + 1, language, text, action, expectedStatuses: action.kind === 'run' ? expectedStatuses(text) : [] });
  }
  return blocks;
}

/** README.md, then docs/*.md by name. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => relative(root, join(root, 'docs', name)));
  return ['README.md', ...docs];
}
