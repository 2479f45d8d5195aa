'use strict';
// The addon that `npm run build:native` (node-gyp) builds; its shape is index.d.ts.
module.exports = require('./build/Release/jobscope.node');
