#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `make build`).
import "../dist/cli/main.js";
