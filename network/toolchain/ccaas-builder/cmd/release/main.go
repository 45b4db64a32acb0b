// Command release is the external builder's release step: release BUILD_OUTPUT_DIR
// RELEASE_OUTPUT_DIR writes RELEASE_OUTPUT_DIR/chaincode/server/connection.json, rendered with
// CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG.
package main

import (
	"fmt"
	"os"

	"energysale-bench/toolchain/ccaas-builder/internal/ccaas"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: release BUILD_OUTPUT_DIR RELEASE_OUTPUT_DIR")
		os.Exit(2)
	}
	if err := ccaas.Release(os.Args[1], os.Args[2], os.Getenv(ccaas.ConfigEnv)); err != nil {
		fmt.Fprintf(os.Stderr, "ccaas release: %v\n", err)
		os.Exit(1)
	}
}
