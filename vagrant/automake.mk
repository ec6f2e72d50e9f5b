# vagrant/automake.mk: the multi-VM demos (shipped, not built).
