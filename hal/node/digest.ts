// Native digests (node:crypto) behind the HAL's Digest interface.
import { createHash } from 'node:crypto';
import type { Digest } from '../interfaces';

export function nodeDigest(algorithm: 'md5' | 'sha256'): Digest | undefined {
  if (algorithm !== 'md5' && algorithm !== 'sha256') return undefined;
  const hash = createHash(algorithm);
  let result: Uint8Array | undefined;
  return {
    update(bytes) {
      // Node's Hash throws after digest(); a finished digest simply ignores more input.
      if (result === undefined) hash.update(bytes);
    },
    finish() {
      result ??= new Uint8Array(hash.digest());
      return result;
    },
  };
}
