# utilities/receiver.mk: the backend receiver.
