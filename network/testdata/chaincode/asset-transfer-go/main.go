// A small asset contract written as fabric-samples' external chaincode is (asset-transfer-basic,
// chaincode-external): fabric-contract-api-go, started as a chaincode server from its environment.
// It knows nothing of the network that runs it.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// SmartContract keeps assets: an id, a colour, an owner.
type SmartContract struct {
	contractapi.Contract
}

// Asset is what the ledger holds under its id.
type Asset struct {
	ID    string `json:"ID"`
	Color string `json:"Color"`
	Owner string `json:"Owner"`
}

// CreateAsset writes a new asset; an existing id is an error.
func (s *SmartContract) CreateAsset(ctx contractapi.TransactionContextInterface, id string, color string, owner string) error {
	existing, err := ctx.GetStub().GetState(id)
	if err != nil {
		return fmt.Errorf("failed to read from world state: %v", err)
	}
	if existing != nil {
		return fmt.Errorf("the asset %s already exists", id)
	}
	asset, err := json.Marshal(Asset{ID: id, Color: color, Owner: owner})
	if err != nil {
		return err
	}
	return ctx.GetStub().PutState(id, asset)
}

// ReadAsset returns the asset stored under id.
func (s *SmartContract) ReadAsset(ctx contractapi.TransactionContextInterface, id string) (*Asset, error) {
	data, err := ctx.GetStub().GetState(id)
	if err != nil {
		return nil, fmt.Errorf("failed to read from world state: %v", err)
	}
	if data == nil {
		return nil, fmt.Errorf("the asset %s does not exist", id)
	}
	var asset Asset
	if err := json.Unmarshal(data, &asset); err != nil {
		return nil, err
	}
	return &asset, nil
}

func main() {
	chaincode, err := contractapi.NewChaincode(&SmartContract{})
	if err != nil {
		log.Panicf("error creating chaincode: %v", err)
	}
	tlsDisabled, err := strconv.ParseBool(getEnvOrDefault("CHAINCODE_TLS_DISABLED", "true"))
	if err != nil {
		log.Panicf("CHAINCODE_TLS_DISABLED: %v", err)
	}
	tls := shim.TLSProperties{Disabled: tlsDisabled}
	if !tlsDisabled {
		if tls.Key, err = os.ReadFile(os.Getenv("CHAINCODE_TLS_KEY")); err != nil {
			log.Panicf("CHAINCODE_TLS_KEY: %v", err)
		}
		if tls.Cert, err = os.ReadFile(os.Getenv("CHAINCODE_TLS_CERT")); err != nil {
			log.Panicf("CHAINCODE_TLS_CERT: %v", err)
		}
		if path := os.Getenv("CHAINCODE_CLIENT_CA_CERT"); path != "" {
			if tls.ClientCACerts, err = os.ReadFile(path); err != nil {
				log.Panicf("CHAINCODE_CLIENT_CA_CERT: %v", err)
			}
		}
	}
	server := &shim.ChaincodeServer{
		CCID:     os.Getenv("CHAINCODE_ID"),
		Address:  os.Getenv("CHAINCODE_SERVER_ADDRESS"),
		CC:       chaincode,
		TLSProps: tls,
	}
	if err := server.Start(); err != nil {
		log.Panicf("error starting the chaincode server: %v", err)
	}
}

func getEnvOrDefault(name, value string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return value
}
