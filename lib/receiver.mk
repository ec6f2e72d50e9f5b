# lib/receiver.mk: see lib/automake.mk.
