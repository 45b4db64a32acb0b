// Command detect is the external builder's detect step: detect CHAINCODE_SOURCE_DIR
// CHAINCODE_METADATA_DIR exits 0 only for a chaincode-as-a-service package.
package main

import (
	"fmt"
	"os"

	"energysale-bench/toolchain/ccaas-builder/internal/ccaas"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: detect CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR")
		os.Exit(2)
	}
	if err := ccaas.Detect(os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "ccaas detect: %v\n", err)
		os.Exit(1)
	}
}
