package ccaas

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const rootPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

// writeFiles creates files (relative path -> content) under a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readConnection(t *testing.T, path string) Connection {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var conn Connection
	if err := json.Unmarshal(raw, &conn); err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestDetect(t *testing.T) {
	cases := []struct {
		metadata string
		accept   bool
	}{
		{`{"type":"ccaas","label":"energysale"}`, true},
		{`{"type":"CCaaS","label":"energysale"}`, true},
		{`{"type":"golang","label":"energysale"}`, false},
		{`{"label":"energysale"}`, false},
		{`not json`, false},
	}
	for _, c := range cases {
		meta := writeFiles(t, map[string]string{"metadata.json": c.metadata})
		if err := Detect(meta); (err == nil) != c.accept {
			t.Errorf("Detect(%s) = %v, want accept=%v", c.metadata, err, c.accept)
		}
	}
	if err := Detect(t.TempDir()); err == nil {
		t.Error("Detect accepted a directory without metadata.json")
	}
}

func TestBuildCopiesPackageAndRejectsBadConnection(t *testing.T) {
	meta := writeFiles(t, map[string]string{"metadata.json": `{"type":"ccaas","label":"energysale"}`})
	src := writeFiles(t, map[string]string{
		"connection.json": `{"address":"{{.ccaddress}}","dial_timeout":"10s","tls_required":false}`,
		"META-INF/statedb/couchdb/indexes/byOwner.json": `{"index":{"fields":["owner"]}}`,
	})
	out := filepath.Join(t.TempDir(), "bld")
	if err := Build(src, meta, out, `{"ccaddress":"127.0.0.1:9999"}`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"connection.json", "metadata.json", "META-INF/statedb/couchdb/indexes/byOwner.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("build output lacks %s: %v", name, err)
		}
	}
	if got := readConnection(t, filepath.Join(out, "connection.json")).Address; got != "{{.ccaddress}}" {
		t.Errorf("build rendered the address to %q; release must render it", got)
	}

	bad := []struct{ connection, config, mention string }{
		{`{"dial_timeout":"10s","tls_required":false}`, "", `"address" is required`},
		{`{"address":"","dial_timeout":"10s","tls_required":false}`, "", `"address" is required`},
		{`{"address":"a:1","tls_required":false}`, "", `"dial_timeout" is required`},
		{`{"address":"a:1","dial_timeout":"10s"}`, "", `"tls_required" is required`},
		{`{"address":"a:1","dial_timeout":"10s","tls_requried":true}`, "", "unknown field"},
		{`{"address":"a:1","dial_timeout":"ten","tls_required":false}`, "", "dial_timeout"},
		{`{"address":"a:1","dial_timeout":"10s","tls_required":true}`, "", "root_cert"},
		{`{"address":"{{.ccaddress}}","dial_timeout":"10s","tls_required":false}`, "", "ccaddress"},
		{`{"address":"{{.ccaddress","dial_timeout":"10s","tls_required":false}`, "", "not a valid template"},
		{`{"address":"{{.ccaddress}}","dial_timeout":"10s","tls_required":false}`, `["x"]`, "not a JSON object"},
	}
	for _, b := range bad {
		src := writeFiles(t, map[string]string{"connection.json": b.connection})
		err := Build(src, meta, t.TempDir(), b.config)
		if err == nil || !strings.Contains(err.Error(), b.mention) {
			t.Errorf("Build(%s) = %v, want an error mentioning %s", b.connection, err, b.mention)
		}
	}
}

func TestReleaseRendersPerPeerConnection(t *testing.T) {
	bld := writeFiles(t, map[string]string{
		"connection.json": `{"address":"{{.ccaddress}}","dial_timeout":"10s","tls_required":true,"root_cert":"{{.root_cert}}"}`,
		"metadata.json":   `{"type":"ccaas","label":"energysale"}`,
		"META-INF/statedb/couchdb/indexes/byOwner.json": `{"index":{"fields":["owner"]}}`,
	})
	config, err := json.Marshal(map[string]string{"ccaddress": "127.0.1.2:7052", "root_cert": rootPEM})
	if err != nil {
		t.Fatal(err)
	}
	rel := t.TempDir()
	if err := Release(bld, rel, string(config)); err != nil {
		t.Fatal(err)
	}
	got := readConnection(t, filepath.Join(rel, "chaincode", "server", "connection.json"))
	want := Connection{Address: "127.0.1.2:7052", DialTimeout: "10s", TLSRequired: true, RootCert: rootPEM}
	if got != want {
		t.Errorf("released %+v, want %+v", got, want)
	}
	if _, err := os.Stat(filepath.Join(rel, "statedb", "couchdb", "indexes", "byOwner.json")); err != nil {
		t.Errorf("CouchDB indexes not released: %v", err)
	}
}

func TestReleaseWithoutTemplatesNeedsNoConfig(t *testing.T) {
	bld := writeFiles(t, map[string]string{
		"connection.json": `{"address":"127.0.0.1:9999","dial_timeout":"3s","tls_required":false}`,
	})
	rel := t.TempDir()
	if err := Release(bld, rel, ""); err != nil {
		t.Fatal(err)
	}
	got := readConnection(t, filepath.Join(rel, "chaincode", "server", "connection.json"))
	if got.Address != "127.0.0.1:9999" || got.DialTimeout != "3s" || got.TLSRequired {
		t.Errorf("released %+v", got)
	}
}

func TestReleaseFailsWithoutBuildOutput(t *testing.T) {
	if err := Release(t.TempDir(), t.TempDir(), ""); err == nil {
		t.Error("Release succeeded without connection.json")
	}
}
