#!/bin/sh
exec ./blockio /dev/sda 64 5 "${VMMLAB_ITERATIONS:-20}"
