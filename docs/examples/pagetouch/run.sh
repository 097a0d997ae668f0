#!/bin/sh
# Runs in the guest, in this recipe's folder; VMMLAB_ITERATIONS is --iterations or the recipe's.
exec ./pagetouch 16 "${VMMLAB_ITERATIONS:-10}"
