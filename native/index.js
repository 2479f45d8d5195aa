'use strict';
// Loads the addon (shape: index.d.ts): the one node-gyp built here (`npm run build:native`, or
// `npm install` on Windows with MSVC), else a prebuilt one for this platform (`npm run build:win`
// cross-builds prebuilds/win32-x64 on Linux). Fails with one error that lists every attempt.
const path = require('node:path');

const candidates = [
  path.join(__dirname, 'build', 'Release', 'jobscope.node'),
  path.join(__dirname, 'prebuilds', `${process.platform}-${process.arch}`, 'jobscope.node'),
];

function load() {
  const failures = [];
  for (const file of candidates) {
    try {
      return require(file);
    } catch (error) {
      failures.push(`  ${file}: ${error && error.message ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new Error(`cannot load the JobScope addon; tried:\n${failures.join('\n')}`);
}

const { unpackSamples } = require('./unpack-samples');

// The addon packs samples (see unpack-samples.js); the module's sampleJobs returns them as objects.
const { sampleJobsPacked, ...addon } = load();
module.exports = { ...addon, sampleJobs: (jobs) => unpackSamples(sampleJobsPacked(jobs), jobs) };
