/**
 * Loads every built-in model so that its module registers its name. The engine imports
 * this once; a user's model file is imported separately (`--model`). The fallback
 * natives register last and only fill names no family module registered.
 *
 * @module
 */

import "../models/cpu/mod.ts";
import "../models/mmu/mod.ts";
import "../models/io/mod.ts";
import "../models/memory/mod.ts";
import "./fallback_models.ts";
