/**
 * The built-in importers: loading this module registers each of them (importer.ts). A new
 * importer module is added here with one import line.
 *
 * @module
 */

import "./import_lackey.ts";
