// Package ccaas implements the three steps of Fabric's external builder contract for chaincode that
// runs as a service: the package carries only connection.json, and the peer dials the address in it.
//
// Upstream Fabric ships such a builder as the nested module github.com/hyperledger/fabric/ccaas_builder,
// which the Go module proxy does not serve. This one keeps its file layout and its
// CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG templating, but renders in release rather than build, and
// applies the peer's own checks to connection.json at install time rather than at first invocation.
package ccaas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// ConfigEnv names the variable holding a JSON object that connection.json strings are rendered
// with. The peer passes it on only if its externalBuilders entry lists it in propagateEnvironment.
const ConfigEnv = "CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"

const (
	metadataFile   = "metadata.json"
	connectionFile = "connection.json"
	metaInfDir     = "META-INF"
)

// Connection is connection.json as the peer reads it (core/container/externalbuilder). TLS material
// is PEM text, not file names.
type Connection struct {
	Address            string `json:"address"`
	DialTimeout        string `json:"dial_timeout"`
	TLSRequired        bool   `json:"tls_required"`
	ClientAuthRequired bool   `json:"client_auth_required,omitempty"`
	ClientKey          string `json:"client_key,omitempty"`
	ClientCert         string `json:"client_cert,omitempty"`
	RootCert           string `json:"root_cert,omitempty"`
}

// Detect accepts a package whose metadata.json has type "ccaas" (any case); the error says why not.
func Detect(metadataDir string) error {
	var metadata struct {
		Type string `json:"type"`
	}
	path := filepath.Join(metadataDir, metadataFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &metadata); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !strings.EqualFold(metadata.Type, "ccaas") {
		return fmt.Errorf("chaincode type %q is not ccaas", metadata.Type)
	}
	return nil
}

// Build checks the package and copies connection.json (still a template), META-INF if present and
// metadata.json to outputDir. It renders the templates once with config (the peer gives build and
// release the same environment) so that a missing key or a bad value fails the install, not the
// first invocation.
func Build(sourceDir, metadataDir, outputDir, config string) error {
	if err := Detect(metadataDir); err != nil {
		return err
	}
	src := filepath.Join(sourceDir, connectionFile)
	conn, err := LoadConnection(src)
	if err != nil {
		return err
	}
	if _, err := conn.Render(config); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if err := os.MkdirAll(outputDir, 0o750); err != nil {
		return err
	}
	if err := copyFile(src, filepath.Join(outputDir, connectionFile)); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(metadataDir, metadataFile), filepath.Join(outputDir, metadataFile)); err != nil {
		return err
	}
	return copyTreeIfPresent(filepath.Join(sourceDir, metaInfDir), filepath.Join(outputDir, metaInfDir))
}

// Release renders the built connection.json with the JSON object in config (empty: no values) and
// writes it to releaseDir/chaincode/server/connection.json, and puts CouchDB index definitions
// (META-INF/statedb) where the peer looks for them.
func Release(buildOutputDir, releaseDir, config string) error {
	src := filepath.Join(buildOutputDir, connectionFile)
	conn, err := LoadConnection(src)
	if err != nil {
		return err
	}
	rendered, err := conn.Render(config)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	out, err := json.MarshalIndent(rendered, "", "  ")
	if err != nil {
		return err
	}
	serverDir := filepath.Join(releaseDir, "chaincode", "server")
	if err := os.MkdirAll(serverDir, 0o750); err != nil {
		return err
	}
	// 0600: client_key may hold a private key.
	if err := os.WriteFile(filepath.Join(serverDir, connectionFile), append(out, '\n'), 0o600); err != nil {
		return err
	}
	return copyTreeIfPresent(filepath.Join(buildOutputDir, metaInfDir, "statedb"), filepath.Join(releaseDir, "statedb"))
}

// LoadConnection reads connection.json, rejecting unknown fields (a misspelt tls_required would
// otherwise silently mean false) and naming the first missing required field.
func LoadConnection(path string) (Connection, error) {
	var file struct {
		Address            *string `json:"address"`
		DialTimeout        *string `json:"dial_timeout"`
		TLSRequired        *bool   `json:"tls_required"`
		ClientAuthRequired bool    `json:"client_auth_required"`
		ClientKey          string  `json:"client_key"`
		ClientCert         string  `json:"client_cert"`
		RootCert           string  `json:"root_cert"`
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Connection{}, err
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&file); err != nil {
		return Connection{}, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case file.Address == nil || *file.Address == "":
		return Connection{}, fmt.Errorf("%s: \"address\" is required (host:port of the chaincode server)", path)
	case file.DialTimeout == nil || *file.DialTimeout == "":
		return Connection{}, fmt.Errorf("%s: \"dial_timeout\" is required (a Go duration such as \"10s\")", path)
	case file.TLSRequired == nil:
		return Connection{}, fmt.Errorf("%s: \"tls_required\" is required (true or false)", path)
	}
	return Connection{
		Address:            *file.Address,
		DialTimeout:        *file.DialTimeout,
		TLSRequired:        *file.TLSRequired,
		ClientAuthRequired: file.ClientAuthRequired,
		ClientKey:          file.ClientKey,
		ClientCert:         file.ClientCert,
		RootCert:           file.RootCert,
	}, nil
}

// Render executes every string field as a text/template over the JSON object in config, so one
// package serves peers whose chaincode servers live at different addresses. A key the template
// uses but config lacks is an error. The result is checked as the peer would check it.
func (c Connection) Render(config string) (Connection, error) {
	var values map[string]any
	if strings.TrimSpace(config) != "" {
		if err := json.Unmarshal([]byte(config), &values); err != nil {
			return Connection{}, fmt.Errorf("%s is not a JSON object: %w", ConfigEnv, err)
		}
	}
	rendered := c
	fields := []struct {
		name  string
		value *string
	}{
		{"address", &rendered.Address},
		{"dial_timeout", &rendered.DialTimeout},
		{"client_key", &rendered.ClientKey},
		{"client_cert", &rendered.ClientCert},
		{"root_cert", &rendered.RootCert},
	}
	for _, field := range fields {
		text, err := execute(field.name, *field.value, values)
		if err != nil {
			return Connection{}, err
		}
		*field.value = text
	}
	return rendered, rendered.validate()
}

func execute(name, text string, values map[string]any) (string, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("%q is not a valid template: %w", name, err)
	}
	var out strings.Builder
	if err := tmpl.Execute(&out, values); err != nil {
		return "", fmt.Errorf("rendering %q with %s: %w", name, ConfigEnv, err)
	}
	return out.String(), nil
}

// validate applies the peer's own checks (ChaincodeServerUserData.ChaincodeServerInfo).
func (c Connection) validate() error {
	if c.Address == "" {
		return errors.New("\"address\" is empty after rendering")
	}
	if _, err := time.ParseDuration(c.DialTimeout); err != nil {
		return fmt.Errorf("\"dial_timeout\": %w", err)
	}
	if !c.TLSRequired {
		return nil
	}
	if c.ClientAuthRequired && (c.ClientKey == "" || c.ClientCert == "") {
		return errors.New("client_auth_required needs \"client_key\" and \"client_cert\" (PEM)")
	}
	if c.RootCert == "" {
		return errors.New("tls_required needs \"root_cert\" (PEM of the chaincode server's CA)")
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func copyTreeIfPresent(src, dst string) error {
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(src, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case entry.IsDir():
			return os.MkdirAll(target, 0o750)
		case entry.Type().IsRegular():
			return copyFile(path, target)
		default:
			return fmt.Errorf("%s: only regular files and directories may be packaged", path)
		}
	})
}
