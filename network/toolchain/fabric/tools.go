//go:build tools

// Package tools pins the Fabric 2.5.9 commands that the benchmark network runs. The module proxy
// serves v2.5.9 only as this pseudo-version of its tag commit (7c3876255bf0).
package tools

import (
	_ "github.com/hyperledger/fabric/cmd/configtxgen"
	_ "github.com/hyperledger/fabric/cmd/configtxlator"
	_ "github.com/hyperledger/fabric/cmd/orderer"
	_ "github.com/hyperledger/fabric/cmd/osnadmin"
	_ "github.com/hyperledger/fabric/cmd/peer"
)
