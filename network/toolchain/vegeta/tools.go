//go:build tools

// Package tools pins vegeta v12.13.0, the HTTP load generator of bench/. It is a module of its own,
// so its dependencies never move those of Fabric or Fabric CA.
package tools

import (
	_ "github.com/tsenart/vegeta/v12"
)
