// The npm package for Node users (a Raspberry Pi or a desktop as a Blynk device): the core, the
// Node HAL and the emulator as ES modules in dist/ (shared code in shared chunks, so there is one
// BlynkError class), plus the emulator's command line. `npm run build:package`; `npm pack` runs it.
// Dependencies stay external: ws (the Node HAL's WebSocket transport) is the package's one
// dependency; the emulator's (aedes, mqtt-packet, @peculiar/x509, reflect-metadata) are optional peers.
import typescript from '@rollup/plugin-typescript';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTime } from './rollup.config.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const external = (id) => id.startsWith('node:') || builtinModules.includes(id) || ['ws', 'aedes', 'mqtt-packet', '@peculiar/x509', 'reflect-metadata'].includes(id);

export default {
  input: {
    index: path.join(root, 'build/entries/package.ts'),
    node: path.join(root, 'hal/node/index.ts'),
    emulator: path.join(root, 'tools/emulator/index.ts'),
    'blynk-emulator': path.join(root, 'tools/emulator/cli.ts'),
  },
  external,
  output: {
    dir: path.join(root, 'dist'),
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    banner: (chunk) => (chunk.name === 'blynk-emulator' ? '#!/usr/bin/env node' : ''),
    sourcemap: false,
  },
  plugins: [
    typescript({
      tsconfig: path.join(root, 'tsconfig.package.json'),
      include: ['src/**/*.ts', 'hal/**/*.ts', 'tools/**/*.ts', 'build/entries/*.ts'],
      compilerOptions: { declaration: false, emitDeclarationOnly: false, outDir: undefined, rootDir: undefined },
    }),
    buildTime(),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY') throw new Error(warning.message);
    warn(warning);
  },
};
