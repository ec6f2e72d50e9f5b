# lib/compile.mk: see lib/automake.mk.
