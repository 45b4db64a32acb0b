//go:build tools

// Package tools pins the Fabric CA 1.5.21 commands. It is a module of its own because Fabric CA's
// newer dependencies would otherwise upgrade those of Fabric 2.5.9.
package tools

import (
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-client"
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-server"
)
