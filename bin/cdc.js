#!/usr/bin/env node
'use strict';
const { main } = require('../dist/bundle/cdc.js');
main(process.argv).then((code) => {
  process.exitCode = code;
});
