// Uringy's type declarations: the globals and every `uringy:*` module.
//
// In a project, point TypeScript at this file (e.g. `/// <reference path="…/types/index.d.ts" />`
// or `"types"` in tsconfig.json) with `"lib": ["ES2023", "ESNext.Disposable"]` and no DOM or
// Node types: these declare what Uringy provides.

/// <reference path="./globals.d.ts" />
/// <reference path="./test.d.ts" />
/// <reference path="./fiber.d.ts" />
/// <reference path="./sync.d.ts" />
/// <reference path="./io.d.ts" />
/// <reference path="./net.d.ts" />
/// <reference path="./process.d.ts" />
/// <reference path="./fs.d.ts" />
/// <reference path="./thread.d.ts" />
