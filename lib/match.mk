# lib/match.mk: see lib/automake.mk.
