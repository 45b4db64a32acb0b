module energysale-bench/toolchain/ccaas-builder

go 1.22
