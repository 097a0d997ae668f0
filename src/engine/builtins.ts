/**
 * Loads every built-in model so that its module registers its name. The engine imports
 * this once; a user's model file is imported separately (`--model`).
 *
 * @module
 */

import "../models/cpu/mod.ts";
import "../models/mmu/mod.ts";
import "../models/io/mod.ts";
import "../models/memory/mod.ts";
