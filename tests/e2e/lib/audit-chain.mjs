// The audit log's hash chain, checked independently of dockgate (src/audit/audit_chain.hpp):
// each line's "seq" is the previous plus one (from 1), and its "prev" is the lowercase hex
// SHA-256 of the previous line as written (without its '\n'); the first prev is 64 zeros.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export const GENESIS = '0'.repeat(64);

export function lineHash(line) {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}

/** The problem with the chain of these file texts (oldest first), or null when it holds. */
export function chainProblem(texts) {
  let seq = 1;
  let prev = GENESIS;
  for (const [i, text] of texts.entries()) {
    if (text !== '' && !text.endsWith('\n')) return `file ${i} does not end with a newline`;
    for (const line of text.split('\n').slice(0, -1)) {
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        return `file ${i}: not JSON: ${line}`;
      }
      if (record.seq !== seq) return `file ${i}: seq ${record.seq}, expected ${seq}`;
      if (record.prev !== prev) return `file ${i}: seq ${seq} has prev ${record.prev}, expected ${prev}`;
      prev = lineHash(line);
      seq += 1;
    }
  }
  return null;
}

/** chainProblem of files read from disk. */
export async function fileChainProblem(...files) {
  return chainProblem(await Promise.all(files.map((f) => readFile(f, 'utf8'))));
}
