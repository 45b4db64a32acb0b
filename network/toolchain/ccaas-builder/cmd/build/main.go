// Command build is the external builder's build step: build CHAINCODE_SOURCE_DIR
// CHAINCODE_METADATA_DIR BUILD_OUTPUT_DIR. Templates in connection.json are checked against
// CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG but copied unrendered; release renders them.
package main

import (
	"fmt"
	"os"

	"energysale-bench/toolchain/ccaas-builder/internal/ccaas"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: build CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR BUILD_OUTPUT_DIR")
		os.Exit(2)
	}
	if err := ccaas.Build(os.Args[1], os.Args[2], os.Args[3], os.Getenv(ccaas.ConfigEnv)); err != nil {
		fmt.Fprintf(os.Stderr, "ccaas build: %v\n", err)
		os.Exit(1)
	}
}
